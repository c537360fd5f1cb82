import { describe, expect, it } from "vitest";
import { type Conflict, type ConflictNames, conflictSentence } from "./conflictWords";

const names: ConflictNames = {
  timeZone: "Europe/Amsterdam",
  room: (id) => ({ r1: "OR-1 Emergency theatre" })[id],
  person: (id) => ({ p1: "Dr Miranda Bailey" })[id],
  unit: (id) => ({ u1: "C-arm 2" })[id],
  surgery: (id) => ({ s2: "Knee replacement (MRN-2, OR-1 09:00)" })[id],
};

function conflict(changes: Partial<Conflict>): Conflict {
  return {
    code: "room_double_booked",
    message: "server words",
    resource_type: "room",
    resource_id: "r1",
    interval: { start: "2026-12-02T07:45:00Z", end: "2026-12-02T09:45:00Z" },
    other_surgery_id: "s2",
    surgery_id: "s1",
    ...changes,
  };
}

describe("a conflict in a coordinator's words", () => {
  it("names the room, the local time and the other case of a double-booked room", () => {
    expect(conflictSentence(conflict({}), names)).toBe(
      "OR-1 Emergency theatre is already taken from 08:45 to 10:45 by the case Knee replacement (MRN-2, OR-1 09:00).",
    );
  });

  it("names the person of a double-booked or absent staff member", () => {
    expect(conflictSentence(conflict({ code: "staff_double_booked", resource_type: "staff", resource_id: "p1" }), names)).toMatch(
      /^Dr Miranda Bailey is already working from 08:45 to 10:45 in the case Knee replacement/,
    );
    expect(conflictSentence(conflict({ code: "staff_unavailable", resource_type: "staff", resource_id: "p1", other_surgery_id: null }), names)).toBe(
      "Dr Miranda Bailey is not working or is absent during the surgery from 08:45 to 10:45.",
    );
  });

  it("names the unit of equipment in use or in maintenance", () => {
    expect(conflictSentence(conflict({ code: "unit_double_booked", resource_type: "unit", resource_id: "u1" }), names)).toMatch(/^C-arm 2 is already in use/);
    expect(conflictSentence(conflict({ code: "unit_maintenance_window", resource_type: "unit", resource_id: "u1" }), names)).toBe(
      "C-arm 2 has maintenance planned from 08:45 to 10:45.",
    );
  });

  it("never shows an id: an unknown room or case is said as such", () => {
    const sentence = conflictSentence(conflict({ resource_id: "unknown-room", other_surgery_id: "unknown-case" }), names);
    expect(sentence).toBe("The room is already taken from 08:45 to 10:45 by another case.");
  });

  it("says what a closed room and a missing capability mean", () => {
    expect(conflictSentence(conflict({ code: "room_closed", other_surgery_id: null }), names)).toMatch(/^OR-1 Emergency theatre is not open/);
    expect(
      conflictSentence(conflict({ code: "room_lacks_capability", message: "OR-1 is not equipped for robotic, which the case requires.", interval: null }), names),
    ).toBe("OR-1 Emergency theatre is not equipped for robotic, which the case requires.");
  });

  it("falls back to the server's own message for a code it does not know", () => {
    expect(conflictSentence(conflict({ code: "something_new", message: "A new rule said no." }), names)).toBe("A new rule said no.");
  });
});
