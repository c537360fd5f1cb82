// The equipment administration's model: a kind of equipment (mobile or fixed in rooms, with a
// turnaround between cases) and its units, each with its maintenance windows. Forms, the API's
// bodies and the words for them. Plain functions, no I/O.
import type { components } from "@/api/generated/resources";
import type { FieldLabels } from "./adminForm";
import { humanize } from "./cases";
import { comingFirst } from "./localWindow";

export type Equipment = components["schemas"]["EquipmentPublic"];
export type EquipmentSummary = components["schemas"]["EquipmentSummary"];
export type Unit = components["schemas"]["UnitPublic"];
export type MaintenanceWindow = components["schemas"]["WindowPublic"];
export type EquipmentCreateBody = components["schemas"]["EquipmentCreate"];
export type EquipmentUpdateBody = components["schemas"]["EquipmentUpdate"];
export type UnitBody = components["schemas"]["UnitUpdate"];

export interface EquipmentForm {
  name: string;
  equipment_type: string;
  mobile: boolean;
  turnaround_minutes: number | null;
  /** The room of each unit in service, by unit id (fixed equipment only). */
  unit_rooms: Record<string, string>;
}

export const EQUIPMENT_LABELS: FieldLabels<EquipmentForm> = {
  name: "Name",
  equipment_type: "Type",
  mobile: "Mobile or fixed",
  turnaround_minutes: "Turnaround",
  unit_rooms: "Rooms of the units",
};

export const inService = <Item extends { retired_at?: string | null }>(items: Item[]) => items.filter((item) => !item.retired_at);

export function blankEquipment(): EquipmentForm {
  return { name: "", equipment_type: "", mobile: true, turnaround_minutes: 0, unit_rooms: {} };
}

export function equipmentForm(equipment: Equipment): EquipmentForm {
  const rooms: Record<string, string> = {};
  for (const unit of inService(equipment.units)) if (unit.fixed_room_id) rooms[unit.unit_id] = unit.fixed_room_id;
  return {
    name: equipment.name,
    equipment_type: equipment.equipment_type,
    mobile: equipment.mobile,
    turnaround_minutes: equipment.turnaround_minutes,
    unit_rooms: rooms,
  };
}

/** A new kind of equipment, without units yet (they are added one by one). */
export function createBody(form: EquipmentForm): EquipmentCreateBody {
  return {
    name: form.name.trim(),
    equipment_type: form.equipment_type.trim(),
    mobile: form.mobile,
    turnaround_minutes: form.turnaround_minutes ?? 0,
    units: [],
  };
}

/**
 * The equipment's own fields; for fixed equipment the room of every unit in service that has
 * one (a unit of equipment becoming fixed needs one: the server names any left without).
 */
export function updateBody(form: EquipmentForm, equipment: Equipment): EquipmentUpdateBody {
  const units = new Set(inService(equipment.units).map((unit) => unit.unit_id));
  const rooms = form.mobile ? {} : Object.fromEntries(Object.entries(form.unit_rooms).filter(([unit, room]) => units.has(unit) && room));
  return {
    name: form.name.trim(),
    equipment_type: form.equipment_type.trim(),
    mobile: form.mobile,
    turnaround_minutes: form.turnaround_minutes ?? 0,
    unit_rooms: rooms,
  };
}

/** A unit as typed in its form. */
export interface UnitDraft {
  label: string;
  serial_number: string;
  fixed_room_id: string | null;
  status: "available" | "in_maintenance";
}

export function blankUnit(): UnitDraft {
  return { label: "", serial_number: "", fixed_room_id: null, status: "available" };
}

export function unitDraft(unit: Unit): UnitDraft {
  return {
    label: unit.label,
    serial_number: unit.serial_number ?? "",
    fixed_room_id: unit.fixed_room_id,
    status: unit.status === "in_maintenance" ? "in_maintenance" : "available",
  };
}

/** The API's unit body; a unit of mobile equipment stands in no room. */
export function unitBody(draft: UnitDraft, mobile: boolean): UnitBody {
  return {
    label: draft.label.trim(),
    serial_number: draft.serial_number.trim() || null,
    fixed_room_id: mobile ? null : draft.fixed_room_id,
    status: draft.status,
  };
}

export const UNIT_STATUSES: { value: UnitDraft["status"]; label: string }[] = [
  { value: "available", label: "Available" },
  { value: "in_maintenance", label: "In maintenance (not bookable)" },
];

export function unitStatusText(unit: Pick<Unit, "status" | "retired_at">): string {
  if (unit.retired_at) return `Retired ${unit.retired_at.slice(0, 10)}`;
  return unit.status === "in_maintenance" ? "In maintenance" : "Available";
}

/** A kind of equipment in a few words: "Mobile, 30 min turnaround, 2 units in service". */
export function equipmentFacts(item: Pick<EquipmentSummary, "mobile" | "turnaround_minutes" | "units">): string {
  const count = inService(item.units).length;
  return [
    item.mobile ? "Mobile" : "Fixed in rooms",
    item.turnaround_minutes ? `${item.turnaround_minutes} min turnaround` : "no turnaround",
    `${count} unit${count === 1 ? "" : "s"} in service`,
  ].join(", ");
}

export const typeLabel = (type: string) => humanize(type);

/** The equipment's status in words. */
export const equipmentStatusText = (item: Pick<EquipmentSummary, "retired_at">) =>
  item.retired_at ? `Retired ${item.retired_at.slice(0, 10)}` : "In service";

/** What changed on equipment outside its form, for a stale edit's explanation. */
export function otherEquipmentChanges(before: Equipment, after: Equipment): string[] {
  const units = (item: Equipment) =>
    JSON.stringify(item.units.map((unit) => [unit.unit_id, unit.label, unit.serial_number, unit.status, unit.maintenance_windows.map((w) => w.window_id)]));
  const changes: string[] = [];
  if (units(before) !== units(after)) changes.push("Units");
  if (!before.retired_at && after.retired_at) changes.push("Retired");
  return changes;
}

/** A unit's maintenance windows, coming ones first. */
export const orderedWindows = (unit: Unit, now: number) => comingFirst(unit.maintenance_windows, now);
