import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CaseChange,
  type CaseInfo,
  CHANGE_KINDS,
  countByKind,
  dateTimeWords,
  localDayOf,
  figureRows,
  filterChanges,
  horizonProblem,
  leftOutMandatory,
  nextWorkingWeek,
  planFigures,
  reasonWords,
  refusalOf,
  solverWords,
} from "./optimization";

const ROOM = "room-1";
const at = (hh: number, mm = 0) => new Date(Date.UTC(2030, 0, 7, hh, mm)).toISOString();
const place = (start: number, minutes: number) => ({
  room_id: ROOM,
  start: at(start),
  end: new Date(Date.parse(at(start)) + minutes * 60_000).toISOString(),
  staff: [],
  equipment_unit_ids: [],
});

function change(id: string, kind: CaseChange["change"], extra: Partial<CaseChange> = {}): CaseChange {
  const booked = kind === "moved" || kind === "unchanged" || kind === "unbooked";
  const placed = kind === "moved" || kind === "added" || kind === "unchanged";
  return {
    surgery_id: id,
    change: kind,
    status: booked ? "scheduled" : "requested",
    current: booked ? place(8, 60) : null,
    proposed: placed ? place(kind === "moved" ? 10 : 8, 60) : null,
    differences: kind === "moved" ? ["time"] : [],
    reason: placed ? null : "no_capacity",
    detail: null,
    changed_since_request: false,
    ...extra,
  };
}

const info = (over: Partial<CaseInfo> = {}): CaseInfo => ({
  name: "Hip replacement",
  mrn: "MRN-1",
  priority: "elective",
  dueDate: null,
  waitingSince: "2030-01-01",
  setupMinutes: 15,
  cleanupMinutes: 15,
  ...over,
});

const OPEN = [{ roomId: ROOM, start: Date.parse(at(8)), end: Date.parse(at(16)) }];
const dateOf = (iso: string) => iso.slice(0, 10);

describe("reasons in words", () => {
  it("says each known reason a case is left out as a sentence", () => {
    expect(reasonWords("no_capable_room")).toBe("No chosen room has every capability it needs.");
    expect(reasonWords("no_capacity", "42 minutes short")).toContain("42 minutes short");
  });

  it("says an unknown reason plainly instead of dropping it", () => {
    expect(reasonWords("surgeon_on_strike")).toBe("Left out (surgeon on strike).");
  });
});

describe("filtering the proposal's cases", () => {
  const cases = [change("a", "moved"), change("b", "added"), change("c", "unscheduled"), change("d", "unchanged")];
  const infos: Record<string, CaseInfo> = {
    a: info({ name: "Knee arthroscopy" }),
    b: info({ name: "Hip replacement", mrn: "MRN-77" }),
    c: info({ name: "Cholecystectomy", priority: "urgent" }),
    d: info({ name: "Hernia repair" }),
  };
  const infoOf = (id: string) => infos[id];

  it("keeps only the kinds asked for, matching the procedure name or MRN", () => {
    const kinds = new Set(CHANGE_KINDS);
    expect(filterChanges(cases, { kinds, text: "mrn-77", mandatoryOnly: false }, infoOf, "2030-01-07").map((c) => c.surgery_id)).toEqual(["b"]);
    expect(filterChanges(cases, { kinds: new Set(["moved", "added"]), text: "", mandatoryOnly: false }, infoOf, "2030-01-07")).toHaveLength(2);
  });

  it("lists every left-out urgent or overdue case as mandatory, and no elective one still in time", () => {
    const overdue = [...cases, change("e", "unbooked")];
    infos.e = info({ dueDate: "2030-01-01" });
    expect(leftOutMandatory(overdue, infoOf, "2030-01-07").map((c) => c.surgery_id)).toEqual(["c", "e"]);
  });

  it("never returns a case outside the filter, and returns them all with every kind and no text", () => {
    const kind = fc.constantFrom(...CHANGE_KINDS);
    fc.assert(
      fc.property(fc.array(kind, { maxLength: 30 }), fc.subarray(CHANGE_KINDS), (kinds, chosen) => {
        const all = kinds.map((k, i) => change(String(i), k));
        const kept = filterChanges(all, { kinds: new Set(chosen), text: "", mandatoryOnly: false }, () => info(), "2030-01-07");
        expect(kept.every((c) => chosen.includes(c.change))).toBe(true);
        const counts = countByKind(all);
        expect(kept).toHaveLength(chosen.reduce((sum, k) => sum + counts[k], 0));
      }),
      { numRuns: 50 },
    );
  });
});

