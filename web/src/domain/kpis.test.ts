import { describe, expect, it } from "vitest";
import { CHART_ROWS, casesChart, reasonsChart, trendChart, utilizationChart } from "./kpiCharts";
import { type KpiSheet, type Kpis, breakdownRows, csvFileName, defaultRange, figure, kpiCsv, minutes, percent, signedMinutes } from "./kpis";

function kpis(raw: number | null, planned = 4, done = 1): Kpis {
  return {
    utilization: { cases: planned, unrecorded_cases: 0, open_minutes: 600, surgery_minutes: 60, occupied_minutes: 90, raw, adjusted: raw === null ? null : raw + 0.05 },
    block_utilization: { occurrences: 1, block_minutes: 240, used_minutes: 120, utilization: 0.5 },
    turnover: { turnovers: 2, excluded: 0, mean_minutes: 22.25, median_minutes: 20 },
    first_case_starts: { room_days: 3, on_time: 2, share: 2 / 3 },
    over_under_time: { room_days: 3, overtime_minutes: 15, undertime_minutes: 300 },
    cancellations: {
      booked: planned,
      cancelled: 1,
      postponed: 1,
      same_day: 1,
      rate: 0.5,
      same_day_rate: 0.25,
      by_reason: [
        { reason_code: "no_bed", cancelled: 1, postponed: 0, same_day: 1 },
        { reason_code: "patient_request", cancelled: 0, postponed: 1, same_day: 0 },
      ],
    },
    duration_estimates: { completed_cases: 1, bias_minutes: 12.5, mean_absolute_error_minutes: 12.5, mean_ratio: 1.2 },
    cases: { planned, done, given_up: 2, unrecorded: 0, pending: planned - done - 2, done_share: done / planned },
  };
}

const ROOM = "00000000-0000-4000-8000-000000000001";
const SHEET: KpiSheet = {
  from: "2026-11-05",
  to: "2026-12-02",
  timezone: "Europe/Amsterdam",
  as_of: "2026-12-02T10:00:00Z",
  grace_minutes: 5,
  turnover_cap_minutes: 90,
  filters: { room_id: null, specialty: null, surgeon_id: null },
  overall: kpis(0.4123),
  rooms: [{ room_id: ROOM, code: "OR-1", name: "Theatre, main", ...kpis(0.4123) }],
  services: [{ service: "general_surgery", ...kpis(0.2) }],
  surgeons: [{ surgeon_id: "00000000-0000-4000-8000-000000000002", name: null, ...kpis(null, 0, 0) }],
  weeks: [
    { from: "2026-11-05", to: "2026-11-08", ...kpis(0.1) },
    { from: "2026-11-09", to: "2026-11-15", ...kpis(null, 0, 0) },
  ],
};

describe("the KPI figures as the page shows them", () => {
  it("defaults to the last four weeks, today included", () => {
    expect(defaultRange("2026-12-02")).toEqual({ from: "2026-11-05", to: "2026-12-02" });
  });

  it("shows shares as percentages, minutes with one decimal and nothing to compute as a dash", () => {
    expect(percent(0.41234)).toBe("41.2 %");
    expect(percent(0)).toBe("0.0 %");
    expect(percent(null)).toBe("—");
    expect(minutes(22.25)).toBe("22.3 min");
    expect(minutes(20)).toBe("20 min");
    expect(signedMinutes(12.5)).toBe("+12.5 min");
    expect(signedMinutes(-3)).toBe("-3 min");
    expect(figure("first_case_on_time").text(SHEET.overall)).toBe("66.7 %");
  });

  it("names each row of a breakdown in words", () => {
    expect(breakdownRows(SHEET, "rooms").map((row) => row.label)).toEqual(["OR-1 Theatre, main"]);
    expect(breakdownRows(SHEET, "services").map((row) => row.label)).toEqual(["General surgery"]);
    expect(breakdownRows(SHEET, "surgeons").map((row) => row.label)).toEqual(["Unknown surgeon"]);
    expect(breakdownRows(SHEET, "weeks").map((row) => row.label)).toEqual(["2026-11-05 – 2026-11-08", "2026-11-09 – 2026-11-15"]);
  });

  it("exports a CSV line per scope with the API's raw values, quoting what needs it", () => {
    const lines = kpiCsv(SHEET).trimEnd().split("\r\n");
    expect(lines).toHaveLength(1 + 1 + 1 + 1 + 1 + 2);
    expect(lines[0]!.startsWith("scope,name,from,to,raw_utilization,adjusted_utilization,")).toBe(true);
    expect(lines[1]!.startsWith("overall,All,2026-11-05,2026-12-02,0.4123,")).toBe(true);
    expect(lines[2]!.startsWith('room,"OR-1 Theatre, main",')).toBe(true);
    // Nothing to compute is an empty cell, not "null" or a dash.
    expect(lines[4]!.startsWith("surgeon,Unknown surgeon,2026-11-05,2026-12-02,,,")).toBe(true);
    expect(lines[6]!.startsWith("week,2026-11-09 – 2026-11-15,2026-11-09,2026-11-15,")).toBe(true);
    expect(csvFileName(SHEET)).toBe("kpis-2026-11-05-to-2026-12-02.csv");
  });
});

describe("the KPI charts and their tables", () => {
  it("draws each chart from the same numbers its table states", () => {
    const rows = breakdownRows(SHEET, "rooms");
    const utilization = utilizationChart(rows, "room");
    expect(utilization.table.rows[0]!.cells).toEqual(["OR-1 Theatre, main", "41.2 %", "46.2 %", "50.0 %"]);
    const series = utilization.option.series as { data: (number | null)[] }[];
    expect(series.map((s) => s.data[0])).toEqual([41.2, 46.2, 50]);

    const trend = trendChart(SHEET);
    expect(trend.table.rows.map((row) => row.cells[1])).toEqual(["10.0 %", "—"]);
    expect((trend.option.series as { data: (number | null)[] }[])[0]!.data).toEqual([10, null]);

    const reasons = reasonsChart(SHEET);
    expect(reasons.table.rows.map((row) => row.cells)).toEqual([
      ["No bed", "1", "0", "1"],
      ["Patient request", "0", "1", "0"],
    ]);

    const cases = casesChart(rows, "room");
    expect(cases.table.columns).toEqual(["room", "Planned", "Done", "Pending", "Given up", "Unrecorded", "Done of planned"]);
    expect(cases.table.rows[0]!.cells).toEqual(["OR-1 Theatre, main", "4", "1", "1", "2", "0", "25.0 %"]);
  });

  it("gives a bar chart room for every row", () => {
    const many = Array.from({ length: 20 }, (_, index) => ({ id: String(index), label: `OR-${index}`, kpis: kpis(0.1) }));
    expect(utilizationChart(many, "room").height).toBeGreaterThan(utilizationChart(many.slice(0, 3), "room").height);
  });
});

describe("a breakdown with many rows", () => {
  it("charts the rows with the most cases planned, in their order, and says so", () => {
    const many = Array.from({ length: 30 }, (_, index) => ({ id: String(index), label: `OR-${index}`, kpis: kpis(0.1, index === 29 ? 9 : 1) }));
    const chart = utilizationChart(many, "room");
    expect(chart.table.rows).toHaveLength(CHART_ROWS);
    expect(chart.table.rows.map((row) => row.id)).toEqual([...Array.from({ length: 24 }, (_, index) => String(index)), "29"]);
    expect(chart.title).toBe("Utilization by room: the 25 with the most cases of 30");
    expect(utilizationChart(many.slice(0, 3), "room").title).toBe("Utilization by room");
  });
});
