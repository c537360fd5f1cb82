import { describe, expect, it } from "vitest";
import { allowedActions, isMandatory, isOverdue, patientLabel, reasonLabel } from "./cases";

describe("which cases stand out", () => {
  it("an urgent or emergency case is mandatory, an elective one is not", () => {
    expect(isMandatory("emergency")).toBe(true);
    expect(isMandatory("urgent")).toBe(true);
    expect(isMandatory("elective")).toBe(false);
  });

  it("a waiting case past its due date is overdue; one due today or done is not", () => {
    expect(isOverdue({ due_date: "2026-12-01", status: "requested" }, "2026-12-02")).toBe(true);
    expect(isOverdue({ due_date: "2026-12-02", status: "requested" }, "2026-12-02")).toBe(false);
    expect(isOverdue({ due_date: "2026-12-01", status: "completed" }, "2026-12-02")).toBe(false);
    expect(isOverdue({ due_date: null, status: "requested" }, "2026-12-02")).toBe(false);
  });
});

describe("lifecycle actions a status allows", () => {
  it("a waiting case can be corrected or cancelled but not postponed", () => {
    expect(allowedActions("requested")).toMatchObject({ correct: true, cancel: true, postpone: false, confirm: false });
  });

  it("a scheduled case can be confirmed, postponed, cancelled and wheeled in", () => {
    expect(allowedActions("scheduled")).toMatchObject({ correct: false, confirm: true, postpone: true, cancel: true, wheelsIn: true });
  });

  it("a case in the room can only be wheeled out, a finished one nothing", () => {
    expect(allowedActions("in_room")).toEqual({ correct: false, confirm: false, postpone: false, cancel: false, wheelsIn: false, wheelsOut: true });
    expect(Object.values(allowedActions("cancelled")).some(Boolean)).toBe(false);
  });

  it("names reason codes in words, unknown ones readably", () => {
    expect(reasonLabel("no_bed")).toBe("No bed available");
    expect(reasonLabel("new_code")).toBe("New code");
  });
});

describe("patientLabel", () => {
  it("is the MRN when the reader may see it, and says it is hidden otherwise", () => {
    expect(patientLabel("MRN-1")).toBe("MRN-1");
    expect(patientLabel(null)).toBe("patient not shown");
    expect(patientLabel(undefined)).toBe("patient not shown");
  });
});
