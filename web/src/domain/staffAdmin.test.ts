import { describe, expect, it } from "vitest";
import { changedFields } from "./adminForm";
import { weekFrom } from "./weeklyHours";
import {
  absenceBody,
  blankStaffForm,
  bodyFromStaffForm,
  formFromStaff,
  staffFieldOf,
  staffStateWords,
  type StaffSummary,
  termsFrom,
  STAFF_FIELD_LABELS,
} from "./staffAdmin";

const member: StaffSummary = {
  staff_id: "00000000-0000-0000-0000-0000000000d1",
  name: "Dr. A. Jansen",
  role: "surgeon",
  specialties: ["orthopaedics"],
  skills: ["robotic_console"],
  working_pattern: weekFrom({ monday: [{ start: "07:30", end: "16:00" }], friday: [{ start: "07:30", end: "12:00" }] }),
  max_minutes_per_day: 480,
  max_minutes_by_weekday: { friday: 240 },
  max_minutes_by_date: { "2027-03-05": 120 },
  user_id: null,
  status: "active",
  retired_at: null,
  created_at: "2026-12-01T08:00:00Z",
  updated_at: "2026-12-01T08:00:00Z",
  version: 4,
};

describe("the staff form", () => {
  it("sends back what it was filled from, every weekday present", () => {
    expect(bodyFromStaffForm(formFromStaff(member))).toEqual({
      name: "Dr. A. Jansen",
      role: "surgeon",
      specialties: ["orthopaedics"],
      skills: ["robotic_console"],
      working_pattern: {
        monday: [{ start: "07:30", end: "16:00" }],
        tuesday: [],
        wednesday: [],
        thursday: [],
        friday: [{ start: "07:30", end: "12:00" }],
        saturday: [],
        sunday: [],
      },
      max_minutes_per_day: 480,
      max_minutes_by_weekday: { friday: 240 },
      max_minutes_by_date: { "2027-03-05": 120 },
      user_id: null,
      status: "active",
    });
  });

  it("sends the part days typed per weekday, none for an empty one, and keeps on-call days as they came", () => {
    const form = formFromStaff(member);
    expect(form.maxByWeekday.friday).toBe("240");
    expect(form.maxByWeekday.monday).toBe("");
    const body = bodyFromStaffForm({ ...form, maxByWeekday: { ...form.maxByWeekday, friday: " ", monday: "300", sunday: "0" } });
    expect(body.max_minutes_by_weekday).toEqual({ monday: 300, sunday: 0 });
    expect(body.max_minutes_by_date).toEqual({ "2027-03-05": 120 });
    expect(bodyFromStaffForm(blankStaffForm()).max_minutes_by_weekday).toEqual({});
  });

  it("reads typed terms as the API spells them, once each", () => {
    expect(termsFrom(" Robotic console, ECMO;ecmo,, hip-revision ")).toEqual(["robotic_console", "ecmo", "hip_revision"]);
    expect(termsFrom("")).toEqual([]);
  });

  it("sends no daily maximum when none is typed, and an out-of-range one as typed for the server to refuse", () => {
    const form = { ...blankStaffForm(), name: "X", role: "scrub_nurse" as const };
    expect(bodyFromStaffForm({ ...form, maxMinutes: " " }).max_minutes_per_day).toBeNull();
    expect(bodyFromStaffForm({ ...form, maxMinutes: "2000" }).max_minutes_per_day).toBe(2000);
  });

  it("puts a 422's errors on the fields they name", () => {
    expect(staffFieldOf("max_minutes_per_day")).toBe("maxMinutes");
    expect(staffFieldOf("max_minutes_by_weekday.friday")).toBe("maxByWeekday");
    expect(staffFieldOf("max_minutes_by_date.2027-02-30.[key]")).toBe("maxByDate");
    expect(staffFieldOf("working_pattern.monday.0.end")).toBe("workingPattern");
    expect(staffFieldOf("specialties.1")).toBe("specialties");
    expect(staffFieldOf("_form")).toBe("_form");
  });

  it("names the fields another version changed, the working pattern among them", () => {
    const before = formFromStaff(member);
    const after = {
      ...before,
      maxMinutes: "420",
      maxByWeekday: { ...before.maxByWeekday, friday: "180" },
      workingPattern: { ...before.workingPattern, tuesday: [{ start: "08:00", end: "12:00" }] },
    };
    expect(changedFields(STAFF_FIELD_LABELS, before, after)).toEqual(["workingPattern", "maxMinutes", "maxByWeekday"]);
    expect(changedFields(STAFF_FIELD_LABELS, before, formFromStaff(member))).toEqual([]);
  });
});

describe("a staff member in words", () => {
  it("says retired before inactive", () => {
    expect(staffStateWords({ status: "inactive", retired_at: "2026-12-01T08:00:00Z" })).toBe("Retired");
    expect(staffStateWords({ status: "inactive", retired_at: null })).toBe("Inactive");
  });
});

describe("an absence", () => {
  it("is sent as UTC instants of the hospital's local times", () => {
    const answer = absenceBody({ startDate: "2027-03-01", startTime: "07:00", endDate: "2027-03-03", endTime: "00:00" }, "Europe/Amsterdam");
    expect(answer).toEqual({ body: { start: "2027-03-01T06:00:00.000Z", end: "2027-03-02T23:00:00.000Z" } });
  });

  it("is refused when it ends before it starts or a date is missing", () => {
    expect(absenceBody({ startDate: "2027-03-02", startTime: "08:00", endDate: "2027-03-01", endTime: "08:00" }, "Europe/Amsterdam")).toHaveProperty(
      "problem",
    );
    expect(absenceBody({ startDate: "", startTime: "08:00", endDate: "2027-03-01", endTime: "08:00" }, "Europe/Amsterdam")).toHaveProperty("problem");
  });
});
