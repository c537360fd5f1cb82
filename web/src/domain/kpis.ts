// The KPI sheet as the page shows it: the figures the API answered, in words and rounded the same
// way everywhere (tiles, tables, CSV), with no figure computed here: the page's numbers are the
// API's numbers.
import type { components } from "@/api/generated/scheduling";
import { addDays } from "@/domain/dates";
import { humanize } from "@/domain/cases";

export type KpiSheet = components["schemas"]["KpiSheetPublic"];
export type Kpis = components["schemas"]["Kpis"];
export type Breakdown = "rooms" | "services" | "surgeons" | "weeks";

/** The default range: the last four weeks, today included. */
export function defaultRange(today: string): { from: string; to: string } {
  return { from: addDays(today, -27), to: today };
}

const NONE = "—";

/** A share (0..1) as a percentage with one decimal; null (nothing to compute it from) as a dash. */
export function percent(share: number | null | undefined): string {
  return share === null || share === undefined ? NONE : `${(share * 100).toFixed(1)} %`;
}

/** Minutes with one decimal at most (a mean), whole ones as they are. */
export function minutes(value: number | null | undefined): string {
  if (value === null || value === undefined) return NONE;
  const rounded = Math.round(value * 10) / 10;
  return `${Number.isInteger(rounded) ? rounded.toFixed(0) : rounded.toFixed(1)} min`;
}

/** Signed minutes: a bias of +12.5 min runs longer than booked. */
export function signedMinutes(value: number | null | undefined): string {
  if (value === null || value === undefined) return NONE;
  const text = minutes(value);
  return value > 0 ? `+${text}` : text;
}

export const count = (value: number | null | undefined): string => (value === null || value === undefined ? NONE : String(value));

/** One figure of a scope: its label, how it reads, and the raw value for charts and CSV. */
export interface Figure {
  key: string;
  label: string;
  text: (k: Kpis) => string;
  value: (k: Kpis) => number | null;
}

const f = (key: string, label: string, value: (k: Kpis) => number | null, show: (v: number | null) => string): Figure => ({
  key,
  label,
  value,
  text: (k) => show(value(k)),
});

/** Every figure the page shows, in the order of its tiles, tables and CSV columns. */
export const FIGURES: Figure[] = [
  f("raw_utilization", "Raw utilization", (k) => k.utilization.raw, percent),
  f("adjusted_utilization", "Adjusted utilization", (k) => k.utilization.adjusted, percent),
  f("block_utilization", "Block utilization", (k) => k.block_utilization.utilization, percent),
  f("first_case_on_time", "First-case on-time starts", (k) => k.first_case_starts.share, percent),
  f("turnover_mean", "Mean turnover", (k) => k.turnover.mean_minutes, minutes),
  f("turnover_median", "Median turnover", (k) => k.turnover.median_minutes, minutes),
  f("overtime", "Overtime", (k) => k.over_under_time.overtime_minutes, minutes),
  f("undertime", "Undertime", (k) => k.over_under_time.undertime_minutes ?? null, minutes),
  f("cancellation_rate", "Cancellation rate", (k) => k.cancellations.rate, percent),
  f("same_day_cancellation_rate", "Same-day cancellations", (k) => k.cancellations.same_day_rate, percent),
  f("duration_bias", "Duration bias (actual − booked)", (k) => k.duration_estimates.bias_minutes, signedMinutes),
  f("cases_planned", "Cases planned", (k) => k.cases.planned, count),
  f("cases_done", "Cases done", (k) => k.cases.done, count),
  f("done_share", "Done of planned", (k) => k.cases.done_share, percent),
];

export const figure = (key: string): Figure => FIGURES.find((item) => item.key === key)!;

/** A row of a breakdown: who or when, and their figures. */
export interface BreakdownRow {
  id: string;
  label: string;
  kpis: Kpis;
}

export function breakdownRows(sheet: KpiSheet, by: Breakdown): BreakdownRow[] {
  switch (by) {
    case "rooms":
      return sheet.rooms.map((room) => ({ id: room.room_id, label: `${room.code} ${room.name}`, kpis: room }));
    case "services":
      return sheet.services.map((service) => ({ id: service.service, label: humanize(service.service), kpis: service }));
    case "surgeons":
      return sheet.surgeons.map((surgeon) => ({ id: surgeon.surgeon_id, label: surgeon.name ?? "Unknown surgeon", kpis: surgeon }));
    case "weeks":
      return sheet.weeks.map((week) => ({ id: week.from, label: weekLabel(week.from, week.to), kpis: week }));
  }
}

export const weekLabel = (from: string, to: string): string => (from === to ? from : `${from} – ${to}`);

export const BREAKDOWNS: { value: Breakdown; label: string }[] = [
  { value: "rooms", label: "Room" },
  { value: "services", label: "Specialty" },
  { value: "surgeons", label: "Surgeon" },
  { value: "weeks", label: "Week" },
];

/** A reason code in words. */
export const reasonLabel = (code: string): string => humanize(code);

function csvCell(value: string | number | null): string {
  if (value === null) return "";
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The sheet as CSV, one line per scope (overall, each room, specialty, surgeon and week) and one
 * column per figure, raw values as the API answered them (shares 0..1, minutes).
 */
export function kpiCsv(sheet: KpiSheet): string {
  const header = ["scope", "name", "from", "to", ...FIGURES.map((item) => item.key)];
  const line = (scope: string, name: string, kpis: Kpis, from = sheet.from, to = sheet.to) =>
    [scope, name, from, to, ...FIGURES.map((item) => item.value(kpis))].map(csvCell).join(",");
  const lines = [header.join(","), line("overall", "All", sheet.overall)];
  for (const by of ["rooms", "services", "surgeons"] as const) {
    for (const row of breakdownRows(sheet, by)) lines.push(line(by.slice(0, -1), row.label, row.kpis));
  }
  for (const week of sheet.weeks) lines.push(line("week", weekLabel(week.from, week.to), week, week.from, week.to));
  return `${lines.join("\r\n")}\r\n`;
}

export function csvFileName(sheet: KpiSheet): string {
  return `kpis-${sheet.from}-to-${sheet.to}.csv`;
}
