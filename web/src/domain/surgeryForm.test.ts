import { describe, expect, it } from "vitest";
import type { Surgery } from "./cases";
import { bodyFromForm, changedFields, formFieldOf, formFromSurgery, mergeForms } from "./surgeryForm";

const surgery: Surgery = {
  surgery_id: "00000000-0000-0000-0000-000000000001",
  patient_mrn: "MRN-1",
  procedure: { code: "W40.1", name: "Total knee replacement", coding_system: "opcs4" },
  surgeon_id: "00000000-0000-0000-0000-000000000002",
  specialty: "orthopaedics",
  expected_duration_minutes: 90,
  setup_minutes: 20,
  cleanup_minutes: 15,
  priority: "urgent",
  earliest_date: null,
  due_date: "2027-01-10",
  required_capabilities: ["orthopaedic"],
  equipment_types: ["c_arm"],
  anaesthesia_type: "general",
  staff_roles_needed: [{ role: "anaesthetist", count: 1 }],
  notes: null,
  status: "requested",
  requested_by: "00000000-0000-0000-0000-000000000003",
  created_at: "2026-12-01T08:00:00Z",
  updated_at: "2026-12-01T08:00:00Z",
  version: 3,
};

describe("the request form", () => {
  it("sends back what it was filled from", () => {
    const body = bodyFromForm(formFromSurgery(surgery));
    expect(body).toEqual({
      patient_mrn: "MRN-1",
      procedure: surgery.procedure,
      surgeon_id: surgery.surgeon_id,
      specialty: "orthopaedics",
      anaesthesia_type: "general",
      priority: "urgent",
      expected_duration_minutes: 90,
      setup_minutes: 20,
      cleanup_minutes: 15,
      earliest_date: null,
      due_date: "2027-01-10",
      required_capabilities: ["orthopaedic"],
      equipment_types: ["c_arm"],
      staff_roles_needed: [{ role: "anaesthetist", count: 1 }],
      notes: null,
    });
  });

  it("trims what was typed and sends empty notes as none", () => {
    const form = { ...formFromSurgery(surgery), patient_mrn: "  MRN-2 ", notes: "   " };
    expect(bodyFromForm(form)).toMatchObject({ patient_mrn: "MRN-2", notes: null });
  });

  it("tells which fields someone else changed", () => {
    const before = formFromSurgery(surgery);
    const after = formFromSurgery({ ...surgery, notes: "Latex allergy noted", due_date: "2027-01-20" });
    expect(changedFields(before, after)).toEqual(["due_date", "notes"]);
  });

  it("puts the server's error paths on the form's fields", () => {
    expect(formFieldOf("procedure.code")).toBe("procedure_code");
    expect(formFieldOf("procedure.name")).toBe("procedure_name");
    expect(formFieldOf("procedure")).toBe("procedure_name");
    expect(formFieldOf("staff_roles_needed.count")).toBe("staff_roles_needed");
    expect(formFieldOf("something_else")).toBe("_form");
  });
});

describe("a stale edit merged with the case as it is now", () => {
  const base = formFromSurgery(surgery);

  it("brings in their changes where the user left a field alone and keeps the user's edits", () => {
    const mine = { ...base, expected_duration_minutes: 120 };
    const theirs = { ...base, notes: "Changed by someone else" };
    const merged = mergeForms(base, mine, theirs);
    expect(merged.form.expected_duration_minutes).toBe(120);
    expect(merged.form.notes).toBe("Changed by someone else");
    expect(merged.theirs).toEqual(["notes"]);
    expect(merged.both).toEqual([]);
  });

  it("keeps the user's value where both changed a field, and names it", () => {
    const merged = mergeForms(base, { ...base, due_date: "2027-02-01" }, { ...base, due_date: "2027-03-01" });
    expect(merged.form.due_date).toBe("2027-02-01");
    expect(merged.both).toEqual(["due_date"]);
    expect(merged.theirs).toEqual([]);
  });

  it("does not name a field both changed the same way", () => {
    const merged = mergeForms(base, { ...base, priority: "emergency" }, { ...base, priority: "emergency" });
    expect(merged.both).toEqual([]);
    expect(merged.theirs).toEqual(["priority"]);
  });
});
