import { describe, expect, it } from "vitest";
import { boardRows, closedWindows, exceptionBands, freeStaff, freeUnits, type ListedCase, proposeTeam, type RoomAvailability, type StaffAvailability, type UnitAvailability } from "./boardModel";
import { dayAxis } from "./boardTime";

const TZ = "Europe/Amsterdam";
const DAY = "2026-12-02"; // winter: local = UTC + 1
const axis = dayAxis(DAY, TZ);
const at = (hhmm: string) => `${DAY}T${hhmm}:00Z`;

function room(changes: Partial<RoomAvailability> = {}): RoomAvailability {
  return {
    room_id: "r1", code: "OR-2", name: "Ortho", status: "active", capabilities: [],
    open_intervals: [{ start: at("06:30"), end: at("16:30") }], open_minutes_by_date: { [DAY]: 600 }, blocks: [],
    ...changes,
  };
}

function listed(changes: Partial<ListedCase> = {}): ListedCase {
  return {
    surgery_id: "s1", version: 2, status: "scheduled", priority: "elective", patient_mrn: "MRN-1",
    procedure: { code: "P1", name: "Hip", coding_system: null }, specialty: "orthopaedics", anaesthesia_type: "general",
    expected_duration_minutes: 120, setup_minutes: 30, cleanup_minutes: 30,
    start: at("08:00"), end: at("10:00"), room_held_from: at("07:30"), room_held_until: at("10:30"),
    room: { room_id: "r1", code: "OR-2", name: "Ortho" }, surgeon: { staff_id: "surgeon", name: "Dr S" },
    staff: [{ staff_id: "surgeon", name: "Dr S", role: "surgeon" }, { staff_id: "a1", name: "Dr A", role: "anaesthetist" }],
    equipment_units: [{ unit_id: "u1", equipment_type: "c_arm", label: "C-arm 1" }], wheels_in: null, wheels_out: null,
    ...changes,
  };
}

function person(id: string, changes: Partial<StaffAvailability> = {}): StaffAvailability {
  return {
    staff_id: id, name: `Dr ${id}`, role: "anaesthetist", specialties: [], status: "active", max_minutes_per_day: null,
    available_intervals: [{ start: at("06:00"), end: at("16:30") }], ...changes,
  };
}

function unit(id: string, changes: Partial<UnitAvailability> = {}): UnitAvailability {
  return {
    unit_id: id, equipment_id: "e1", equipment_type: "c_arm", label: `C-arm ${id}`, status: "available", fixed_room_id: null,
    turnaround_minutes: 30, available_intervals: [{ start: at("00:00"), end: at("23:00") }], ...changes,
  };
}

describe("the board's rows", () => {
  it("shades the time a room is closed: before it opens and after it closes", () => {
    const closed = closedWindows(axis, [{ start: Date.parse(at("06:30")), end: Date.parse(at("16:30")) }]);
    expect(closed.map((w) => [new Date(w.start).toISOString(), new Date(w.end).toISOString()])).toEqual([
      ["2026-12-01T23:00:00.000Z", at("06:30").replace("Z", ".000Z")],
      [at("16:30").replace("Z", ".000Z"), "2026-12-02T23:00:00.000Z"],
    ]);
  });

  it("puts each case in its room with its setup and cleanup as shares of the held time", () => {
    const schedule = { from: DAY, to: DAY, timezone: TZ, empty_rooms_listed: true, days: [{ date: DAY, rooms: [{ room_id: "r1", code: "OR-2", name: "Ortho", open_intervals: [], cases: [listed()] }] }] };
    const [row] = boardRows(axis, schedule, [room()], () => "");
    expect(row?.cases).toHaveLength(1);
    const entry = row!.cases[0]!;
    // Held from 07:30 UTC, 08:30 in Amsterdam in winter.
    expect(entry.held.left).toBeCloseTo((8.5 / 24) * 100, 5);
    expect(entry.held.width).toBeCloseTo((3 / 24) * 100, 5);
    expect(entry.setupShare).toBeCloseTo(30 / 180, 5);
    expect(entry.cleanupShare).toBeCloseTo(30 / 180, 5);
  });

  it("lists a room only the schedule knows, so no booked case is left off, and sorts rooms by code", () => {
    const schedule = { from: DAY, to: DAY, timezone: TZ, empty_rooms_listed: true, days: [{ date: DAY, rooms: [{ room_id: "gone", code: "OR-10", name: "Old", open_intervals: [], cases: [listed({ surgery_id: "s9" })] }] }] };
    const rows = boardRows(axis, schedule, [room(), room({ room_id: "r3", code: "OR-3" })], () => "");
    expect(rows.map((row) => row.code)).toEqual(["OR-2", "OR-3", "OR-10"]);
    expect(rows[2]?.cases.map((entry) => entry.item.surgery_id)).toEqual(["s9"]);
  });

  it("draws a block with its holder's name", () => {
    const block = { block_id: "b1", room_id: "r1", surgeon_id: "x", service: null, start: at("07:00"), end: at("12:00") };
    const [row] = boardRows(axis, undefined, [room({ blocks: [block] })], () => "Dr Holder");
    expect(row?.blocks).toEqual([expect.objectContaining({ label: "Dr Holder" })]);
  });
});

