// A dated span typed as local dates and times in the hospital's time zone (a room's exception,
// a unit's maintenance, an absence), checked and turned into the API's instants. No I/O.
import { localToInstant } from "@/components/board/boardTime";

export interface LocalWindowDraft {
  fromDate: string;
  fromTime: string;
  toDate: string;
  toTime: string;
  note: string;
}

/** The API's span: instants in UTC, the note trimmed or left out. */
export interface WindowBody {
  start: string;
  end: string;
  note: string | null;
}

/** A draft for one day, 08:00-18:00. */
export function blankWindow(today: string): LocalWindowDraft {
  return { fromDate: today, fromTime: "08:00", toDate: today, toTime: "18:00", note: "" };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

export function windowBody(draft: LocalWindowDraft, timeZone: string): WindowBody {
  const instant = (date: string, time: string) => new Date(localToInstant(date, time, timeZone)).toISOString();
  return { start: instant(draft.fromDate, draft.fromTime), end: instant(draft.toDate, draft.toTime), note: draft.note.trim() || null };
}

/** What keeps the draft from being sent, in words; null when it can be. */
export function windowProblem(draft: LocalWindowDraft, timeZone: string): string | null {
  if (!DATE.test(draft.fromDate) || !TIME.test(draft.fromTime)) return "Give the start as a date and a time.";
  if (!DATE.test(draft.toDate) || !TIME.test(draft.toTime)) return "Give the end as a date and a time.";
  const body = windowBody(draft, timeZone);
  return Date.parse(body.end) > Date.parse(body.start) ? null : "The end must be after the start.";
}

/** Spans not over yet first, in start order, then the past ones latest first. */
export function comingFirst<Span extends { start: string; end: string }>(items: Span[], now: number): Span[] {
  const upcoming = items.filter((item) => Date.parse(item.end) > now).sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  const past = items.filter((item) => Date.parse(item.end) <= now).sort((a, b) => Date.parse(b.start) - Date.parse(a.start));
  return [...upcoming, ...past];
}
