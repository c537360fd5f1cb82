// The KPI charts as ECharts options and, for each, the table that says the same in words (for
// screen readers and for anyone who prefers numbers). Plain data in, plain options out; the
// values are the API's, shares drawn as percentages.
import type { EChartsOption } from "echarts";
import { type BreakdownRow, type KpiSheet, count, percent, reasonLabel, weekLabel } from "@/domain/kpis";

export interface ChartTable {
  columns: string[];
  rows: { id: string; cells: string[] }[];
}

export interface KpiChartSpec {
  id: string;
  title: string;
  option: EChartsOption;
  table: ChartTable;
  /** Drawing height in pixels: a bar per row needs room. */
  height: number;
}

const asPercent = (share: number | null | undefined) => (share === null || share === undefined ? null : Math.round(share * 1000) / 10);
const BAR_HEIGHT = 22;
const heightFor = (bars: number) => Math.max(220, bars * BAR_HEIGHT + 90);
// Colours distinguishable with the common colour-vision deficiencies (Okabe–Ito); every series
// is also named in the legend and the table, so colour is never the only signal.
const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"];
const base: EChartsOption = {
  animation: false,
  color: PALETTE,
  // Tooltips drawn on the canvas: ECharts' HTML tooltips write style attributes through
  // innerHTML, which the gateway's CSP (no 'unsafe-inline' styles) refuses.
  tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText" },
  legend: { top: 0 },
  grid: { left: 8, right: 24, top: 36, bottom: 28, containLabel: true },
};

/** At most this many bars per chart: more cannot be read (the breakdown's table lists all). */
export const CHART_ROWS = 25;

/**
 * The rows a breakdown chart draws: all of them, or the `CHART_ROWS` with the most cases planned
 * (in their own order), with a title that says so.
 */
export function chartRows(rows: BreakdownRow[], title: string): { rows: BreakdownRow[]; title: string } {
  if (rows.length <= CHART_ROWS) return { rows, title };
  const busiest = new Set(
    rows
      .map((row, index) => ({ row, index }))
      .sort((a, b) => b.row.kpis.cases.planned - a.row.kpis.cases.planned || a.index - b.index)
      .slice(0, CHART_ROWS)
      .map((entry) => entry.row),
  );
  return { rows: rows.filter((row) => busiest.has(row)), title: `${title}: the ${CHART_ROWS} with the most cases of ${rows.length}` };
}

/** Raw and adjusted utilization per row of a breakdown, horizontal bars in percent. */
export function utilizationChart(all: BreakdownRow[], by: string): KpiChartSpec {
  const { rows, title } = chartRows(all, `Utilization by ${by}`);
  const labels = rows.map((row) => row.label);
  return {
    id: "utilization",
    title,
    height: heightFor(rows.length),
    option: {
      ...base,
      xAxis: { type: "value", name: "%", nameLocation: "middle", nameGap: 24, max: (extent: { max: number }) => Math.max(100, Math.ceil(extent.max)) },
      yAxis: { type: "category", data: labels, inverse: true },
      series: [
        { name: "Raw", type: "bar", data: rows.map((row) => asPercent(row.kpis.utilization.raw)) },
        { name: "Adjusted", type: "bar", data: rows.map((row) => asPercent(row.kpis.utilization.adjusted)) },
        { name: "Block", type: "bar", data: rows.map((row) => asPercent(row.kpis.block_utilization.utilization)) },
      ],
    },
    table: {
      columns: [by, "Raw utilization", "Adjusted utilization", "Block utilization"],
      rows: rows.map((row) => ({
        id: row.id,
        cells: [row.label, percent(row.kpis.utilization.raw), percent(row.kpis.utilization.adjusted), percent(row.kpis.block_utilization.utilization)],
      })),
    },
  };
}

