// The words the app uses for a case: priorities, statuses, reason codes, and which cases must
// stand out on the waiting list (overdue, mandatory). Plain functions, no I/O.
import type { components } from "@/api/generated/scheduling";

export type Surgery = components["schemas"]["SurgeryPublic"];
export type Priority = components["schemas"]["SurgeryPriority"];
export type Status = components["schemas"]["SurgeryStatus"];
export type StaffRole = components["schemas"]["StaffRole"];
export type AnaesthesiaType = components["schemas"]["AnaesthesiaType"];
export type ReasonCode = components["schemas"]["CaseStop"]["reason_code"];

export const PRIORITIES: { value: Priority; label: string }[] = [
  { value: "emergency", label: "Emergency" },
  { value: "urgent", label: "Urgent" },
  { value: "elective", label: "Elective" },
];

export const STATUSES: { value: Status; label: string }[] = [
  { value: "requested", label: "Waiting" },
  { value: "postponed", label: "Postponed (waiting)" },
  { value: "scheduled", label: "Scheduled" },
  { value: "confirmed", label: "Confirmed" },
  { value: "in_room", label: "In the room" },
  { value: "completed", label: "Completed" },
  { value: "cancelled", label: "Cancelled" },
];

export const ANAESTHESIA: { value: AnaesthesiaType; label: string }[] = [
  { value: "general", label: "General" },
  { value: "regional", label: "Regional" },
  { value: "local", label: "Local" },
  { value: "sedation", label: "Sedation" },
];

export const STAFF_ROLES: { value: StaffRole; label: string }[] = [
  { value: "anaesthetist", label: "Anaesthetist" },
  { value: "scrub_nurse", label: "Scrub nurse" },
  { value: "circulating_nurse", label: "Circulating nurse" },
  { value: "perfusionist", label: "Perfusionist" },
  { value: "technician", label: "Technician" },
  { value: "surgeon", label: "Surgeon" },
];

/** The reason codes scheduling accepts for a postponement or a cancellation. */
export const REASON_CODES: { value: ReasonCode; label: string }[] = [
  { value: "patient_unfit", label: "Patient unfit for surgery" },
  { value: "patient_request", label: "Patient's request" },
  { value: "patient_did_not_attend", label: "Patient did not attend" },
  { value: "no_bed", label: "No bed available" },
  { value: "no_staff", label: "No staff available" },
  { value: "equipment_unavailable", label: "Equipment unavailable" },
  { value: "list_overrun", label: "List overran" },
  { value: "emergency_displaced", label: "Displaced by an emergency" },
  { value: "administrative", label: "Administrative" },
  { value: "other", label: "Other" },
];

/** The capabilities a room can have that scheduling knows by name (an open set). */
export const KNOWN_CAPABILITIES = [
  "cardiac",
  "general",
  "hybrid",
  "laminar_flow",
  "neuro",
  "orthopaedic",
  "paediatric",
  "robotic",
  "transplant",
  "vascular",
];

function labelOf<T extends string>(list: { value: T; label: string }[], value: T | null | undefined): string {
  if (value === null || value === undefined) return "";
  return list.find((item) => item.value === value)?.label ?? humanize(value);
}

export function humanize(term: string): string {
  const words = term.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export const priorityLabel = (value: Priority) => labelOf(PRIORITIES, value);
export const statusLabel = (value: Status) => labelOf(STATUSES, value);
export const reasonLabel = (value: string | null | undefined) =>
  labelOf(REASON_CODES as { value: string; label: string }[], value);
export const roleLabel = (value: StaffRole) => labelOf(STAFF_ROLES, value);
export const anaesthesiaLabel = (value: AnaesthesiaType) => labelOf(ANAESTHESIA, value);

/** Urgent and emergency cases must be done by their due date: the plan may not leave them out. */
export function isMandatory(priority: Priority): boolean {
  return priority === "urgent" || priority === "emergency";
}

export function isWaiting(status: Status): boolean {
  return status === "requested" || status === "postponed";
}

/** Still waiting (or booked) after its due date. `today` is the hospital's local date. */
export function isOverdue(surgery: Pick<Surgery, "due_date" | "status">, today: string): boolean {
  if (!surgery.due_date) return false;
  if (surgery.status === "completed" || surgery.status === "cancelled" || surgery.status === "in_room") return false;
  return surgery.due_date < today;
}

/** Which lifecycle actions a case's status allows (the roles are checked separately). */
export function allowedActions(status: Status) {
  const booked = status === "scheduled" || status === "confirmed";
  return {
    correct: isWaiting(status),
    confirm: status === "scheduled",
    postpone: booked,
    cancel: booked || isWaiting(status),
    wheelsIn: booked,
    wheelsOut: status === "in_room",
  };
}

/** A case's patient as a label: the MRN, or words saying it is hidden from this reader. */
export function patientLabel(mrn: string | null | undefined): string {
  return mrn ?? "patient not shown";
}
