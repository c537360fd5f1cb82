// The board's time axis in the hospital's time zone. Instants are UTC milliseconds; a day is
// from its local midnight to the next one, so a day when the clocks go forward has 23 hours and
// one when they go back has 25. Positions on the axis are proportional to real time.
import { addDays } from "@/domain/dates";

const partsFormat = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let format = partsFormat.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    partsFormat.set(timeZone, format);
  }
  return format;
}

/** The zone's offset from UTC at an instant, in minutes (Amsterdam in summer: 120). */
export function offsetMinutes(instant: number, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value ?? 0);
  const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return Math.round((wall - Math.floor(instant / 1000) * 1000) / 60_000);
}

/**
 * The instant a local wall-clock time (date YYYY-MM-DD, time HH:MM) names. A time skipped when
 * the clocks go forward is read with the offset before the change (02:30 becomes 03:30); a time
 * that happens twice when they go back is its first occurrence.
 */
export function localToInstant(date: string, time: string, timeZone: string): number {
  const [year, month, day] = date.split("-").map(Number);
  const [hour, minute] = time.split(":").map(Number);
  const wall = Date.UTC(year ?? 1970, (month ?? 1) - 1, day ?? 1, hour ?? 0, minute ?? 0);
  const before = offsetMinutes(wall - 36 * 3_600_000, timeZone);
  const candidates = [wall - before * 60_000, wall - offsetMinutes(wall, timeZone) * 60_000];
  const exact = candidates.filter((instant) => instant + offsetMinutes(instant, timeZone) * 60_000 === wall);
  return exact.length > 0 ? Math.min(...exact) : (candidates[0] as number);
}

/** The local wall-clock time of an instant as HH:MM. */
export function localTime(instant: number, timeZone: string): string {
  const parts = formatterFor(timeZone).formatToParts(new Date(instant));
  const get = (type: string) => parts.find((part) => part.type === type)?.value ?? "00";
  return `${get("hour")}:${get("minute")}`;
}

export interface DayAxis {
  date: string;
  timeZone: string;
  /** Local midnight of the date and of the next one, UTC milliseconds. */
  start: number;
  end: number;
  /** 23, 24 or 25. */
  hours: number;
  /** One tick a real hour from local midnight, labelled with the local time it is then. */
  ticks: { at: number; label: string; percent: number }[];
}

export function dayAxis(date: string, timeZone: string): DayAxis {
  const start = localToInstant(date, "00:00", timeZone);
  const end = localToInstant(addDays(date, 1), "00:00", timeZone);
  const hours = Math.round((end - start) / 3_600_000);
  const ticks = Array.from({ length: hours }, (_, hour) => {
    const at = start + hour * 3_600_000;
    return { at, label: localTime(at, timeZone), percent: ((at - start) / (end - start)) * 100 };
  });
  return { date, timeZone, start, end, hours, ticks };
}

/** Where an instant falls on the axis, 0-100, clamped to the day. */
export function percentOf(axis: DayAxis, instant: number): number {
  const share = (instant - axis.start) / (axis.end - axis.start);
  return Math.min(100, Math.max(0, share * 100));
}

export const SNAP_MINUTES = 15;

/** The instant at a share (0-1) of the axis, on the quarter hour from local midnight. */
export function instantAt(axis: DayAxis, share: number, snapMinutes: number = SNAP_MINUTES): number {
  const step = snapMinutes * 60_000;
  const raw = axis.start + Math.min(1, Math.max(0, share)) * (axis.end - axis.start);
  return Math.min(axis.end - step, axis.start + Math.round((raw - axis.start) / step) * step);
}

/** ISO 8601 in UTC ("…Z"): the offset the API asks every start to carry. */
export function isoOf(instant: number): string {
  return new Date(instant).toISOString();
}
