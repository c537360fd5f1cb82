import { describe, expect, it } from "vitest";
import { blankWindow, comingFirst, windowBody, windowProblem } from "./localWindow";

const ZONE = "Europe/Amsterdam";

describe("a local time window", () => {
  it("becomes instants of the hospital's wall-clock times, across a clock change", () => {
    const draft = { fromDate: "2026-10-24", fromTime: "22:00", toDate: "2026-10-25", toTime: "06:00", note: " Night works " };
    expect(windowBody(draft, ZONE)).toEqual({ start: "2026-10-24T20:00:00.000Z", end: "2026-10-25T05:00:00.000Z", note: "Night works" });
  });

  it("is refused when it does not end after it starts", () => {
    expect(windowProblem(blankWindow("2026-05-01"), ZONE)).toBeNull();
    expect(windowProblem({ ...blankWindow("2026-05-01"), toTime: "08:00" }, ZONE)).toBe("The end must be after the start.");
    expect(windowProblem({ ...blankWindow("2026-05-01"), fromDate: "1 May" }, ZONE)).toBe("Give the start as a date and a time.");
  });

  it("lists spans to come first", () => {
    const span = (id: string, day: string) => ({ id, start: `${day}T08:00:00Z`, end: `${day}T10:00:00Z` });
    const now = Date.parse("2026-05-10T00:00:00Z");
    expect(comingFirst([span("past", "2026-05-01"), span("next", "2026-05-11"), span("later", "2026-06-01")], now).map((s) => s.id)).toEqual([
      "next",
      "later",
      "past",
    ]);
  });
});
