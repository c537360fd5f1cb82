// The rooms administration's model: a room's form and body, its exceptions (closures, extended
// hours, maintenance) in words and as the API's body. Plain functions, no I/O.
import type { components } from "@/api/generated/resources";
import { formatDateTime } from "./dates";
import type { FieldLabels } from "./adminForm";
import { blankWindow, comingFirst, type LocalWindowDraft, windowBody, windowProblem } from "./localWindow";
import { weekBody, weekFrom, weekSummary, type WeeklyHours, workingWeek } from "./weeklyHours";

export type Room = components["schemas"]["RoomPublic"];
export type RoomSummary = components["schemas"]["RoomSummary"];
export type RoomBody = components["schemas"]["RoomCreate"];
export type RoomException = components["schemas"]["RoomExceptionPublic"];
export type ExceptionKind = components["schemas"]["HoursExceptionKind"];
export type ExceptionBody = components["schemas"]["RoomExceptionCreate"];

export interface RoomForm {
  code: string;
  name: string;
  location: string;
  status: "active" | "maintenance";
  capabilities: string[];
  weekly_hours: WeeklyHours;
}

export const ROOM_LABELS: FieldLabels<RoomForm> = {
  code: "Code",
  name: "Name",
  location: "Location",
  status: "Status",
  capabilities: "Capabilities",
  weekly_hours: "Weekly hours",
};

export const ROOM_STATUSES: { value: RoomForm["status"]; label: string }[] = [
  { value: "active", label: "In service" },
  { value: "maintenance", label: "In maintenance (not bookable)" },
];

export const EXCEPTION_KINDS: { value: ExceptionKind; label: string }[] = [
  { value: "closure", label: "Closure" },
  { value: "extended_hours", label: "Extended hours" },
  { value: "maintenance", label: "Maintenance" },
];

export const exceptionKindLabel = (kind: ExceptionKind) => EXCEPTION_KINDS.find((item) => item.value === kind)?.label ?? kind;

export function blankRoom(): RoomForm {
  return { code: "", name: "", location: "", status: "active", capabilities: [], weekly_hours: workingWeek([{ start: "08:00", end: "16:00" }]) };
}

export function roomForm(room: Room): RoomForm {
  return {
    code: room.code,
    name: room.name,
    location: room.location ?? "",
    status: room.status === "maintenance" ? "maintenance" : "active",
    capabilities: [...room.capabilities].sort(),
    weekly_hours: weekFrom(room.weekly_hours),
  };
}

/** The API's body: text trimmed, an empty location left out; the server checks the rest. */
export function roomBody(form: RoomForm): RoomBody {
  return {
    code: form.code.trim(),
    name: form.name.trim(),
    location: form.location.trim() || null,
    status: form.status,
    capabilities: [...form.capabilities],
    weekly_hours: weekBody(form.weekly_hours),
  };
}

/** A room's status in words, retired ones with their date. */
export function roomStatusText(room: Pick<RoomSummary, "status" | "retired_at">): string {
  if (room.retired_at) return `Retired ${room.retired_at.slice(0, 10)}`;
  return room.status === "maintenance" ? "In maintenance" : "In service";
}

export const roomHoursText = (room: Pick<RoomSummary, "weekly_hours">) => weekSummary(weekFrom(room.weekly_hours));

/** What changed on a room outside its form, for a stale edit's explanation. */
export function otherRoomChanges(before: Room, after: Room): string[] {
  const ids = (room: Room) => room.exceptions.map((item) => `${item.window_id}`).sort().join();
  const changes: string[] = [];
  if (ids(before) !== ids(after)) changes.push("Exceptions");
  if (!before.retired_at && after.retired_at) changes.push("Retired");
  return changes;
}

/** An exception as typed: its kind, and local dates and times in the hospital's time zone. */
export interface ExceptionDraft extends LocalWindowDraft {
  kind: ExceptionKind;
}

export function blankException(today: string): ExceptionDraft {
  return { kind: "closure", ...blankWindow(today) };
}

/** What keeps the draft from being sent, in words; null when it can be. */
export const exceptionProblem = (draft: ExceptionDraft, timeZone: string) => windowProblem(draft, timeZone);

/** The API's body: the local times as instants (UTC), the note trimmed or left out. */
export function exceptionBody(draft: ExceptionDraft, timeZone: string): ExceptionBody {
  return { kind: draft.kind, ...windowBody(draft, timeZone) };
}

/** An exception in words: its kind, then from and until in the hospital's time zone. */
export function exceptionText(item: RoomException, timeZone: string): string {
  return `${exceptionKindLabel(item.kind)}, ${formatDateTime(item.start, timeZone)} – ${formatDateTime(item.end, timeZone)}`;
}

/** The exceptions not over yet first, in start order, then the past ones latest first. */
export const orderedExceptions = (items: RoomException[], now: number) => comingFirst(items, now);
