// The request form's model: blank, from a case, to the API's body, and which fields differ
// between two versions (to explain a stale edit). Plain functions, no I/O.
import type { components } from "@/api/generated/scheduling";
import type { AnaesthesiaType, Priority, StaffRole, Surgery } from "./cases";

export type SurgeryBody = components["schemas"]["SurgeryCreate"];

export interface StaffNeed {
  role: StaffRole;
  count: number;
}

export interface SurgeryForm {
  patient_mrn: string;
  procedure_code: string;
  procedure_name: string;
  coding_system: string;
  surgeon_id: string | null;
  specialty: string;
  anaesthesia_type: AnaesthesiaType;
  priority: Priority;
  expected_duration_minutes: number | null;
  setup_minutes: number;
  cleanup_minutes: number;
  earliest_date: string | null;
  due_date: string | null;
  required_capabilities: string[];
  equipment_types: string[];
  staff_roles_needed: StaffNeed[];
  notes: string;
}

export const FIELD_LABELS: Record<keyof SurgeryForm, string> = {
  patient_mrn: "MRN",
  procedure_code: "Procedure code",
  procedure_name: "Procedure",
  coding_system: "Coding system",
  surgeon_id: "Surgeon",
  specialty: "Specialty",
  anaesthesia_type: "Anaesthesia",
  priority: "Priority",
  expected_duration_minutes: "Duration",
  setup_minutes: "Setup",
  cleanup_minutes: "Cleanup",
  earliest_date: "Earliest date",
  due_date: "Due date",
  required_capabilities: "Room capabilities",
  equipment_types: "Equipment",
  staff_roles_needed: "Staff needed",
  notes: "Notes",
};

export function blankForm(surgeonId: string | null = null): SurgeryForm {
  return {
    patient_mrn: "",
    procedure_code: "",
    procedure_name: "",
    coding_system: "opcs4",
    surgeon_id: surgeonId,
    specialty: "",
    anaesthesia_type: "general",
    priority: "elective",
    expected_duration_minutes: 60,
    setup_minutes: 15,
    cleanup_minutes: 15,
    earliest_date: null,
    due_date: null,
    required_capabilities: [],
    equipment_types: [],
    staff_roles_needed: [
      { role: "anaesthetist", count: 1 },
      { role: "scrub_nurse", count: 1 },
    ],
    notes: "",
  };
}

export function formFromSurgery(surgery: Surgery): SurgeryForm {
  return {
    patient_mrn: surgery.patient_mrn ?? "",
    procedure_code: surgery.procedure.code,
    procedure_name: surgery.procedure.name,
    coding_system: surgery.procedure.coding_system ?? "",
    surgeon_id: surgery.surgeon_id,
    specialty: surgery.specialty,
    anaesthesia_type: surgery.anaesthesia_type,
    priority: surgery.priority,
    expected_duration_minutes: surgery.expected_duration_minutes,
    setup_minutes: surgery.setup_minutes ?? 0,
    cleanup_minutes: surgery.cleanup_minutes ?? 0,
    earliest_date: surgery.earliest_date ?? null,
    due_date: surgery.due_date ?? null,
    required_capabilities: [...(surgery.required_capabilities ?? [])],
    equipment_types: [...(surgery.equipment_types ?? [])],
    staff_roles_needed: (surgery.staff_roles_needed ?? []).map((need) => ({ role: need.role, count: need.count ?? 1 })),
    notes: surgery.notes ?? "",
  };
}

/**
 * The API body. Values are sent as typed (trimmed), not checked here: the server's 422
 * names the fields it refuses, and the form shows each message on its field.
 */
export function bodyFromForm(form: SurgeryForm): SurgeryBody {
  return {
    patient_mrn: form.patient_mrn.trim(),
    procedure: {
      code: form.procedure_code.trim(),
      name: form.procedure_name.trim(),
      coding_system: form.coding_system.trim() || null,
    },
    surgeon_id: form.surgeon_id ?? "",
    specialty: form.specialty.trim(),
    anaesthesia_type: form.anaesthesia_type,
    priority: form.priority,
    expected_duration_minutes: form.expected_duration_minutes ?? 0,
    setup_minutes: form.setup_minutes,
    cleanup_minutes: form.cleanup_minutes,
    earliest_date: form.earliest_date,
    due_date: form.due_date,
    required_capabilities: [...form.required_capabilities],
    equipment_types: [...form.equipment_types],
    staff_roles_needed: form.staff_roles_needed.map((need) => ({ role: need.role, count: need.count })),
    notes: form.notes.trim() || null,
  };
}

/** The fields whose values differ between two forms, in the form's order. */
export function changedFields(before: SurgeryForm, after: SurgeryForm): (keyof SurgeryForm)[] {
  return (Object.keys(FIELD_LABELS) as (keyof SurgeryForm)[]).filter(
    (field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]),
  );
}

/** The form's field for an API error path ("procedure.name" -> procedure_name). */
export function formFieldOf(path: string): keyof SurgeryForm | "_form" {
  if (path.startsWith("procedure.code")) return "procedure_code";
  if (path.startsWith("procedure.coding_system")) return "coding_system";
  if (path.startsWith("procedure")) return "procedure_name";
  const head = path.split(".")[0] ?? "";
  return head in FIELD_LABELS ? (head as keyof SurgeryForm) : "_form";
}

export interface Merged {
  form: SurgeryForm;
  /** Fields someone else changed whose new value is now in the form. */
  theirs: (keyof SurgeryForm)[];
  /** Fields both changed, differently: the user's value is kept. */
  both: (keyof SurgeryForm)[];
}

/**
 * A three-way merge of a stale edit: `base` is what the user started from, `mine` the form,
 * `theirs` the case as it is now. Their changes come in where the user left a field alone;
 * where both changed a field, the user's value stays and the field is named.
 */
export function mergeForms(base: SurgeryForm, mine: SurgeryForm, theirs: SurgeryForm): Merged {
  // A JSON copy: the form may be a reactive proxy, which structuredClone refuses.
  const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
  const form = copy(mine);
  const changedByThem = changedFields(base, theirs);
  const changedByMe = new Set(changedFields(base, mine));
  const both: (keyof SurgeryForm)[] = [];
  for (const field of changedByThem) {
    if (!changedByMe.has(field)) {
      (form as Record<keyof SurgeryForm, unknown>)[field] = copy(theirs[field]);
    } else if (JSON.stringify(mine[field]) !== JSON.stringify(theirs[field])) {
      both.push(field);
    }
  }
  return { form, theirs: changedByThem.filter((field) => !both.includes(field)), both };
}
