import { describe, expect, it } from "vitest";
import {
  blankException,
  blankRoom,
  exceptionBody,
  exceptionProblem,
  orderedExceptions,
  otherRoomChanges,
  type Room,
  type RoomException,
  roomBody,
  roomForm,
  roomStatusText,
} from "./roomsAdmin";

const ZONE = "Europe/Amsterdam";
const room = (changes: Partial<Room> = {}): Room => ({
  room_id: "r1",
  version: 3,
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
  code: "OR-9",
  name: "Theatre nine",
  location: null,
  capabilities: ["robotic", "general"],
  status: "active",
  weekly_hours: { monday: [{ start: "08:00", end: "16:00" }], tuesday: [], wednesday: [], thursday: [], friday: [], saturday: [], sunday: [] },
  timezone: ZONE,
  exceptions: [],
  retired_at: null,
  ...changes,
});
const exception = (id: string, start: string, end: string): RoomException => ({ window_id: id, kind: "closure", start, end, note: null });

describe("a room's form", () => {
  it("comes from the room with every weekday and sorted capabilities, and goes back as the API's body", () => {
    const form = roomForm(room());
    expect(form.capabilities).toEqual(["general", "robotic"]);
    expect(form.weekly_hours.sunday).toEqual([]);
    form.name = "  Theatre 9 ";
    form.location = "  ";
    expect(roomBody(form)).toMatchObject({ code: "OR-9", name: "Theatre 9", location: null, status: "active" });
  });

  it("starts a new room open on weekdays", () => {
    expect(blankRoom().weekly_hours.friday).toEqual([{ start: "08:00", end: "16:00" }]);
    expect(blankRoom().weekly_hours.saturday).toEqual([]);
  });

  it("says a room's status in words", () => {
    expect(roomStatusText({ status: "maintenance", retired_at: null })).toBe("In maintenance");
    expect(roomStatusText({ status: "retired", retired_at: "2026-03-04T10:00:00Z" })).toBe("Retired 2026-03-04");
  });

  it("names the changes outside the form for a stale edit", () => {
    const after = room({ exceptions: [exception("x", "2026-03-04T08:00:00Z", "2026-03-04T10:00:00Z")], retired_at: "2026-03-05T00:00:00Z" });
    expect(otherRoomChanges(room(), after)).toEqual(["Exceptions", "Retired"]);
    expect(otherRoomChanges(room(), room({ name: "Other" }))).toEqual([]);
  });
});

describe("an exception", () => {
  it("is sent as instants of the hospital's local times, summer and winter", () => {
    const draft = { ...blankException("2026-07-01"), toDate: "2026-07-01", note: "  " };
    expect(exceptionBody(draft, ZONE)).toEqual({ kind: "closure", start: "2026-07-01T06:00:00.000Z", end: "2026-07-01T16:00:00.000Z", note: null });
    const winter = { ...blankException("2026-12-16"), kind: "maintenance" as const, note: " Filters " };
    expect(exceptionBody(winter, ZONE)).toMatchObject({ kind: "maintenance", start: "2026-12-16T07:00:00.000Z", note: "Filters" });
  });

  it("is refused before sending when it ends before it starts or lacks a time", () => {
    expect(exceptionProblem(blankException("2026-07-01"), ZONE)).toBeNull();
    expect(exceptionProblem({ ...blankException("2026-07-01"), toTime: "07:00" }, ZONE)).toBe("The end must be after the start.");
    expect(exceptionProblem({ ...blankException("2026-07-01"), fromTime: "" }, ZONE)).toBe("Give the start as a date and a time.");
    expect(exceptionProblem({ ...blankException("2026-07-01"), toDate: "" }, ZONE)).toBe("Give the end as a date and a time.");
  });

  it("lists coming ones first in start order, then past ones latest first", () => {
    const now = Date.parse("2026-06-01T00:00:00Z");
    const items = [
      exception("past-old", "2026-01-01T08:00:00Z", "2026-01-01T10:00:00Z"),
      exception("later", "2026-08-01T08:00:00Z", "2026-08-01T10:00:00Z"),
      exception("past-new", "2026-05-01T08:00:00Z", "2026-05-01T10:00:00Z"),
      exception("soon", "2026-06-02T08:00:00Z", "2026-06-02T10:00:00Z"),
    ];
    expect(orderedExceptions(items, now).map((item) => item.window_id)).toEqual(["soon", "later", "past-new", "past-old"]);
  });
});
