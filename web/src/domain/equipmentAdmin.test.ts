import { describe, expect, it } from "vitest";
import {
  blankUnit,
  createBody,
  type Equipment,
  equipmentFacts,
  equipmentForm,
  otherEquipmentChanges,
  type Unit,
  unitBody,
  unitDraft,
  unitStatusText,
  updateBody,
} from "./equipmentAdmin";

const unit = (id: string, changes: Partial<Unit> = {}): Unit => ({
  unit_id: id,
  label: `Unit ${id}`,
  serial_number: null,
  status: "available",
  fixed_room_id: null,
  created_at: "2026-01-01T00:00:00Z",
  retired_at: null,
  maintenance_windows: [],
  ...changes,
});
const equipment = (changes: Partial<Equipment> = {}): Equipment => ({
  equipment_id: "e1",
  version: 2,
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
  name: "Surgical robot",
  equipment_type: "surgical_robot",
  mobile: false,
  turnaround_minutes: 30,
  retired_at: null,
  units: [unit("a", { fixed_room_id: "room-1" }), unit("b", { fixed_room_id: "room-2", retired_at: "2026-02-01T00:00:00Z", status: "retired" })],
  ...changes,
});

describe("an equipment form", () => {
  it("holds the rooms of the units in service only", () => {
    expect(equipmentForm(equipment()).unit_rooms).toEqual({ a: "room-1" });
  });

  it("sends the rooms of units in service when fixed and none when mobile", () => {
    const form = { ...equipmentForm(equipment()), unit_rooms: { a: "room-3", b: "room-4", stranger: "room-5" } };
    expect(updateBody(form, equipment())).toEqual({
      name: "Surgical robot",
      equipment_type: "surgical_robot",
      mobile: false,
      turnaround_minutes: 30,
      unit_rooms: { a: "room-3" },
    });
    expect(updateBody({ ...form, mobile: true }, equipment()).unit_rooms).toEqual({});
  });

  it("creates equipment without units, text trimmed and an empty turnaround as none", () => {
    expect(createBody({ name: " C-arm ", equipment_type: " c_arm ", mobile: true, turnaround_minutes: null, unit_rooms: {} })).toEqual({
      name: "C-arm",
      equipment_type: "c_arm",
      mobile: true,
      turnaround_minutes: 0,
      units: [],
    });
  });
});

describe("a unit", () => {
  it("stands in no room when the equipment is mobile, and keeps its room when fixed", () => {
    const draft = { ...unitDraft(unit("a", { fixed_room_id: "room-1", serial_number: "SN1" })), label: " A " };
    expect(unitBody(draft, false)).toEqual({ label: "A", serial_number: "SN1", fixed_room_id: "room-1", status: "available" });
    expect(unitBody({ ...blankUnit(), label: "B", fixed_room_id: "room-1" }, true)).toEqual({ label: "B", serial_number: null, fixed_room_id: null, status: "available" });
  });

  it("says its status in words", () => {
    expect(unitStatusText(unit("a", { status: "in_maintenance" }))).toBe("In maintenance");
    expect(unitStatusText(unit("a", { retired_at: "2026-02-01T10:00:00Z" }))).toBe("Retired 2026-02-01");
  });
});

describe("equipment in words", () => {
  it("says how it is used and how many units serve", () => {
    expect(equipmentFacts(equipment())).toBe("Fixed in rooms, 30 min turnaround, 1 unit in service");
    expect(equipmentFacts(equipment({ mobile: true, turnaround_minutes: 0, units: [] }))).toBe("Mobile, no turnaround, 0 units in service");
  });

  it("names unit changes and retirement for a stale edit", () => {
    const after = equipment({ units: [...equipment().units, unit("c")], retired_at: "2026-03-01T00:00:00Z" });
    expect(otherEquipmentChanges(equipment(), after)).toEqual(["Units", "Retired"]);
    expect(otherEquipmentChanges(equipment(), equipment({ name: "Robot" }))).toEqual([]);
  });
});
