import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  clockOf,
  closedWeek,
  copyDay,
  daySummary,
  dayProblems,
  isValidWeek,
  mergeRanges,
  minutesOf,
  nextRange,
  openMinutes,
  type TimeRange,
  weekBody,
  weekFrom,
  weekProblems,
  weekSummary,
  weeklyTotal,
  workingWeek,
} from "./weeklyHours";

const range = (start: string, end: string): TimeRange => ({ start, end });

// Ranges on a quarter-hour grid, some empty or backwards on purpose.
const anyRange = fc
  .tuple(fc.integer({ min: 0, max: 96 }), fc.integer({ min: 0, max: 96 }))
  .map(([a, b]) => range(clockOf(a * 15), clockOf(b * 15)));
const anyDay = fc.array(anyRange, { maxLength: 6 });

/** The quarter hours a day's valid ranges cover, as a set. */
function covered(ranges: TimeRange[]): Set<number> {
  const quarters = new Set<number>();
  for (const r of ranges) {
    const start = minutesOf(r.start)!;
    const end = minutesOf(r.end)!;
    for (let at = start; at < end; at += 15) quarters.add(at);
  }
  return quarters;
}

describe("clock times", () => {
  it("reads HH:MM and 24:00, and nothing else", () => {
    expect(minutesOf("08:30")).toBe(510);
    expect(minutesOf(" 00:00 ")).toBe(0);
    expect(minutesOf("24:00")).toBe(1440);
    for (const wrong of ["8:30", "24:01", "25:00", "12:60", "", "noon"]) expect(minutesOf(wrong)).toBeNull();
  });

  it("writes back what it reads", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1440 }), (minutes) => minutesOf(clockOf(minutes)) === minutes));
  });
});

describe("a day's ranges", () => {
  it("may touch but not overlap", () => {
    expect(dayProblems([range("08:00", "12:00"), range("12:00", "16:00")])).toEqual([]);
    expect(dayProblems([range("13:00", "17:00"), range("08:00", "13:30")])).toEqual([
      { index: 0, message: "Ranges 1 and 2 overlap (08:00–13:30 and 13:00–17:00)." },
    ]);
  });

  it("need an end after the start and times as HH:MM", () => {
    expect(dayProblems([range("16:00", "08:00")])).toEqual([
      { index: 0, message: "Range 1: the end 08:00 must be after the start 16:00." },
    ]);
    expect(dayProblems([range("8", "24:00")])[0]?.message).toBe("Range 1: the start must be a time HH:MM (24:00 for midnight).");
    expect(dayProblems([range("x", "y")])[0]?.message).toContain("the start and end must be");
  });

  it("are at most 24 a day", () => {
    const many = Array.from({ length: 25 }, (_, hour) => range(clockOf(hour * 50), clockOf(hour * 50 + 30)));
    expect(dayProblems(many)).toContainEqual({ index: null, message: "At most 24 ranges a day." });
  });

  it("are valid exactly when, in start order, each ends by the time the next starts (any day)", () => {
    fc.assert(
      fc.property(anyDay, (ranges) => {
        const spans = ranges.map((r) => [minutesOf(r.start)!, minutesOf(r.end)!] as const);
        const sorted = [...spans].sort((a, b) => a[0] - b[0]);
        const expected = spans.every(([s, e]) => e > s) && sorted.every((span, i) => i === 0 || span[0] >= sorted[i - 1]![1]);
        expect(dayProblems(ranges).length === 0).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe("merging a day's ranges", () => {
  it("joins overlapping and touching ranges and drops invalid ones", () => {
    expect(mergeRanges([range("13:00", "17:00"), range("08:00", "12:00"), range("11:00", "13:00"), range("18:00", "18:00")])).toEqual([
      range("08:00", "17:00"),
    ]);
    expect(mergeRanges([range("08:00", "10:00"), range("12:00", "24:00")])).toEqual([range("08:00", "10:00"), range("12:00", "24:00")]);
  });

  it("covers the same time, in valid ranges with a gap between each two (any day)", () => {
    fc.assert(
      fc.property(anyDay, (ranges) => {
        const merged = mergeRanges(ranges);
        const valid = ranges.filter((r) => minutesOf(r.end)! > minutesOf(r.start)!);
        expect(covered(merged)).toEqual(covered(valid));
        expect(dayProblems(merged)).toEqual([]);
        merged.forEach((r, i) => i === 0 || expect(minutesOf(r.start)!).toBeGreaterThan(minutesOf(merged[i - 1]!.end)!));
        expect(openMinutes(ranges)).toBe(covered(valid).size * 15);
      }),
      { numRuns: 300 },
    );
  });
});

describe("a week", () => {
  it("is read from the API's value with every day present, and sent back in start order", () => {
    const week = weekFrom({ monday: [range("13:00", "17:00"), range("08:00", "12:00")] });
    expect(week.sunday).toEqual([]);
    expect(weekBody(week).monday).toEqual([range("08:00", "12:00"), range("13:00", "17:00")]);
  });

  it("names only the days with a problem", () => {
    const week = workingWeek([range("08:00", "16:00")]);
    week.wednesday.push(range("15:00", "18:00"));
    expect(Object.keys(weekProblems(week))).toEqual(["wednesday"]);
    expect(isValidWeek(week)).toBe(false);
    expect(isValidWeek(closedWeek())).toBe(true);
  });

  it("is said in words with days of the same hours joined", () => {
    const week = workingWeek([range("08:00", "16:00")]);
    expect(weekSummary(week)).toBe("Mon–Fri 08:00–16:00; Sat–Sun closed");
    week.wednesday = [range("08:00", "12:00"), range("13:00", "18:00")];
    expect(weekSummary(week)).toBe("Mon–Tue 08:00–16:00; Wed 08:00–12:00, 13:00–18:00; Thu–Fri 08:00–16:00; Sat–Sun closed");
    expect(weekSummary(closedWeek())).toBe("Closed all week");
    expect(daySummary([])).toBe("closed");
  });

  it("adds up its hours", () => {
    expect(weeklyTotal(workingWeek([range("08:00", "16:00")]))).toBe("40 h a week");
    expect(weeklyTotal(workingWeek([range("08:00", "15:30")]))).toBe("37.5 h a week");
  });

  it("copies a day to others without sharing its ranges", () => {
    const week = closedWeek();
    week.monday = [range("07:30", "15:30")];
    const copied = copyDay(week, "monday", ["tuesday", "saturday"]);
    expect(copied.tuesday).toEqual([range("07:30", "15:30")]);
    expect(copied.saturday).toEqual([range("07:30", "15:30")]);
    copied.tuesday[0]!.end = "16:00";
    expect(copied.monday[0]!.end).toBe("15:30");
    expect(week.tuesday).toEqual([]);
  });

  it("offers the hour after a day's latest end as the next range", () => {
    expect(nextRange([])).toEqual(range("08:00", "16:00"));
    expect(nextRange([range("08:00", "12:00")])).toEqual(range("12:00", "13:00"));
    expect(nextRange([range("20:00", "24:00")])).toEqual(range("23:00", "24:00"));
  });
});
