// Staff members as the administration page edits and words them: the form's model (blank, from
// a member, to the API's body), terms typed as text, the working pattern in a line, an absence
// from local dates and times. Plain functions, no I/O.
import type { components } from "@/api/generated/resources";
import { localToInstant } from "@/components/board/boardTime";
import type { FieldLabels } from "./adminForm";
import { humanize, type StaffRole } from "./cases";
import { type Weekday, WEEKDAYS, weekBody, weekFrom, type WeeklyHours, workingWeek } from "./weeklyHours";

export type StaffMember = components["schemas"]["StaffPublic"];
export type StaffSummary = components["schemas"]["StaffSummary"];
export type StaffBody = components["schemas"]["StaffCreate"];
export type AbsenceBody = components["schemas"]["AbsenceCreate"];
export interface StaffForm {
  name: string;
  role: StaffRole | null;
  specialties: string;
  skills: string;
  workingPattern: WeeklyHours;
  /** As typed: empty for no maximum beyond the pattern. */
  maxMinutes: string;
  /** A part day's maximum per weekday, as typed: empty where the daily maximum holds. */
  maxByWeekday: Record<Weekday, string>;
  /** On-call days' maxima by date, kept through an edit as they came (set through the API). */
  maxByDate: Record<string, number>;
  userId: string | null;
  status: "active" | "inactive";
}

export type StaffField = keyof StaffForm;

export const STAFF_FIELD_LABELS: FieldLabels<StaffForm> = {
  name: "Name",
  role: "Role",
  specialties: "Specialties",
  skills: "Skills",
  workingPattern: "Working pattern",
  maxMinutes: "Daily maximum",
  maxByWeekday: "Daily maximum by weekday",
  maxByDate: "Daily maximum on dates",
  userId: "User account",
  status: "Status",
};

/** A full-time week to start from: Monday to Friday, 08:00 to 16:30. */
export const standardWeek = () => workingWeek([{ start: "08:00", end: "16:30" }]);

const noWeekdayMaxima = () => Object.fromEntries(WEEKDAYS.map((day) => [day, ""])) as Record<Weekday, string>;

export function blankStaffForm(): StaffForm {
  return {
    name: "",
    role: null,
    specialties: "",
    skills: "",
    workingPattern: standardWeek(),
    maxMinutes: "",
    maxByWeekday: noWeekdayMaxima(),
    maxByDate: {},
    userId: null,
    status: "active",
  };
}

export function formFromStaff(member: StaffSummary): StaffForm {
  return {
    name: member.name,
    role: member.role,
    specialties: member.specialties.join(", "),
    skills: member.skills.join(", "),
    workingPattern: weekFrom(member.working_pattern),
    maxMinutes: member.max_minutes_per_day === null ? "" : String(member.max_minutes_per_day),
    maxByWeekday: Object.fromEntries(
      WEEKDAYS.map((day) => [day, member.max_minutes_by_weekday[day] === undefined ? "" : String(member.max_minutes_by_weekday[day])]),
    ) as Record<Weekday, string>,
    maxByDate: { ...member.max_minutes_by_date },
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

/** The weekdays given a maximum of their own, each as `maxMinutesOf` sends it. */
function weekdayMaximaOf(typed: Record<Weekday, string>): Partial<Record<Weekday, number>> {
  const found: Partial<Record<Weekday, number>> = {};
  for (const day of WEEKDAYS) {
    const minutes = maxMinutesOf(typed[day] ?? "");
    if (minutes !== null) found[day] = minutes;
  }
  return found;
}

export function bodyFromStaffForm(form: StaffForm): StaffBody {
  return {
    name: form.name.trim(),
    role: form.role as StaffRole,
    specialties: termsFrom(form.specialties),
    skills: termsFrom(form.skills),
    working_pattern: weekBody(form.workingPattern),
    max_minutes_per_day: maxMinutesOf(form.maxMinutes),
    max_minutes_by_weekday: weekdayMaximaOf(form.maxByWeekday),
    max_minutes_by_date: { ...form.maxByDate },
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
    max_minutes_by_weekday: "maxByWeekday",
    max_minutes_by_date: "maxByDate",
    user_id: "userId",
    status: "status",
  };
  return byName[first] ?? "_form";
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
