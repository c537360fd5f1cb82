import { describe, expect, it } from "vitest";
import { dayAxis, instantAt, localTime, localToInstant, offsetMinutes, percentOf } from "./boardTime";

const TZ = "Europe/Amsterdam";

describe("the board's time axis", () => {
  it("has 24 hours on an ordinary day, starting at local midnight", () => {
    const axis = dayAxis("2026-12-02", TZ);
    expect(axis.hours).toBe(24);
    expect(new Date(axis.start).toISOString()).toBe("2026-12-01T23:00:00.000Z");
    expect(axis.ticks.map((tick) => tick.label).slice(0, 3)).toEqual(["00:00", "01:00", "02:00"]);
  });

  it("has 23 hours on the day the clocks go forward, and no 02:00 on it", () => {
    const axis = dayAxis("2026-03-29", TZ);
    expect(axis.hours).toBe(23);
    expect(axis.ticks.map((tick) => tick.label).slice(0, 4)).toEqual(["00:00", "01:00", "03:00", "04:00"]);
  });

  it("has 25 hours on the day the clocks go back, with 02:00 twice", () => {
    const axis = dayAxis("2026-10-25", TZ);
    expect(axis.hours).toBe(25);
    expect(axis.ticks.map((tick) => tick.label).slice(0, 5)).toEqual(["00:00", "01:00", "02:00", "02:00", "03:00"]);
    expect(axis.ticks[24]?.label).toBe("23:00");
  });

  it("places an instant by real time, so noon sits past the middle of a 25-hour day", () => {
    const axis = dayAxis("2026-10-25", TZ);
    const noon = localToInstant("2026-10-25", "12:00", TZ);
    expect(percentOf(axis, noon)).toBeCloseTo((13 / 25) * 100, 5);
  });

  it("reads a local time as the instant it names, in winter and in summer", () => {
    expect(new Date(localToInstant("2026-12-02", "08:00", TZ)).toISOString()).toBe("2026-12-02T07:00:00.000Z");
    expect(new Date(localToInstant("2026-07-01", "08:00", TZ)).toISOString()).toBe("2026-07-01T06:00:00.000Z");
    expect(offsetMinutes(Date.parse("2026-07-01T06:00:00Z"), TZ)).toBe(120);
  });

  it("reads a time the clocks skip as the hour after, and a time that happens twice as its first", () => {
    expect(localTime(localToInstant("2026-03-29", "02:30", TZ), TZ)).toBe("03:30");
    expect(new Date(localToInstant("2026-10-25", "02:30", TZ)).toISOString()).toBe("2026-10-25T00:30:00.000Z");
  });

  it("snaps a pointer to the quarter hour and never past the day's last one", () => {
    const axis = dayAxis("2026-12-02", TZ);
    expect(localTime(instantAt(axis, (9 * 60 + 7) / (24 * 60)), TZ)).toBe("09:00");
    expect(localTime(instantAt(axis, (9 * 60 + 8) / (24 * 60)), TZ)).toBe("09:15");
    expect(localTime(instantAt(axis, 1), TZ)).toBe("23:45");
  });
});
