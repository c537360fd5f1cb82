// An optimization's proposal in a coordinator's words: what each kind of change means, why a
// case was left out, which cases stand out as mandatory, the figures of the current plan and of
// the proposed one side by side, and what a refused apply (409) says case by case. No I/O.
import type { components } from "@/api/generated/scheduling";

export type Optimization = components["schemas"]["OptimizationPublic"];
export type CaseChange = components["schemas"]["CaseChangePublic"];
export type Placement = components["schemas"]["PlacementPublic"];
export type PlanKpis = components["schemas"]["PlanKpis"];
export type SolverReport = components["schemas"]["SolverReport"];
export type ChangeKind = CaseChange["change"];
export type Weights = components["schemas"]["ObjectiveWeights"];

/** The order a coordinator reads a proposal in: what applying it changes first. */
export const CHANGE_KINDS: ChangeKind[] = ["moved", "added", "unchanged", "unscheduled", "unbooked"];

export const CHANGE_WORDS: Record<ChangeKind, { label: string; meaning: string }> = {
  moved: { label: "Moved", meaning: "Booked now; the plan places it elsewhere." },
  added: { label: "Added", meaning: "Waiting now; the plan books it." },
  unchanged: { label: "Unchanged", meaning: "Booked now; the plan keeps it exactly there." },
  unscheduled: { label: "Unscheduled", meaning: "Waiting now; the plan leaves it waiting." },
  unbooked: { label: "Unbooked", meaning: "Booked now; the plan leaves it out, and applying keeps its booking." },
};

const REASONS: Record<string, string> = {
  no_capable_room: "No chosen room has every capability it needs.",
  no_equipment: "No unit of the equipment it needs is free when a room could take it.",
  no_staff: "Not enough people of the roles it needs work when a room could take it.",
  no_capacity: "The rooms' open time in the horizon is full with more pressing cases.",
  outside_horizon: "It cannot be done within the horizon (its earliest date is later, or its surgeon does not work then).",
  not_in_block: "No block of its surgeon or service has time for it, and blocks are respected.",
  time_limit: "The solver ran out of time before it could place it.",
};

/** Why the plan leaves a case out, in words; an unknown code is said plainly, never dropped. */
export function reasonWords(reason: string | null | undefined, detail?: string | null): string {
  const said = reason ? (REASONS[reason] ?? `Left out (${reason.replace(/_/g, " ")}).`) : "The plan leaves it out.";
  return detail ? `${said} ${detail}` : said;
}

/** What the board and the lists know about a case beyond the diff. */
export interface CaseInfo {
  name: string;
  mrn: string;
  priority: "emergency" | "urgent" | "elective";
  dueDate: string | null;
  /** The first date it may be done: its earliest date, else the day it was requested. */
  waitingSince: string | null;
  setupMinutes: number;
  cleanupMinutes: number;
}

/** Emergency, urgent, or past its due date on the horizon's first day. */
export function isMandatory(info: CaseInfo | undefined, firstDay: string): boolean {
  if (!info) return false;
  return info.priority !== "elective" || (info.dueDate !== null && info.dueDate < firstDay);
}

export interface ChangeFilter {
  kinds: ReadonlySet<ChangeKind>;
  /** Part of the procedure name or MRN, any case. */
  text: string;
  mandatoryOnly: boolean;
}

export function filterChanges(
  cases: readonly CaseChange[],
  filter: ChangeFilter,
  infoOf: (id: string) => CaseInfo | undefined,
  firstDay: string,
): CaseChange[] {
  const text = filter.text.trim().toLowerCase();
  return cases.filter((entry) => {
    if (!filter.kinds.has(entry.change)) return false;
    const info = infoOf(entry.surgery_id);
    if (filter.mandatoryOnly && !isMandatory(info, firstDay)) return false;
    if (!text) return true;
    return `${info?.name ?? ""} ${info?.mrn ?? ""}`.toLowerCase().includes(text);
  });
}

/** The cases the plan leaves out that may not wait: every one is listed with its reason. */
export function leftOutMandatory(cases: readonly CaseChange[], infoOf: (id: string) => CaseInfo | undefined, firstDay: string): CaseChange[] {
  return cases.filter(
    (entry) => (entry.change === "unscheduled" || entry.change === "unbooked") && isMandatory(infoOf(entry.surgery_id), firstDay),
  );
}

export function countByKind(cases: readonly CaseChange[]): Record<ChangeKind, number> {
  const counts = { moved: 0, added: 0, unchanged: 0, unscheduled: 0, unbooked: 0 };
  for (const entry of cases) counts[entry.change] += 1;
  return counts;
}

// --- figures of a plan ----------------------------------------------------------------------

export interface OpenWindow {
  roomId: string;
  start: number;
  end: number;
}

export interface PlanFigures {
  scheduledCases: number;
  /** Occupied minutes (setup, surgery, cleanup) inside open time over all open minutes. */
  utilization: number;
  overtimeMinutes: number;
  /** Mean days the plan's cases wait from their first possible date to their surgery, or to the day after the horizon when left out. */
  meanWaitingDays: number | null;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

function overlap(windows: readonly OpenWindow[], roomId: string, start: number, end: number): number {
  let inside = 0;
  for (const w of windows) {
    if (w.roomId === roomId) inside += Math.max(0, Math.min(w.end, end) - Math.max(w.start, start));
  }
  return inside;
}

const dayNumber = (date: string) => Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY);

