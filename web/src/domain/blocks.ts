// Blocks of operating room time, as the administration page edits and words them: the form's
// model (blank, from a block, to the API's body, its own checks), the recurrence in words, and
// which dates a block takes place on (to offer an occurrence to release). Plain functions, no I/O.
import type { components } from "@/api/generated/resources";
import type { FieldLabels } from "./adminForm";
import { humanize } from "./cases";
import { addDays, formatDate } from "./dates";
import { WEEKDAY_LABELS, WEEKDAYS as WEEK } from "./weeklyHours";

export type Block = components["schemas"]["BlockPublic"];
export type BlockSummary = components["schemas"]["BlockSummary"];
export type BlockBody = components["schemas"]["BlockCreate"];
export type Recurrence = BlockSummary["recurrence"];
export type Weekday = components["schemas"]["Weekday"];

export const WEEKDAYS: { value: Weekday; label: string; plural: string }[] = WEEK.map((value) => ({
  value,
  label: WEEKDAY_LABELS[value],
  plural: `${WEEKDAY_LABELS[value]}s`,
}));

export interface BlockForm {
  roomId: string | null;
  holder: "surgeon" | "service";
  surgeonId: string | null;
  service: string;
  kind: "weekly" | "date";
  weekdays: Weekday[];
  validFrom: string;
  validTo: string;
  date: string;
  startTime: string;
  endTime: string;
}

export type BlockField = keyof BlockForm;

export const BLOCK_FIELD_LABELS: FieldLabels<BlockForm> = {
  roomId: "Room",
  holder: "Held by",
  surgeonId: "Surgeon",
  service: "Service",
  kind: "Repeats",
  weekdays: "Weekdays",
  validFrom: "Valid from",
  validTo: "Valid until",
  date: "Date",
  startTime: "From",
  endTime: "Until",
};

const TIME = /^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function blankBlockForm(today: string, roomId: string | null = null): BlockForm {
  return {
    roomId,
    holder: "surgeon",
    surgeonId: null,
    service: "",
    kind: "weekly",
    weekdays: [],
    validFrom: today,
    validTo: "",
    date: today,
    startTime: "08:00",
    endTime: "12:00",
  };
}

export function formFromBlock(block: BlockSummary): BlockForm {
  const recurrence = block.recurrence;
  const weekly = recurrence.kind === "weekly" ? recurrence : null;
  return {
    roomId: block.room_id,
    holder: block.surgeon_id ? "surgeon" : "service",
    surgeonId: block.surgeon_id,
    service: block.service ?? "",
    kind: weekly ? "weekly" : "date",
    weekdays: weekly ? [...weekly.weekdays] : [],
    validFrom: weekly ? weekly.valid_from : "",
    validTo: weekly?.valid_to ?? "",
    date: recurrence.kind === "date" ? recurrence.date : "",
    startTime: block.start_time,
    endTime: block.end_time,
  };
}

const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/**
 * What the form can tell before asking the server: what is missing or malformed. Anything
 * else (a retired room, a clash with another block) is the server's to say.
 */
export function blockFormProblems(form: BlockForm): Partial<Record<BlockField, string>> {
  const problems: Partial<Record<BlockField, string>> = {};
  if (!form.roomId) problems.roomId = "Choose a room.";
  if (form.holder === "surgeon" && !form.surgeonId) problems.surgeonId = "Choose a surgeon.";
  if (form.holder === "service" && !form.service.trim()) problems.service = "Name the service.";
  if (form.kind === "weekly") {
    if (form.weekdays.length === 0) problems.weekdays = "Choose at least one weekday.";
    if (!DATE.test(form.validFrom)) problems.validFrom = "Give the first date.";
    if (form.validTo && !DATE.test(form.validTo)) problems.validTo = "Give a date, or leave it empty.";
    else if (form.validTo && form.validTo < form.validFrom) problems.validTo = "The last date comes before the first.";
  } else if (!DATE.test(form.date)) problems.date = "Give the date.";
  if (!TIME.test(form.startTime)) problems.startTime = "A time as HH:MM.";
  if (!TIME.test(form.endTime)) problems.endTime = "A time as HH:MM; 24:00 ends the day.";
  else if (TIME.test(form.startTime) && minutesOf(form.endTime) <= minutesOf(form.startTime)) {
    problems.endTime = "The end comes after the start.";
  }
  return problems;
}

/** The service as the API spells it: "Cardiac surgery" becomes "cardiac_surgery". */
export function serviceTerm(text: string): string {
  return text.trim().toLowerCase().replace(/[\s-]+/g, "_");
}

