// The board's rows and what a booking can be offered: the day's rooms with their cases, open
// time, closed time and blocks on one axis, and the people and units free at a given time.
import type { components as resources } from "@/api/generated/resources";
import type { components as scheduling } from "@/api/generated/scheduling";
import { type DayAxis, percentOf } from "./boardTime";

export type Schedule = scheduling["schemas"]["RoomSchedule"];
export type ListedCase = scheduling["schemas"]["ListedCasePublic"];
export type Surgery = scheduling["schemas"]["SurgeryPublic"];
export type StaffRole = scheduling["schemas"]["StaffRole"];
export type Availability = resources["schemas"]["Availability"];
export type RoomAvailability = resources["schemas"]["RoomAvailability"];
export type StaffAvailability = resources["schemas"]["StaffAvailability"];
export type UnitAvailability = resources["schemas"]["UnitAvailability"];
export type RoomException = resources["schemas"]["RoomExceptionPublic"];

interface Window {
  start: number;
  end: number;
}

export interface Span {
  left: number;
  width: number;
}

export interface BoardCase {
  item: ListedCase;
  /** The whole time the room is held, setup to cleanup, and its parts within it (percent). */
  held: Span;
  setupShare: number;
  cleanupShare: number;
}

export interface BoardRow {
  roomId: string;
  code: string;
  name: string;
  status: string;
  closed: Span[];
  blocks: (Span & { label: string })[];
  /** The room's dated exceptions that day (closure, maintenance, extended hours), said in words. */
  exceptions: (Span & { label: string; kind: RoomException["kind"] })[];
  cases: BoardCase[];
}

const EXCEPTION_WORDS: Record<RoomException["kind"], string> = {
  closure: "Closed by exception",
  maintenance: "Maintenance",
  extended_hours: "Extended hours",
};

export function exceptionBands(axis: DayAxis, exceptions: RoomException[]): BoardRow["exceptions"] {
  return exceptions
    .filter((exception) => ms(exception.end) > axis.start && ms(exception.start) < axis.end)
    .map((exception) => ({
      ...span(axis, ms(exception.start), ms(exception.end)),
      kind: exception.kind,
      label: exception.note ? `${EXCEPTION_WORDS[exception.kind]}: ${exception.note}` : EXCEPTION_WORDS[exception.kind],
    }));
}

const ms = (iso: string) => Date.parse(iso);

function span(axis: DayAxis, start: number, end: number): Span {
  const left = percentOf(axis, start);
  return { left, width: Math.max(0, percentOf(axis, end) - left) };
}

/** The parts of the day outside the open windows. */
export function closedWindows(axis: DayAxis, open: Window[]): Window[] {
  const sorted = [...open].sort((a, b) => a.start - b.start);
  const closed: Window[] = [];
  let from = axis.start;
  for (const window of sorted) {
    if (window.start > from) closed.push({ start: from, end: Math.min(window.start, axis.end) });
    from = Math.max(from, window.end);
  }
  if (from < axis.end) closed.push({ start: from, end: axis.end });
  return closed.filter((window) => window.end > window.start && window.start < axis.end);
}

/**
 * One row per room: every room resources lists for the day (in code order), with the cases the
 * schedule has in it that day; a room only the schedule knows (a case in a room since retired)
 * is listed too, so no booked case is ever left off the board.
 */
export function boardRows(
  axis: DayAxis,
  schedule: Schedule | undefined,
  rooms: RoomAvailability[],
  holderName: (block: RoomAvailability["blocks"][number]) => string,
  exceptionsOf: (roomId: string) => RoomException[] = () => [],
): BoardRow[] {
  const day = schedule?.days.find((entry) => entry.date === axis.date);
  const casesByRoom = new Map((day?.rooms ?? []).map((room) => [room.room_id, room]));
  const rows: BoardRow[] = rooms.map((room) => ({
    roomId: room.room_id,
    code: room.code,
    name: room.name,
    status: room.status,
    closed: closedWindows(
      axis,
      room.open_intervals.map((w) => ({ start: ms(w.start), end: ms(w.end) })),
    ).map((w) => span(axis, w.start, w.end)),
    blocks: room.blocks
      .filter((block) => ms(block.end) > axis.start && ms(block.start) < axis.end)
      .map((block) => ({ ...span(axis, ms(block.start), ms(block.end)), label: holderName(block) })),
    exceptions: exceptionBands(axis, exceptionsOf(room.room_id)),
    cases: [],
  }));
  const known = new Set(rows.map((row) => row.roomId));
  for (const room of day?.rooms ?? []) {
    if (known.has(room.room_id)) continue;
    rows.push({ roomId: room.room_id, code: room.code, name: room.name, status: "unknown", closed: [], blocks: [], exceptions: [], cases: [] });
  }
  for (const row of rows) {
    row.cases = (casesByRoom.get(row.roomId)?.cases ?? []).map((item) => boardCase(axis, item));
  }
  return rows.sort((a, b) => a.code.localeCompare(b.code, "en", { numeric: true }));
}