/**
 * The figures of one side of the proposal (`current` or `proposed` placements), the way the
 * optimizer scores a plan: occupied time inside the rooms' open windows over all open minutes,
 * the rest as overtime. `dateOf` gives a placement's local date.
 */
export function planFigures(
  cases: readonly CaseChange[],
  side: "current" | "proposed",
  open: readonly OpenWindow[],
  infoOf: (id: string) => CaseInfo | undefined,
  dateOf: (iso: string) => string,
  dayAfterHorizon: string,
): PlanFigures {
  const openMinutes = open.reduce((sum, w) => sum + Math.max(0, w.end - w.start), 0) / MINUTE;
  let occupied = 0;
  let overtime = 0;
  let scheduled = 0;
  let waited = 0;
  let counted = 0;
  for (const entry of cases) {
    const at = entry[side];
    const info = infoOf(entry.surgery_id);
    if (at) {
      scheduled += 1;
      const start = Date.parse(at.start) - (info?.setupMinutes ?? 0) * MINUTE;
      const end = Date.parse(at.end) + (info?.cleanupMinutes ?? 0) * MINUTE;
      const inside = overlap(open, at.room_id, start, end);
      occupied += inside / MINUTE;
      overtime += (end - start - inside) / MINUTE;
    }
    if (info?.waitingSince) {
      const until = at ? dateOf(at.start) : dayAfterHorizon;
      waited += Math.max(0, dayNumber(until) - dayNumber(info.waitingSince));
      counted += 1;
    }
  }
  return {
    scheduledCases: scheduled,
    utilization: openMinutes > 0 ? occupied / openMinutes : 0,
    overtimeMinutes: Math.round(overtime),
    meanWaitingDays: counted > 0 ? waited / counted : null,
  };
}

export interface FigureRow {
  label: string;
  current: string;
  proposed: string;
  /** The change in words, with its direction, so colour is never the only signal. */
  change: string;
}

const percent = (share: number) => `${(share * 100).toFixed(1)} %`;

function signed(value: number, unit: string, digits = 0): string {
  if (Math.abs(value) < 10 ** -digits / 2) return "no change";
  return `${value > 0 ? "+" : "−"}${Math.abs(value).toFixed(digits)}${unit}`;
}

/** The current plan's figures beside the proposal's, one row each. */
export function figureRows(current: PlanFigures, proposed: PlanFigures): FigureRow[] {
  const waiting = (figures: PlanFigures) => (figures.meanWaitingDays === null ? "—" : figures.meanWaitingDays.toFixed(1));
  const waitChange =
    current.meanWaitingDays === null || proposed.meanWaitingDays === null ? "—" : signed(proposed.meanWaitingDays - current.meanWaitingDays, " days", 1);
  return [
    {
      label: "Utilization",
      current: percent(current.utilization),
      proposed: percent(proposed.utilization),
      change: signed((proposed.utilization - current.utilization) * 100, " points", 1),
    },
    {
      label: "Cases scheduled",
      current: String(current.scheduledCases),
      proposed: String(proposed.scheduledCases),
      change: signed(proposed.scheduledCases - current.scheduledCases, ""),
    },
    {
      label: "Overtime",
      current: `${current.overtimeMinutes} min`,
      proposed: `${proposed.overtimeMinutes} min`,
      change: signed(proposed.overtimeMinutes - current.overtimeMinutes, " min"),
    },
    { label: "Mean waiting days", current: waiting(current), proposed: waiting(proposed), change: waitChange },
  ];
}

/** The solver's report in a sentence: proved optimal, or how far from its bound it may be. */
export function solverWords(solver: SolverReport): string {
  const time = `${solver.wall_time_seconds.toFixed(1)} s`;
  if (solver.status === "optimal") return `Proved optimal in ${time}.`;
  return `Best plan found in ${time}; it may be up to ${(solver.gap * 100).toFixed(1)} % worse than the best possible (objective ${solver.objective}, bound ${solver.best_bound}).`;
}

// --- asking ---------------------------------------------------------------------------------

export type Preset = "fill_rooms" | "keep_stable" | "shortest_waits";

export const DEFAULT_WEIGHTS: Weights = {
  unscheduled_elective: 100,
  unscheduled_urgent: 1_000,
  unscheduled_emergency: 10_000,
  late_day: 10,
  idle_minute: 0,
  overtime_minute: 5,
  moved_case: 50,
  off_block_case: 20,
  waiting_day_elective: 1,
  waiting_day_urgent: 20,
  waiting_day_emergency: 200,
  room_day: 60,
  surgeon_extra_room: 30,
};

