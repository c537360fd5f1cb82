// Staff members as the administration page edits and words them: the form's model (blank, from
// a member, to the API's body), terms typed as text, the working pattern in a line, an absence
// from local dates and times. Plain functions, no I/O.
import type { components } from "@/api/generated/resources";
import { localToInstant } from "@/components/board/boardTime";
import { humanize, type StaffRole } from "./cases";

export type StaffMember = components["schemas"]["StaffPublic"];
export type StaffSummary = components["schemas"]["StaffSummary"];
export type StaffBody = components["schemas"]["StaffCreate"];
export type WeeklyHours = components["schemas"]["WeeklyHours"];
export type AbsenceBody = components["schemas"]["AbsenceCreate"];
export type Day = keyof WeeklyHours;

export const DAYS: { value: Day; label: string; short: string }[] = [
  { value: "monday", label: "Monday", short: "Mon" },
  { value: "tuesday", label: "Tuesday", short: "Tue" },
  { value: "wednesday", label: "Wednesday", short: "Wed" },
  { value: "thursday", label: "Thursday", short: "Thu" },
  { value: "friday", label: "Friday", short: "Fri" },
  { value: "saturday", label: "Saturday", short: "Sat" },
  { value: "sunday", label: "Sunday", short: "Sun" },
];

export interface StaffForm {
  name: string;
  role: StaffRole | null;
  specialties: string;
  skills: string;
  workingPattern: WeeklyHours;
  /** As typed: empty for no maximum beyond the pattern. */
  maxMinutes: string;
  userId: string | null;
  status: "active" | "inactive";
}

export type StaffField = keyof StaffForm;

export const STAFF_FIELD_LABELS: Record<StaffField, string> = {
  name: "Name",
  role: "Role",
  specialties: "Specialties",
  skills: "Skills",
  workingPattern: "Working pattern",
  maxMinutes: "Daily maximum",
  userId: "User account",
  status: "Status",
};

/** A full-time week to start from: Monday to Friday, 08:00 to 16:30. */
export function standardWeek(): WeeklyHours {
  const day = () => [{ start: "08:00", end: "16:30" }];
  return { monday: day(), tuesday: day(), wednesday: day(), thursday: day(), friday: day(), saturday: [], sunday: [] };
}

export function blankStaffForm(): StaffForm {
  return { name: "", role: null, specialties: "", skills: "", workingPattern: standardWeek(), maxMinutes: "", userId: null, status: "active" };
}

/** Every weekday present, in the week's order, each range copied (the form may change them). */
export function fullWeek(pattern: Partial<WeeklyHours>): WeeklyHours {
  const week = {} as WeeklyHours;
  for (const { value } of DAYS) week[value] = (pattern[value] ?? []).map((range) => ({ ...range }));
  return week;
}

export function formFromStaff(member: StaffSummary): StaffForm {
  return {
    name: member.name,
    role: member.role,
    specialties: member.specialties.join(", "),
    skills: member.skills.join(", "),
    workingPattern: fullWeek(member.working_pattern),
    maxMinutes: member.max_minutes_per_day === null ? "" : String(member.max_minutes_per_day),
    userId: member.user_id,
    status: member.status,
  };
}

/** Terms typed as a list ("Robotic console, ECMO") as the API spells them, once each. */
export function termsFrom(text: string): string[] {
  const terms = text
    .split(/[,;\n]/)
    .map((term) => term.trim().toLowerCase().replace(/[\s-]+/g, "_"))
    .filter((term) => term !== "");
  return [...new Set(terms)];
}

/**
 * The daily maximum as sent: empty is none; a whole number goes as a number, whatever its size
 * (the server says what range it takes); anything else goes as typed, for the server to refuse
 * on the field rather than the form guessing.
 */
function maxMinutesOf(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  return /^-?\d+$/.test(trimmed) ? Number(trimmed) : (trimmed as unknown as number);
}

