import { mount } from "@vue/test-utils";
import { describe, expect, it } from "vitest";
import DayBoard from "./DayBoard.vue";
import { boardRows, type ListedCase, type RoomAvailability } from "./boardModel";
import { dayAxis } from "./boardTime";

const DAY = "2026-12-02";
const axis = dayAxis(DAY, "Europe/Amsterdam");
const at = (hhmm: string) => `${DAY}T${hhmm}:00Z`;

const room: RoomAvailability = {
  room_id: "r1", code: "OR-2", name: "Ortho", status: "active", capabilities: [],
  open_intervals: [{ start: at("06:30"), end: at("16:30") }], open_minutes_by_date: { [DAY]: 600 }, blocks: [],
};
const item: ListedCase = {
  surgery_id: "s1", version: 2, status: "confirmed", priority: "urgent", patient_mrn: "MRN-1",
  procedure: { code: "P1", name: "Hip replacement", coding_system: null }, specialty: "orthopaedics", anaesthesia_type: "general",
  expected_duration_minutes: 120, setup_minutes: 30, cleanup_minutes: 15,
  start: at("08:00"), end: at("10:00"), room_held_from: at("07:30"), room_held_until: at("10:15"),
  room: { room_id: "r1", code: "OR-2", name: "Ortho" }, surgeon: { staff_id: "s", name: "Dr Torres" },
  staff: [{ staff_id: "s", name: "Dr Torres", role: "surgeon" }, { staff_id: "a", name: "Dr Hunt", role: "anaesthetist" }],
  equipment_units: [], wheels_in: null, wheels_out: null,
};
const schedule = { from: DAY, to: DAY, timezone: "Europe/Amsterdam", empty_rooms_listed: true, days: [{ date: DAY, rooms: [{ room_id: "r1", code: "OR-2", name: "Ortho", open_intervals: [], cases: [item] }] }] };

function board(canPlan = true) {
  return mount(DayBoard, { props: { axis, rows: boardRows(axis, schedule, [room], () => ""), canPlan, ghost: null } });
}

describe("the day board component", () => {
  it("is a labelled table with a row per room and its time axis in the hospital's time zone", () => {
    const wrapper = board();
    const table = wrapper.get('[role="table"]');
    expect(table.attributes("aria-label")).toBe("Day board for 2026-12-02, times in Europe/Amsterdam");
    expect(wrapper.findAll('[role="row"]')).toHaveLength(2);
    expect(wrapper.get('[role="rowheader"]').text()).toContain("OR-2");
    expect(wrapper.findAll(".tick")).toHaveLength(24);
  });

  it("shows a case in words, not colour alone: procedure, local times, surgeon, status, priority and team", () => {
    const button = board().get('[data-testid="board-case"]');
    expect(button.text()).toContain("Hip replacement 09:00–11:00");
    expect(button.text()).toContain("Dr Torres · Confirmed · Urgent");
    expect(button.text()).toContain("Dr Hunt (anaesthetist)");
    expect(button.attributes("aria-label")).toContain("setup 30 min; cleanup 15 min");
  });

  it("says where the room is closed in words", () => {
    expect(board().findAll(".closed").map((band) => band.text())).toEqual(["Closed", "Closed"]);
  });

  it("opens the case on a click or Enter, and lets only planners drag", async () => {
    const planner = board();
    await planner.get('[data-testid="board-case"]').trigger("click");
    expect(planner.emitted("open")?.[0]).toEqual([item]);
    expect(planner.get('[data-testid="board-case"]').attributes("draggable")).toBe("true");
    expect(board(false).get('[data-testid="board-case"]').attributes("draggable")).toBe("false");
  });

  it("shows the dry run's verdict on the place being dragged over in words", () => {
    const wrapper = mount(DayBoard, {
      props: { axis, rows: boardRows(axis, schedule, [room], () => ""), canPlan: true, ghost: { roomId: "r1", left: 50, width: 5, fits: false, label: "12:00 does not fit (1)" } },
    });
    const ghost = wrapper.get('[data-testid="drop-ghost"]');
    expect(ghost.text()).toBe("12:00 does not fit (1)");
    expect(ghost.classes()).toContain("refused");
  });

  it("draws a proposal's positions beside the cases as they are, each said in words, in its own room", () => {
    const proposals = [
      { surgeryId: "s1", roomId: "r1", left: 60, width: 10, kind: "moved" as const, label: "Moved here: Hip replacement 13:00–15:00" },
      { surgeryId: "s9", roomId: "elsewhere", left: 10, width: 10, kind: "added" as const, label: "Added here: Knee 08:00–09:00" },
    ];
    const wrapper = mount(DayBoard, { props: { axis, rows: boardRows(axis, schedule, [room], () => ""), canPlan: false, ghost: null, proposals } });
    const ghosts = wrapper.findAll('[data-testid="proposed-ghost"]');
    expect(ghosts.map((ghost) => ghost.text())).toEqual(["Moved here: Hip replacement 13:00–15:00"]);
    expect(ghosts[0]!.classes()).toContain("proposed-moved");
    expect(wrapper.findAll('[data-testid="board-case"]')).toHaveLength(1);
    expect(board().findAll('[data-testid="proposed-ghost"]')).toHaveLength(0);
  });
});