export function boardCase(axis: DayAxis, item: ListedCase): BoardCase {
  const from = ms(item.room_held_from);
  const until = ms(item.room_held_until);
  const whole = Math.max(1, until - from);
  return {
    item,
    held: span(axis, from, until),
    setupShare: (item.setup_minutes * 60_000) / whole,
    cleanupShare: (item.cleanup_minutes * 60_000) / whole,
  };
}

/** Every case of the schedule, all days and rooms. */
export function allCases(schedule: Schedule | undefined): ListedCase[] {
  return (schedule?.days ?? []).flatMap((day) => day.rooms.flatMap((room) => room.cases));
}

function within(window: Window, windows: { start: string; end: string }[]): boolean {
  return windows.some((w) => ms(w.start) <= window.start && window.end <= ms(w.end));
}

function overlaps(a: Window, b: Window): boolean {
  return a.start < b.end && b.start < a.end;
}

/** The surgery itself (wheels-in to wheels-out) of a case starting at `start`. */
export function surgeryWindow(start: number, durationMinutes: number): Window {
  return { start, end: start + durationMinutes * 60_000 };
}

/**
 * The people of `role` who work all of `window` and are in no other case then; `except` is the
 * case being placed (its own current booking does not count against its team).
 */
export function freeStaff(
  role: StaffRole,
  window: Window,
  staff: StaffAvailability[],
  cases: ListedCase[],
  except: string | null,
): StaffAvailability[] {
  const busy = new Set(
    cases
      .filter((item) => item.surgery_id !== except && overlaps(window, { start: ms(item.start), end: ms(item.end) }))
      .flatMap((item) => item.staff.map((person) => person.staff_id)),
  );
  return staff
    .filter((person) => person.role === role && person.status === "active")
    .filter((person) => within(window, person.available_intervals) && !busy.has(person.staff_id))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The units of `type` available all of `window` and reserved by no other case (turnaround included). */
export function freeUnits(
  type: string,
  window: Window,
  roomId: string,
  units: UnitAvailability[],
  cases: ListedCase[],
  except: string | null,
): UnitAvailability[] {
  const turnaround = new Map(units.map((unit) => [unit.unit_id, unit.turnaround_minutes * 60_000]));
  const busy = new Set<string>();
  for (const item of cases) {
    if (item.surgery_id === except) continue;
    for (const unit of item.equipment_units) {
      const held = { start: ms(item.start), end: ms(item.end) + (turnaround.get(unit.unit_id) ?? 0) };
      const wanted = { start: window.start, end: window.end + (turnaround.get(unit.unit_id) ?? 0) };
      if (overlaps(held, wanted)) busy.add(unit.unit_id);
    }
  }
  return units
    .filter((unit) => unit.equipment_type === type && (unit.fixed_room_id === null || unit.fixed_room_id === roomId))
    .filter((unit) => within(window, unit.available_intervals) && !busy.has(unit.unit_id))
    .sort((a, b) => a.label.localeCompare(b.label, "en", { numeric: true }));
}

export interface Team {
  staff: { role: StaffRole; staff_id: string }[];
  unitIds: string[];
}

/** The roles a case needs besides its surgeon, one slot per person (anaesthetist × 1, …). */
export function roleSlots(surgery: Pick<Surgery, "staff_roles_needed">): StaffRole[] {
  return surgery.staff_roles_needed.flatMap((need) => Array.from({ length: need.count }, () => need.role));
}

/** One free person per role slot and one free unit per equipment type, keeping whom `keep` names if still free. */
export function proposeTeam(
  surgery: Pick<Surgery, "surgery_id" | "staff_roles_needed" | "equipment_types" | "expected_duration_minutes">,
  roomId: string,
  start: number,
  availability: Pick<Availability, "staff" | "equipment_units"> | undefined,
  cases: ListedCase[],
  keep: Team = { staff: [], unitIds: [] },
): Team {
  const window = surgeryWindow(start, surgery.expected_duration_minutes);
  const taken = new Set<string>();
  const staff = roleSlots(surgery).map((role) => {
    const free = freeStaff(role, window, availability?.staff ?? [], cases, surgery.surgery_id).filter((p) => !taken.has(p.staff_id));
    const kept = keep.staff.find((person) => person.role === role && !taken.has(person.staff_id) && free.some((p) => p.staff_id === person.staff_id));
    const chosen = kept?.staff_id ?? free[0]?.staff_id ?? keep.staff.find((p) => p.role === role && !taken.has(p.staff_id))?.staff_id;
    if (chosen) taken.add(chosen);
    return chosen ? { role, staff_id: chosen } : null;
  });
  const unitIds = surgery.equipment_types.map((type) => {
    const free = freeUnits(type, window, roomId, availability?.equipment_units ?? [], cases, surgery.surgery_id);
    const kept = keep.unitIds.find((id) => free.some((unit) => unit.unit_id === id));
    return kept ?? free[0]?.unit_id ?? null;
  });
  return {
    staff: staff.filter((entry): entry is { role: StaffRole; staff_id: string } => entry !== null),
    unitIds: unitIds.filter((id): id is string => id !== null),
  };
}
