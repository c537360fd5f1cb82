// Weekly hours: ranges of local wall-clock time per weekday, as a room is open or a staff member
// works (the API's WeeklyHours). Checking ranges as the server will, merging them, and saying
// them in words. Plain functions, no I/O.

export const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const WEEKDAY_LABELS: Record<Weekday, string> = {
  monday: "Monday",
  tuesday: "Tuesday",
  wednesday: "Wednesday",
  thursday: "Thursday",
  friday: "Friday",
  saturday: "Saturday",
  sunday: "Sunday",
};
const SHORT: Record<Weekday, string> = {
  monday: "Mon",
  tuesday: "Tue",
  wednesday: "Wed",
  thursday: "Thu",
  friday: "Fri",
  saturday: "Sat",
  sunday: "Sun",
};

/** Local times HH:MM within one day; "24:00" is the end of the day. */
export interface TimeRange {
  start: string;
  end: string;
}
export type WeeklyHours = Record<Weekday, TimeRange[]>;

/** The most ranges a day may have (the API's limit). */
export const MAX_RANGES_PER_DAY = 24;
export const DAY_MINUTES = 24 * 60;

const CLOCK = /^(?:([01]\d|2[0-3]):([0-5]\d)|24:00)$/;

/** Minutes since midnight of HH:MM ("24:00" is 1440), null when it is no clock time. */
export function minutesOf(clock: string): number | null {
  const text = clock.trim();
  if (text === "24:00") return DAY_MINUTES;
  const match = CLOCK.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

/** HH:MM of minutes since midnight (1440 is "24:00"). */
export function clockOf(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

export function closedWeek(): WeeklyHours {
  return { monday: [], tuesday: [], wednesday: [], thursday: [], friday: [], saturday: [], sunday: [] };
}

/** The same ranges every weekday, Monday to Friday, the weekend closed. */
export function workingWeek(ranges: TimeRange[]): WeeklyHours {
  const week = closedWeek();
  for (const day of WEEKDAYS.slice(0, 5)) week[day] = ranges.map((range) => ({ ...range }));
  return week;
}

/** A week from the API's (or any partial) value: every day present, each range copied. */
export function weekFrom(value: Partial<Record<Weekday, TimeRange[]>> | null | undefined): WeeklyHours {
  const week = closedWeek();
  for (const day of WEEKDAYS) week[day] = (value?.[day] ?? []).map((range) => ({ start: range.start, end: range.end }));
  return week;
}

/** The API's body: times trimmed, each day's ranges in start order. Sent as typed; the server checks. */
export function weekBody(week: WeeklyHours): WeeklyHours {
  const body = closedWeek();
  for (const day of WEEKDAYS) {
    body[day] = week[day]
      .map((range) => ({ start: range.start.trim(), end: range.end.trim() }))
      .sort((a, b) => (minutesOf(a.start) ?? 0) - (minutesOf(b.start) ?? 0));
  }
  return body;
}

/** What is wrong with one day's ranges, in words, with the range each problem is about. */
export interface RangeProblem {
  /** The range's position in the day's list; null for the day as a whole. */
  index: number | null;
  message: string;
}

/**
 * The day's problems as the server sees them: a time that is no HH:MM, an end not after its
 * start, two ranges that overlap (touching is fine: 08:00–12:00 and 12:00–16:00), too many ranges.
 */
export function dayProblems(ranges: TimeRange[]): RangeProblem[] {
  const problems: RangeProblem[] = [];
  if (ranges.length > MAX_RANGES_PER_DAY) problems.push({ index: null, message: `At most ${MAX_RANGES_PER_DAY} ranges a day.` });
  const valid: { index: number; start: number; end: number }[] = [];
  ranges.forEach((range, index) => {
    const start = minutesOf(range.start);
    const end = minutesOf(range.end);
    if (start === null || end === null) {
      const which = [start === null ? "start" : "", end === null ? "end" : ""].filter(Boolean).join(" and ");
      problems.push({ index, message: `Range ${index + 1}: the ${which} must be a time HH:MM (24:00 for midnight).` });
    } else if (end <= start) {
      problems.push({ index, message: `Range ${index + 1}: the end ${range.end.trim()} must be after the start ${range.start.trim()}.` });
    } else {
      valid.push({ index, start, end });
    }
  });
  valid.sort((a, b) => a.start - b.start);
  for (let i = 1; i < valid.length; i += 1) {
    const before = valid[i - 1]!;
    const after = valid[i]!;
    if (after.start < before.end) {
      problems.push({
        index: after.index,
        message: `Ranges ${Math.min(before.index, after.index) + 1} and ${Math.max(before.index, after.index) + 1} overlap (${clockOf(before.start)}–${clockOf(before.end)} and ${clockOf(after.start)}–${clockOf(after.end)}).`,
      });
    }
  }
  return problems;
}

/** Every day's problems; a day without any is left out. */
export function weekProblems(week: WeeklyHours): Partial<Record<Weekday, RangeProblem[]>> {
  const problems: Partial<Record<Weekday, RangeProblem[]>> = {};
  for (const day of WEEKDAYS) {
    const found = dayProblems(week[day]);
    if (found.length > 0) problems[day] = found;
  }
  return problems;
}

export const isValidWeek = (week: WeeklyHours) => Object.keys(weekProblems(week)).length === 0;

/**
 * The day's valid ranges as few as can be: in start order, overlapping or touching ones joined
 * (08:00–12:00 and 11:00–13:00 become 08:00–13:00). Ranges that are not valid are left out.
 */
export function mergeRanges(ranges: TimeRange[]): TimeRange[] {
  const spans = ranges
    .map((range) => ({ start: minutesOf(range.start), end: minutesOf(range.end) }))
    .filter((span): span is { start: number; end: number } => span.start !== null && span.end !== null && span.end > span.start)
    .sort((a, b) => a.start - b.start);
  const merged: { start: number; end: number }[] = [];
  for (const span of spans) {
    const last = merged[merged.length - 1];
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  return merged.map((span) => ({ start: clockOf(span.start), end: clockOf(span.end) }));
}

/** The minutes the day's valid ranges cover, each minute once. */
export function openMinutes(ranges: TimeRange[]): number {
  return mergeRanges(ranges).reduce((total, range) => total + minutesOf(range.end)! - minutesOf(range.start)!, 0);
}

/** One day in words: "08:00–12:00, 13:00–17:00", or "closed". */
export function daySummary(ranges: TimeRange[]): string {
  const merged = mergeRanges(ranges);
  return merged.length === 0 ? "closed" : merged.map((range) => `${range.start}–${range.end}`).join(", ");
}

/**
 * The week in words, days with the same hours side by side joined:
 * "Mon–Fri 08:00–16:00; Sat–Sun closed", or "Closed all week".
 */
export function weekSummary(week: WeeklyHours): string {
  const days = WEEKDAYS.map((day) => ({ day, text: daySummary(week[day]) }));
  if (days.every((entry) => entry.text === "closed")) return "Closed all week";
  const groups: { first: Weekday; last: Weekday; text: string }[] = [];
  for (const entry of days) {
    const last = groups[groups.length - 1];
    if (last && last.text === entry.text) last.last = entry.day;
    else groups.push({ first: entry.day, last: entry.day, text: entry.text });
  }
  return groups
    .map((group) => `${group.first === group.last ? SHORT[group.first] : `${SHORT[group.first]}–${SHORT[group.last]}`} ${group.text}`)
    .join("; ");
}

/** Hours a week in words: "40 h a week", "37.5 h a week". */
export function weeklyTotal(week: WeeklyHours): string {
  const minutes = WEEKDAYS.reduce((total, day) => total + openMinutes(week[day]), 0);
  const hours = Math.round((minutes / 60) * 10) / 10;
  return `${Number.isInteger(hours) ? hours.toFixed(0) : hours.toFixed(1)} h a week`;
}

/** The week with `from`'s ranges copied to each of `to`. */
export function copyDay(week: WeeklyHours, from: Weekday, to: readonly Weekday[]): WeeklyHours {
  const next = weekFrom(week);
  for (const day of to) if (day !== from) next[day] = week[from].map((range) => ({ ...range }));
  return next;
}

/**
 * The range to add to a day: the hour after its latest end (the last hour before midnight at
 * most), or 08:00–16:00 on a closed day.
 */
export function nextRange(ranges: TimeRange[]): TimeRange {
  const ends = ranges.map((range) => minutesOf(range.end)).filter((end): end is number => end !== null);
  if (ends.length === 0) return { start: "08:00", end: "16:00" };
  const start = Math.min(Math.max(...ends), DAY_MINUTES - 60);
  return { start: clockOf(start), end: clockOf(Math.min(start + 60, DAY_MINUTES)) };
}
