import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { actionWords, auditFilterProblems, auditQuery, casesShown, initialAuditFilters, recordTypeWords, shortId, subjectLink } from "./audit";
import { addDays } from "./dates";

const ZONE = "Europe/Amsterdam";
const CASE = "49d560e7-b675-4d95-82aa-e9d07a98a061";

describe("the audit log's filters", () => {
  it("sends only the filters that are set", () => {
    expect(auditQuery(initialAuditFilters(), ZONE)).toEqual({ offset: 0, limit: 25 });
    expect(auditQuery({ ...initialAuditFilters(), actorId: " u1 ", action: "surgery.read", recordId: CASE, service: "scheduling" }, ZONE)).toEqual({
      offset: 0,
      limit: 25,
      actor_id: "u1",
      action: "surgery.read",
      record_id: CASE,
      service: "scheduling",
    });
  });

  it("leaves the service out for scheduling's own log, which has only its own", () => {
    expect(auditQuery({ ...initialAuditFilters(), source: "scheduling", service: "auth" }, ZONE).service).toBeUndefined();
  });

  it("takes the hospital's days, the last one whole, across a change of clocks", () => {
    // 28 March 2027: the clocks go forward in Amsterdam (UTC+1 before, UTC+2 after).
    const query = auditQuery({ ...initialAuditFilters(), from: "2027-03-27", to: "2027-03-28" }, ZONE);
    expect(query.from).toBe("2027-03-26T23:00:00.000Z");
    expect(query.to).toBe("2027-03-28T22:00:00.000Z");
  });

  it("always asks for a range that ends after it starts when the days are in order", () => {
    const day = fc.integer({ min: 0, max: 3 * 365 }).map((offset) => addDays("2026-01-01", offset));
    fc.assert(
      fc.property(day, fc.integer({ min: 0, max: 60 }), (from, length) => {
        const filters = { ...initialAuditFilters(), from, to: addDays(from, length) };
        expect(auditFilterProblems(filters)).toEqual({});
        const query = auditQuery(filters, ZONE);
        const hours = (Date.parse(query.to!) - Date.parse(query.from!)) / 3_600_000;
        // Whole local days: 24 hours each, one hour more or less where the clocks change.
        expect(Math.abs(hours - 24 * (length + 1))).toBeLessThanOrEqual(1);
      }),
      { numRuns: 100 },
    );
  });

  it("names each filter the API would refuse", () => {
    expect(auditFilterProblems({ ...initialAuditFilters(), action: "Surgery Read", service: "Sched uling", from: "2026-12-02", to: "2026-12-01" })).toEqual({
      action: "An action looks like surgery.read: lower-case words joined by dots.",
      service: "A service name is lower-case, like scheduling.",
      to: "The range ends before it starts.",
    });
  });
});

describe("audit entries in words", () => {
  it("says known actions in words and makes unknown ones readable", () => {
    expect(actionWords("user.deactivate")).toBe("Deactivated a user");
    expect(actionWords("surgery.read")).toBe("Read a case");
    expect(actionWords("operating_room.exception_add")).toBe("Exception add (operating room)");
    expect(actionWords("heartbeat")).toBe("Heartbeat");
    expect(recordTypeWords("staff_member")).toBe("Staff member");
    expect(recordTypeWords("room_thing")).toBe("Room thing");
  });

  it("opens a case or a booking at its case's page, and nothing else", () => {
    expect(subjectLink({ record_type: "surgery", record_id: CASE })).toBe(`/surgeries/${CASE}`);
    expect(subjectLink({ record_type: "booking", record_id: CASE })).toBe(`/surgeries/${CASE}`);
    expect(subjectLink({ record_type: "surgery", record_id: "list" })).toBeNull();
    expect(subjectLink({ record_type: "user", record_id: CASE })).toBeNull();
  });

  it("says an order placed through FHIR in words and opens its case, under which it is kept", () => {
    expect(actionWords("service_request.create")).toBe("Placed an order through FHIR");
    expect(recordTypeWords("service_request")).toBe("Order");
    expect(subjectLink({ record_type: "service_request", record_id: CASE })).toBe(`/surgeries/${CASE}`);
  });

  it("counts the cases a list showed and shortens ids", () => {
    expect(casesShown({ details: { surgery_ids: [CASE, CASE] } })).toBe(2);
    expect(casesShown({ details: {} })).toBeNull();
    expect(shortId(CASE)).toBe("49d560e7");
    expect(shortId("scheduling")).toBe("scheduling");
  });
});
