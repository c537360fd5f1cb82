import { describe, expect, it } from "vitest";
import { addDays, formatTime, localDate, weekStart } from "./dates";

describe("hospital dates and times", () => {
  it("takes the local date in the hospital's zone, not UTC's", () => {
    expect(localDate(new Date("2026-12-01T23:30:00Z"), "Europe/Amsterdam")).toBe("2026-12-02");
    expect(localDate(new Date("2026-12-01T23:30:00Z"), "UTC")).toBe("2026-12-01");
  });

  it("shows the same UTC hour as different wall-clock times across a DST change", () => {
    expect(formatTime("2027-03-27T06:30:00Z", "Europe/Amsterdam")).toBe("07:30");
    expect(formatTime("2027-03-29T06:30:00Z", "Europe/Amsterdam")).toBe("08:30");
  });

  it("counts calendar days and finds the Monday of a week", () => {
    expect(addDays("2027-03-27", 2)).toBe("2027-03-29");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(weekStart("2026-12-06")).toBe("2026-11-30");
    expect(weekStart("2026-11-30")).toBe("2026-11-30");
  });
});