describe("the figures of a plan", () => {
  it("counts setup and cleanup inside open time as used and the rest as overtime", () => {
    const late = change("x", "added", { proposed: place(15, 60) }); // 14:45-16:15 held, 16:00 closes
    const figures = planFigures([late], "proposed", OPEN, () => info(), dateOf, "2030-01-08");
    expect(figures.overtimeMinutes).toBe(15);
    expect(figures.utilization).toBeCloseTo(75 / 480);
    expect(figures.scheduledCases).toBe(1);
  });

  it("counts a left-out case as waiting until the day after the horizon", () => {
    const figures = planFigures([change("c", "unscheduled")], "proposed", OPEN, () => info(), dateOf, "2030-01-08");
    expect(figures.meanWaitingDays).toBe(7);
  });

  it("keeps used and overtime minutes equal to the time the cases hold, whatever the placements", () => {
    const minutes = fc.integer({ min: 0, max: 23 * 60 });
    fc.assert(
      fc.property(fc.array(fc.tuple(minutes, fc.integer({ min: 5, max: 300 })), { maxLength: 20 }), (spans) => {
        const cases = spans.map(([start, length], i) =>
          change(String(i), "added", { proposed: { ...place(0, 0), start: at(0, start), end: at(0, start + length) } }),
        );
        const figures = planFigures(cases, "proposed", OPEN, () => info(), dateOf, "2030-01-08");
        const held = spans.reduce((sum, [, length]) => sum + length + 30, 0);
        expect(Math.round(figures.utilization * 480 + figures.overtimeMinutes)).toBe(held);
        expect(figures.scheduledCases).toBe(spans.length);
      }),
      { numRuns: 50 },
    );
  });

  it("says each change beside the two plans' figures in words", () => {
    const current = { scheduledCases: 3, utilization: 0.5, overtimeMinutes: 20, meanWaitingDays: 4 };
    const rows = figureRows(current, { scheduledCases: 5, utilization: 0.625, overtimeMinutes: 20, meanWaitingDays: 3 });
    expect(rows.map((row) => row.change)).toEqual(["+12.5 points", "+2", "no change", "−1.0 days"]);
  });
});

describe("the solver's report", () => {
  it("says whether the plan is proved optimal, or its gap", () => {
    expect(solverWords({ status: "optimal", objective: 60, best_bound: 60, gap: 0, wall_time_seconds: 0.2 })).toBe("Proved optimal in 0.2 s.");
    expect(solverWords({ status: "feasible", objective: 110, best_bound: 100, gap: 0.0909, wall_time_seconds: 5 })).toContain("9.1 %");
  });
});

describe("asking for a plan", () => {
  it("offers the working days of next week", () => {
    expect(nextWorkingWeek("2026-12-02")).toEqual({ start: "2026-12-07", end: "2026-12-11" });
    expect(nextWorkingWeek("2026-12-06")).toEqual({ start: "2026-12-07", end: "2026-12-11" });
  });

  it("refuses a horizon in the past, reversed, or longer than 31 days", () => {
    expect(horizonProblem("2026-12-01", "2026-12-03", "2026-12-02")).toMatch(/today or later/);
    expect(horizonProblem("2026-12-05", "2026-12-03", "2026-12-02")).toMatch(/before the first/);
    expect(horizonProblem("2026-12-02", "2027-01-02", "2026-12-02")).toMatch(/31 days/);
    expect(horizonProblem("2026-12-02", "2027-01-01", "2026-12-02")).toBeNull();
  });
});

describe("a refused apply", () => {
  const name = (id: string) => `case ${id}`;

  it("names each case that changed since the request", () => {
    const refusal = refusalOf({ title: "Stale proposal", stale_case_ids: ["a", "b"] }, name, () => "");
    expect(refusal.lines).toHaveLength(2);
    expect(refusal.lines[0]).toContain("case a changed");
  });

  it("says each conflict and each left-out case in the way", () => {
    const refusal = refusalOf({ conflicts: [{ code: "room_busy" }], unbooked_in_the_way: ["c"] }, name, () => "The room is taken.");
    expect(refusal.lines).toEqual(["The room is taken.", "case c is left out by the plan but keeps its booking, and is in the way."]);
  });
});

describe("dates of a proposal", () => {
  it("says an instant's local date in the hospital's time zone, across midnight and DST", () => {
    expect(localDayOf("2026-12-06T23:30:00Z", "Europe/Amsterdam")).toBe("2026-12-07");
    expect(localDayOf("2026-03-29T21:59:00Z", "Europe/Amsterdam")).toBe("2026-03-29");
    expect(localDayOf("2026-03-29T22:00:00Z", "Europe/Amsterdam")).toBe("2026-03-30");
  });

  it("writes an instant as weekday, date and local time", () => {
    expect(dateTimeWords("2026-12-07T08:30:00Z", "Europe/Amsterdam")).toBe("Mon, 7 Dec 2026, 09:30");
  });
});
