import { describe, expect, it } from "vitest";
import { reasonOf, whatHappened } from "./useCaseHistory";

describe("a history line in words", () => {
  it("names each move of the lifecycle by what the user did", () => {
    expect(whatHappened({ from_status: null, to_status: "requested" })).toBe("Requested");
    expect(whatHappened({ from_status: "requested", to_status: "scheduled" })).toBe("Booked");
    expect(whatHappened({ from_status: "postponed", to_status: "scheduled" })).toBe("Booked again");
    expect(whatHappened({ from_status: "scheduled", to_status: "scheduled" })).toBe("Moved");
    expect(whatHappened({ from_status: "scheduled", to_status: "postponed" })).toBe("Postponed");
    expect(whatHappened({ from_status: "confirmed", to_status: "cancelled" })).toBe("Cancelled");
    expect(whatHappened({ from_status: "confirmed", to_status: "in_room" })).toBe("Wheels in");
    expect(whatHappened({ from_status: "in_room", to_status: "completed" })).toBe("Wheels out");
  });

  it("gives the reason code in words with the free text after it", () => {
    expect(reasonOf({ reason_code: "no_bed", reason: "No ICU bed" })).toBe("No bed available: No ICU bed");
    expect(reasonOf({ reason_code: "no_bed", reason: null })).toBe("No bed available");
    expect(reasonOf({ reason_code: null, reason: null })).toBe("");
  });
});