export const PRESETS: Record<Preset, { label: string; meaning: string; weights: Weights }> = {
  fill_rooms: {
    label: "Fill rooms",
    meaning: "Book as many cases as the rooms hold, using the open time of the rooms it opens.",
    weights: { ...DEFAULT_WEIGHTS, unscheduled_elective: 300, idle_minute: 1, room_day: 30 },
  },
  keep_stable: {
    label: "Keep the plan stable",
    meaning: "Move booked cases only when it gains a lot.",
    weights: { ...DEFAULT_WEIGHTS, moved_case: 1_000 },
  },
  shortest_waits: {
    label: "Shortest waits",
    meaning: "Do the longest-waiting and most urgent cases first.",
    weights: { ...DEFAULT_WEIGHTS, waiting_day_elective: 10, waiting_day_urgent: 100, waiting_day_emergency: 1_000, late_day: 50 },
  },
};

export const WEIGHT_WORDS: Record<keyof Weights, string> = {
  unscheduled_elective: "Each elective case left out",
  unscheduled_urgent: "Each urgent case left out",
  unscheduled_emergency: "Each emergency case left out",
  late_day: "Each day a case starts after its due date",
  idle_minute: "Each open minute left idle in a used room-day",
  overtime_minute: "Each minute outside open hours",
  moved_case: "Each booked case moved",
  off_block_case: "Each case outside its block (blocks not respected)",
  waiting_day_elective: "Each day an elective case waits",
  waiting_day_urgent: "Each day an urgent case waits",
  waiting_day_emergency: "Each day an emergency case waits",
  room_day: "Each room opened on a day",
  surgeon_extra_room: "Each extra room a surgeon works in on a day",
};

/** The working days (Monday to Friday) of the week after `today`'s. */
export function nextWorkingWeek(today: string): { start: string; end: string } {
  const day = dayNumber(today);
  const weekday = (day + 3) % 7; // 1970-01-01 was a Thursday: 0 = Monday
  const monday = day - weekday + 7;
  const iso = (n: number) => new Date(n * DAY).toISOString().slice(0, 10);
  return { start: iso(monday), end: iso(monday + 4) };
}

/** Whether a horizon may be asked for: 1 to 31 days, starting today or later. */
export function horizonProblem(start: string, end: string, today: string): string | null {
  if (!start || !end) return "Choose the first and the last day.";
  if (start < today) return "The horizon starts today or later.";
  if (end < start) return "The last day is before the first.";
  if (dayNumber(end) - dayNumber(start) + 1 > 31) return "A horizon spans at most 31 days.";
  return null;
}

// --- a refused apply ------------------------------------------------------------------------

export interface Refusal {
  title: string;
  /** One line per case, in words. */
  lines: string[];
}

/**
 * A 409 on apply, case by case: the cases that changed since the request, the locked cases the
 * plan would move, or the booking rules that now refuse a placement (`conflictLine` says those).
 */
export function refusalOf(
  problem: { title?: string | null; detail?: string | null; [key: string]: unknown },
  caseName: (id: string) => string,
  conflictLine: (conflict: Record<string, unknown>) => string,
): Refusal {
  const ids = (key: string) => (Array.isArray(problem[key]) ? (problem[key] as string[]) : []);
  const stale = ids("stale_case_ids");
  if (stale.length) {
    return {
      title: "The plan is out of date: these cases changed after it was requested.",
      lines: stale.map((id) => `${caseName(id)} changed (booked, moved, corrected or cancelled by someone) since the request.`),
    };
  }
  const locked = ids("locked_case_ids");
  if (locked.length) {
    return {
      title: "The plan does not keep these locked cases where they are booked.",
      lines: locked.map((id) => `${caseName(id)} is locked but would move or be left out.`),
    };
  }
  const conflicts = Array.isArray(problem.conflicts) ? (problem.conflicts as Record<string, unknown>[]) : [];
  const inTheWay = ids("unbooked_in_the_way").map((id) => `${caseName(id)} is left out by the plan but keeps its booking, and is in the way.`);
  return {
    title: conflicts.length ? "A booking rule now refuses part of the plan." : (problem.title ?? "The plan could not be applied."),
    lines: [...conflicts.map(conflictLine), ...inTheWay, ...(conflicts.length || inTheWay.length ? [] : [problem.detail ?? ""])].filter(Boolean),
  };
}

// --- dates, with one formatter per time zone ------------------------------------------------
// A proposal has hundreds of cases: building an Intl formatter per date said costs more than
// drawing the review, so each kind is built once per time zone.

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let found = formatters.get(key);
  if (!found) {
    found = make();
    formatters.set(key, found);
  }
  return found;
}

/** The local date (YYYY-MM-DD) of an ISO instant in `timeZone`. */
export function localDayOf(iso: string, timeZone: string): string {
  // en-CA writes dates as YYYY-MM-DD.
  return formatter(`day ${timeZone}`, () => new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" })).format(
    new Date(iso),
  );
}

/** An ISO instant as "Mon, 7 Dec 2026, 09:30" in `timeZone`. */
export function dateTimeWords(iso: string, timeZone: string): string {
  return formatter(
    `datetime ${timeZone}`,
    () => new Intl.DateTimeFormat("en-GB", { timeZone, weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" }),
  ).format(new Date(iso));
}