describe("a room's dated exceptions", () => {
  it("are said in words with their note, only those touching the day", () => {
    const bands = exceptionBands(axis, [
      { window_id: "w1", kind: "maintenance", note: "Ventilation check", start: at("12:00"), end: at("14:00") },
      { window_id: "w2", kind: "extended_hours", note: null, start: at("16:30"), end: at("19:00") },
      { window_id: "w3", kind: "closure", note: null, start: "2026-12-05T00:00:00Z", end: "2026-12-06T00:00:00Z" },
    ]);
    expect(bands.map((band) => band.label)).toEqual(["Maintenance: Ventilation check", "Extended hours"]);
    expect(bands[0]?.left).toBeCloseTo((13 / 24) * 100, 5);
  });
});

describe("who and what is offered for a booking", () => {
  const window = { start: Date.parse(at("09:00")), end: Date.parse(at("11:00")) };

  it("offers only the people of the role who work all of the surgery and are in no other case then", () => {
    const staff = [person("a1"), person("a2"), person("a3", { available_intervals: [{ start: at("10:00"), end: at("16:00") }] }), person("n1", { role: "scrub_nurse" })];
    expect(freeStaff("anaesthetist", window, staff, [listed()], null).map((p) => p.staff_id)).toEqual(["a2"]);
  });

  it("does not count the case's own booking against its team when it moves", () => {
    expect(freeStaff("anaesthetist", window, [person("a1")], [listed()], "s1").map((p) => p.staff_id)).toEqual(["a1"]);
  });

  it("keeps a unit busy for its turnaround after another case and offers none fixed in another room", () => {
    const later = { start: Date.parse(at("10:15")), end: Date.parse(at("11:00")) };
    const units = [unit("u1"), unit("u2", { fixed_room_id: "elsewhere" }), unit("u3")];
    expect(freeUnits("c_arm", later, "r1", units, [listed()], null).map((u) => u.unit_id)).toEqual(["u3"]);
    const afterTurnaround = { start: Date.parse(at("10:30")), end: Date.parse(at("11:00")) };
    expect(freeUnits("c_arm", afterTurnaround, "r1", units, [listed()], null).map((u) => u.unit_id)).toEqual(["u1", "u3"]);
  });

  it("proposes one free person per role place and one free unit per equipment type", () => {
    const surgery = {
      surgery_id: "new", expected_duration_minutes: 120, equipment_types: ["c_arm"],
      staff_roles_needed: [{ role: "anaesthetist" as const, count: 1 }, { role: "scrub_nurse" as const, count: 2 }],
    };
    const availability = {
      staff: [person("a1"), person("a2"), person("n1", { role: "scrub_nurse" }), person("n2", { role: "scrub_nurse" }), person("n3", { role: "scrub_nurse" })],
      equipment_units: [unit("u1"), unit("u3")],
    };
    const team = proposeTeam(surgery, "r1", Date.parse(at("09:00")), availability, [listed()]);
    expect(team.staff).toEqual([
      { role: "anaesthetist", staff_id: "a2" },
      { role: "scrub_nurse", staff_id: "n1" },
      { role: "scrub_nurse", staff_id: "n2" },
    ]);
    expect(team.unitIds).toEqual(["u3"]);
  });
});
