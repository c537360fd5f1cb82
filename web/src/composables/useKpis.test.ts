import { describe, expect, it } from "vitest";
import { kpiQuery } from "./useKpis";

describe("the KPI query", () => {
  it("asks for the range and only the filters that are set", () => {
    const range = { from: "2026-11-05", to: "2026-12-02" };
    expect(kpiQuery({ ...range, roomId: null, specialty: null, surgeonId: null })).toEqual(range);
    expect(kpiQuery({ ...range, roomId: "r", specialty: "orthopaedics", surgeonId: "s" })).toEqual({
      ...range,
      room_id: "r",
      specialty: "orthopaedics",
      surgeon_id: "s",
    });
  });
});
