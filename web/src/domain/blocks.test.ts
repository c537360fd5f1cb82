import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  blankBlockForm,
  blockFieldOf,
  blockFormProblems,
  blockState,
  bodyFromBlockForm,
  formFromBlock,
  occursOn,
  type BlockSummary,
  type Recurrence,
  recurrenceWords,
  upcomingOccurrences,
  WEEKDAYS,
  weekdayOf,
} from "./blocks";
import { addDays, formatDate } from "./dates";

const block: BlockSummary = {
  block_id: "00000000-0000-0000-0000-0000000000b1",
  room_id: "00000000-0000-0000-0000-0000000000a1",
  surgeon_id: "00000000-0000-0000-0000-0000000000c1",
  service: null,
  recurrence: { kind: "weekly", weekdays: ["monday", "wednesday"], valid_from: "2027-04-05", valid_to: "2027-06-30" },
  start_time: "08:00",
  end_time: "12:00",
  timezone: "Europe/Amsterdam",
  released_dates: ["2027-04-12"],
  retired_at: null,
  created_at: "2026-12-01T08:00:00Z",
  updated_at: "2026-12-01T08:00:00Z",
  version: 2,
};

describe("the block form", () => {
  it("sends back what it was filled from", () => {
    expect(bodyFromBlockForm(formFromBlock(block))).toEqual({
      room_id: block.room_id,
      surgeon_id: block.surgeon_id,
      service: null,
      recurrence: block.recurrence,
      start_time: "08:00",
      end_time: "12:00",
    });
  });

  it("sends a service as the API spells it and no surgeon with it", () => {
    const form = { ...formFromBlock(block), holder: "service" as const, service: " Cardiac surgery " };
    const body = bodyFromBlockForm(form);
    expect([body.surgeon_id, body.service]).toEqual([null, "cardiac_surgery"]);
  });

  it("sends weekdays in the week's order and an open end as null", () => {
    const form = { ...blankBlockForm("2027-01-04", "room"), surgeonId: "s", weekdays: ["friday", "monday"] as const };
    const body = bodyFromBlockForm({ ...form, weekdays: [...form.weekdays] });
    expect(body.recurrence).toEqual({ kind: "weekly", weekdays: ["monday", "friday"], valid_from: "2027-01-04", valid_to: null });
  });

  it("refuses an end before the start, a missing weekday and a last date before the first", () => {
    const form = { ...blankBlockForm("2027-01-04", "room"), surgeonId: "s", startTime: "13:00", endTime: "12:00", validTo: "2027-01-01" };
    expect(Object.keys(blockFormProblems(form)).sort()).toEqual(["endTime", "validTo", "weekdays"]);
  });

  it("accepts 24:00 as the end of the day and finds nothing wrong with a whole form", () => {
    const form = { ...blankBlockForm("2027-01-04", "room"), surgeonId: "s", weekdays: ["monday" as const], endTime: "24:00" };
    expect(blockFormProblems(form)).toEqual({});
  });

  it("puts a 422's errors on the fields they name, a recurrence's variant or not", () => {
    expect(blockFieldOf("room_id")).toBe("roomId");
    expect(blockFieldOf("recurrence.weekly.valid_from")).toBe("validFrom");
    expect(blockFieldOf("recurrence.valid_to")).toBe("validTo");
    expect(blockFieldOf("recurrence.date.date")).toBe("date");
    expect(blockFieldOf("recurrence")).toBe("kind");
    expect(blockFieldOf("_form")).toBe("_form");
  });
});

describe("a block's dates", () => {
  it("are worded as the weekdays and the dates between", () => {
    // Dates as the app writes them everywhere ("Mon 5 Apr 2027", punctuated as the ICU data has it).
    const [april5, june30, may3] = ["2027-04-05", "2027-06-30", "2027-05-03"].map(formatDate);
    expect(recurrenceWords(block.recurrence)).toBe(`Mondays and Wednesdays, from ${april5} until ${june30}`);
    expect(recurrenceWords({ kind: "weekly", weekdays: ["friday"], valid_from: "2027-04-05", valid_to: null })).toBe(
      `Fridays, from ${april5}, no end date`,
    );
    expect(recurrenceWords({ kind: "date", date: "2027-05-03" })).toBe(`Once, on ${may3}`);
  });

  it("know their weekday", () => {
    expect(weekdayOf("2027-04-05")).toBe("monday");
    expect(weekdayOf("2027-04-11")).toBe("sunday");
  });

  it("skip a released date when offering the next occurrences", () => {
    expect(upcomingOccurrences(block.recurrence, block.released_dates, "2027-04-01", 3)).toEqual([
      "2027-04-05",
      "2027-04-07",
      "2027-04-14",
    ]);
  });

  it("end with the last valid date", () => {
    expect(upcomingOccurrences(block.recurrence, [], "2027-06-28", 5)).toEqual(["2027-06-28", "2027-06-30"]);
  });

  it("say whether the block is retired, over or still in force", () => {
    expect(blockState(block, "2027-01-01")).toBe("active");
    expect(blockState(block, "2027-07-01")).toBe("ended");
    expect(blockState({ ...block, retired_at: "2026-12-02T10:00:00Z" }, "2027-01-01")).toBe("retired");
  });

  const day = fc.integer({ min: 0, max: 2000 }).map((n) => addDays("2026-01-01", n));
  const weekly: fc.Arbitrary<Recurrence> = fc
    .record({
      weekdays: fc.uniqueArray(fc.constantFrom(...WEEKDAYS.map((d) => d.value)), { minLength: 1, maxLength: 7 }),
      valid_from: day,
      length: fc.option(fc.integer({ min: 0, max: 200 }), { nil: null }),
    })
    .map(({ weekdays, valid_from, length }) => ({
      kind: "weekly" as const,
      weekdays,
      valid_from,
      valid_to: length === null ? null : addDays(valid_from, length),
    }));

  it("offered for release are occurrences in date order, on or after the day asked, never released", () => {
    fc.assert(
      fc.property(weekly, day, fc.array(day, { maxLength: 5 }), fc.integer({ min: 0, max: 12 }), (recurrence, from, released, count) => {
        const offered = upcomingOccurrences(recurrence, released, from, count);
        expect(offered.length).toBeLessThanOrEqual(count);
        expect([...offered].sort()).toEqual(offered);
        expect(new Set(offered).size).toBe(offered.length);
        for (const date of offered) {
          expect(occursOn(recurrence, date)).toBe(true);
          expect(date >= from).toBe(true);
          expect(released).not.toContain(date);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("offered for release leave out no occurrence before the last one offered", () => {
    fc.assert(
      fc.property(weekly, day, fc.array(day, { maxLength: 5 }), fc.integer({ min: 1, max: 8 }), (recurrence, from, released, count) => {
        const offered = upcomingOccurrences(recurrence, released, from, count);
        const lastOffered = offered[offered.length - 1];
        if (lastOffered === undefined) return;
        for (let date = from; date <= lastOffered; date = addDays(date, 1)) {
          if (occursOn(recurrence, date) && !released.includes(date)) expect(offered).toContain(date);
        }
      }),
      { numRuns: 100 },
    );
  });

  it("of an open-ended weekly block never run out", () => {
    fc.assert(
      fc.property(weekly, day, fc.integer({ min: 1, max: 10 }), (recurrence, from, count) => {
        const open = { ...recurrence, valid_to: null } as Recurrence;
        expect(upcomingOccurrences(open, [], from, count)).toHaveLength(count);
      }),
      { numRuns: 100 },
    );
  });
});
