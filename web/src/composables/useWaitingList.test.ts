import { describe, expect, it } from "vitest";
import { toQuery, type WaitingListFilters } from "./useWaitingList";

const none: WaitingListFilters = {
  priority: [],
  status: [],
  specialty: null,
  surgeonId: null,
  dueBefore: null,
  mrn: "  ",
  sort: "priority",
  offset: 0,
  limit: 25,
};

describe("the waiting list's query", () => {
  it("leaves empty filters out instead of sending them empty", () => {
    expect(toQuery(none)).toEqual({ sort: "priority", offset: 0, limit: 25 });
  });

  it("sends every filter that is set, the MRN trimmed", () => {
    const query = toQuery({
      ...none,
      priority: ["urgent"],
      status: ["requested", "postponed"],
      specialty: "cardiac",
      surgeonId: "s-1",
      dueBefore: "2027-01-01",
      mrn: " MRN-12 ",
      sort: "due_date",
      offset: 50,
    });
    expect(query).toEqual({
      priority: ["urgent"],
      status: ["requested", "postponed"],
      specialty: "cardiac",
      surgeon_id: "s-1",
      due_before: "2027-01-01",
      q: "MRN-12",
      sort: "due_date",
      offset: 50,
      limit: 25,
    });
  });
});