export function bodyFromBlockForm(form: BlockForm): BlockBody {
  const recurrence: Recurrence =
    form.kind === "weekly"
      ? {
          kind: "weekly",
          // In the week's order, whatever order they were ticked in.
          weekdays: WEEKDAYS.map((day) => day.value).filter((day) => form.weekdays.includes(day)),
          valid_from: form.validFrom,
          valid_to: form.validTo || null,
        }
      : { kind: "date", date: form.date };
  return {
    room_id: form.roomId ?? "",
    surgeon_id: form.holder === "surgeon" ? form.surgeonId : null,
    service: form.holder === "service" ? serviceTerm(form.service) : null,
    recurrence,
    start_time: form.startTime,
    end_time: form.endTime,
  };
}

/**
 * The form field a 422 error's path names. A recurrence's errors may name the variant
 * ("recurrence.weekly.valid_from"): the last name says which field.
 */
export function blockFieldOf(path: string): BlockField | "_form" {
  const names = path.split(".");
  const last = names[names.length - 1] ?? "";
  const byName: Record<string, BlockField> = {
    room_id: "roomId",
    surgeon_id: "surgeonId",
    service: "service",
    start_time: "startTime",
    end_time: "endTime",
    weekdays: "weekdays",
    valid_from: "validFrom",
    valid_to: "validTo",
    date: "date",
    kind: "kind",
  };
  if (names[0] === "recurrence") return byName[last] ?? (last === "recurrence" || last === "weekly" ? "kind" : "_form");
  return byName[names[0] ?? ""] ?? "_form";
}

function listed(words: string[]): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

/** "Mondays and Wednesdays, from Mon 5 Apr 2027 until Wed 30 Jun 2027", or "Once, on Mon 3 May 2027". */
export function recurrenceWords(recurrence: Recurrence): string {
  if (recurrence.kind === "date") return `Once, on ${formatDate(recurrence.date)}`;
  const days = WEEKDAYS.filter((day) => recurrence.weekdays.includes(day.value)).map((day) => day.plural);
  const until = recurrence.valid_to ? ` until ${formatDate(recurrence.valid_to)}` : ", no end date";
  return `${listed(days)}, from ${formatDate(recurrence.valid_from)}${until}`;
}

/** Who holds the block: the surgeon's name, or the service in words. */
export function holderWords(block: Pick<BlockSummary, "surgeon_id" | "service">, surgeonName: (id: string) => string): string {
  if (block.surgeon_id) return surgeonName(block.surgeon_id);
  return block.service ? humanize(block.service) : "Nobody";
}

/** The weekday of a local date (YYYY-MM-DD), calendar arithmetic only. */
export function weekdayOf(date: string): Weekday {
  const [year, month, day] = date.split("-").map(Number);
  const index = new Date(Date.UTC(year ?? 1970, (month ?? 1) - 1, day ?? 1)).getUTCDay();
  return WEEKDAYS[(index + 6) % 7]!.value;
}

/** Whether the block's pattern takes place on a date (released or not). */
export function occursOn(recurrence: Recurrence, date: string): boolean {
  if (recurrence.kind === "date") return recurrence.date === date;
  if (date < recurrence.valid_from) return false;
  if (recurrence.valid_to && date > recurrence.valid_to) return false;
  return recurrence.weekdays.includes(weekdayOf(date));
}

/**
 * The next occurrences on or after `from` that still hold the room (not released), at most
 * `count` of them: what a coordinator may give back.
 */
export function upcomingOccurrences(recurrence: Recurrence, released: string[], from: string, count: number): string[] {
  const given = new Set(released);
  const found: string[] = [];
  if (recurrence.kind === "date") {
    return recurrence.date >= from && !given.has(recurrence.date) && count > 0 ? [recurrence.date] : [];
  }
  let day = from < recurrence.valid_from ? recurrence.valid_from : from;
  // A weekly pattern repeats every 7 days: looking further than count weeks and a few finds nothing new
  // unless dates were released; a year beyond that is plenty for a picker.
  const last = addDays(day, 7 * (count + given.size) + 7);
  while (found.length < count && day <= last && (!recurrence.valid_to || day <= recurrence.valid_to)) {
    if (occursOn(recurrence, day) && !given.has(day)) found.push(day);
    day = addDays(day, 1);
  }
  return found;
}

/** Whether the block is retired, or all its dates are past. */
export function blockState(block: Pick<BlockSummary, "retired_at" | "recurrence">, today: string): "retired" | "ended" | "active" {
  if (block.retired_at) return "retired";
  const recurrence = block.recurrence;
  const lastDate = recurrence.kind === "date" ? recurrence.date : recurrence.valid_to;
  return lastDate && lastDate < today ? "ended" : "active";
}