export function bodyFromStaffForm(form: StaffForm): StaffBody {
  const pattern = fullWeek(form.workingPattern);
  return {
    name: form.name.trim(),
    role: form.role as StaffRole,
    specialties: termsFrom(form.specialties),
    skills: termsFrom(form.skills),
    working_pattern: pattern,
    max_minutes_per_day: maxMinutesOf(form.maxMinutes),
    user_id: form.userId || null,
    status: form.status,
  };
}

/** The form field a 422 error's path names ("working_pattern.monday.0.end" is the pattern). */
export function staffFieldOf(path: string): StaffField | "_form" {
  const first = path.split(".")[0] ?? "";
  const byName: Record<string, StaffField> = {
    name: "name",
    role: "role",
    specialties: "specialties",
    skills: "skills",
    working_pattern: "workingPattern",
    max_minutes_per_day: "maxMinutes",
    user_id: "userId",
    status: "status",
  };
  return byName[first] ?? "_form";
}

/** The fields two versions of the form differ in: what a stale edit's explanation names. */
export function changedStaffFields(before: StaffForm, after: StaffForm): StaffField[] {
  const same = (field: StaffField) =>
    field === "workingPattern"
      ? JSON.stringify(fullWeek(before.workingPattern)) === JSON.stringify(fullWeek(after.workingPattern))
      : JSON.stringify(before[field]) === JSON.stringify(after[field]);
  return (Object.keys(STAFF_FIELD_LABELS) as StaffField[]).filter((field) => !same(field));
}

const rangesWords = (ranges: { start: string; end: string }[]) => ranges.map((r) => `${r.start}–${r.end}`).join(", ");

/**
 * The working pattern in a line: days with the same hours run together ("Mon–Fri 08:00–16:30;
 * Sat 08:00–12:00"), "No working hours" for an empty week.
 */
export function patternWords(pattern: Partial<WeeklyHours>): string {
  const week = fullWeek(pattern);
  const groups: { from: number; to: number; hours: string }[] = [];
  DAYS.forEach(({ value }, index) => {
    const hours = rangesWords(week[value]);
    const last = groups[groups.length - 1];
    if (hours === "") return;
    if (last && last.hours === hours && last.to === index - 1) last.to = index;
    else groups.push({ from: index, to: index, hours });
  });
  if (groups.length === 0) return "No working hours";
  return groups
    .map(({ from, to, hours }) => {
      const days = from === to ? DAYS[from]!.short : `${DAYS[from]!.short}${to === from + 1 ? ", " : "–"}${DAYS[to]!.short}`;
      return `${days} ${hours}`;
    })
    .join("; ");
}

export function staffStateWords(member: Pick<StaffSummary, "retired_at" | "status">): string {
  if (member.retired_at) return "Retired";
  return member.status === "active" ? "Active" : "Inactive";
}

export const termsWords = (terms: string[]) => (terms.length === 0 ? "—" : terms.map(humanize).join(", "));

export interface AbsenceInput {
  startDate: string;
  startTime: string;
  endDate: string;
  endTime: string;
}

/**
 * An absence typed in local dates and times as the API's body (UTC instants), or what is wrong
 * with it. The end is exclusive: away from 1 March 00:00 to 3 March 00:00 is two whole days.
 */
export function absenceBody(input: AbsenceInput, timeZone: string): { body: AbsenceBody } | { problem: string } {
  const date = /^\d{4}-\d{2}-\d{2}$/;
  const time = /^(?:[01]\d|2[0-3]):[0-5]\d$/;
  if (!date.test(input.startDate) || !date.test(input.endDate)) return { problem: "Give the first and the last date." };
  if (!time.test(input.startTime) || !time.test(input.endTime)) return { problem: "Give the times as HH:MM." };
  const start = localToInstant(input.startDate, input.startTime, timeZone);
  const end = localToInstant(input.endDate, input.endTime, timeZone);
  if (end <= start) return { problem: "The absence ends after it starts." };
  return { body: { start: new Date(start).toISOString(), end: new Date(end).toISOString() } };
}