/** Cases done, given up, pending and unrecorded per row: done against planned. */
export function casesChart(all: BreakdownRow[], by: string): KpiChartSpec {
  const { rows, title } = chartRows(all, `Cases done against planned by ${by}`);
  const parts = [
    { name: "Done", pick: (row: BreakdownRow) => row.kpis.cases.done },
    { name: "Pending", pick: (row: BreakdownRow) => row.kpis.cases.pending },
    { name: "Given up", pick: (row: BreakdownRow) => row.kpis.cases.given_up },
    { name: "Unrecorded", pick: (row: BreakdownRow) => row.kpis.cases.unrecorded },
  ];
  return {
    id: "cases",
    title,
    height: heightFor(rows.length),
    option: {
      ...base,
      xAxis: { type: "value", name: "cases", nameLocation: "middle", nameGap: 24, minInterval: 1 },
      yAxis: { type: "category", data: rows.map((row) => row.label), inverse: true },
      series: parts.map((part) => ({ name: part.name, type: "bar", stack: "cases", data: rows.map(part.pick) })),
    },
    table: {
      columns: [by, "Planned", ...parts.map((part) => part.name), "Done of planned"],
      rows: rows.map((row) => ({
        id: row.id,
        cells: [row.label, count(row.kpis.cases.planned), ...parts.map((part) => count(part.pick(row))), percent(row.kpis.cases.done_share)],
      })),
    },
  };
}

/** The weekly trend of the shares: utilization, blocks, first cases on time, cancellations. */
export function trendChart(sheet: KpiSheet): KpiChartSpec {
  const weeks = sheet.weeks;
  const lines = [
    { name: "Raw utilization", pick: (k: KpiSheet["weeks"][number]) => k.utilization.raw },
    { name: "Adjusted utilization", pick: (k: KpiSheet["weeks"][number]) => k.utilization.adjusted },
    { name: "Block utilization", pick: (k: KpiSheet["weeks"][number]) => k.block_utilization.utilization },
    { name: "First-case on-time starts", pick: (k: KpiSheet["weeks"][number]) => k.first_case_starts.share },
    { name: "Cancellation rate", pick: (k: KpiSheet["weeks"][number]) => k.cancellations.rate },
  ];
  return {
    id: "trend",
    title: "Trend by week",
    height: 300,
    option: {
      ...base,
      tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: { type: "category", data: weeks.map((week) => weekLabel(week.from, week.to)) },
      yAxis: { type: "value", name: "%", min: 0 },
      series: lines.map((line, index) => ({
        name: line.name,
        type: "line",
        connectNulls: false,
        symbol: ["circle", "rect", "triangle", "diamond", "pin"][index],
        symbolSize: 8,
        data: weeks.map((week) => asPercent(line.pick(week))),
      })),
    },
    table: {
      columns: ["Week", ...lines.map((line) => line.name)],
      rows: weeks.map((week) => ({ id: week.from, cells: [weekLabel(week.from, week.to), ...lines.map((line) => percent(line.pick(week)))] })),
    },
  };
}

/** Bookings given up per reason, cancelled and postponed stacked, same-day ones apart. */
export function reasonsChart(sheet: KpiSheet): KpiChartSpec {
  const reasons = sheet.overall.cancellations.by_reason;
  const labels = reasons.map((reason) => reasonLabel(reason.reason_code));
  return {
    id: "reasons",
    title: "Cancellations by reason",
    height: heightFor(reasons.length),
    option: {
      ...base,
      xAxis: { type: "value", name: "bookings", nameLocation: "middle", nameGap: 24, minInterval: 1 },
      yAxis: { type: "category", data: labels, inverse: true },
      series: [
        { name: "Cancelled", type: "bar", stack: "given-up", data: reasons.map((reason) => reason.cancelled) },
        { name: "Postponed", type: "bar", stack: "given-up", data: reasons.map((reason) => reason.postponed) },
        { name: "Of which same day", type: "bar", data: reasons.map((reason) => reason.same_day) },
      ],
    },
    table: {
      columns: ["Reason", "Cancelled", "Postponed", "Same day"],
      rows: reasons.map((reason, index) => ({
        id: reason.reason_code,
        cells: [labels[index]!, count(reason.cancelled), count(reason.postponed), count(reason.same_day)],
      })),
    },
  };
}
