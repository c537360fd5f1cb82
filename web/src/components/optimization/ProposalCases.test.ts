import { mount } from "@vue/test-utils";
import { describe, expect, it } from "vitest";
import type { CaseChange, CaseInfo } from "@/domain/optimization";
import ProposalCases from "./ProposalCases.vue";

const placed = (start: string) => ({ room_id: "r1", start, end: start.replace("T08", "T09"), staff: [], equipment_unit_ids: [] });
const cases: CaseChange[] = [
  { surgery_id: "a", change: "moved", status: "scheduled", current: placed("2030-01-07T08:00:00Z"), proposed: placed("2030-01-08T08:00:00Z"), differences: ["time"], reason: null, detail: null, changed_since_request: false },
  { surgery_id: "b", change: "unscheduled", status: "requested", current: null, proposed: null, differences: [], reason: "no_capable_room", detail: null, changed_since_request: false },
  { surgery_id: "c", change: "unchanged", status: "scheduled", current: placed("2030-01-07T08:00:00Z"), proposed: placed("2030-01-07T08:00:00Z"), differences: [], reason: null, detail: null, changed_since_request: true },
];
const infos: Record<string, CaseInfo> = {
  a: { name: "Knee arthroscopy", mrn: "MRN-1", priority: "elective", dueDate: null, waitingSince: null, setupMinutes: 10, cleanupMinutes: 10 },
  b: { name: "Cholecystectomy", mrn: "MRN-2", priority: "urgent", dueDate: null, waitingSince: null, setupMinutes: 10, cleanupMinutes: 10 },
  c: { name: "Hernia repair", mrn: "MRN-3", priority: "elective", dueDate: null, waitingSince: null, setupMinutes: 10, cleanupMinutes: 10 },
};

function list() {
  return mount(ProposalCases, {
    props: { cases, infoOf: (id: string) => infos[id], roomName: () => "OR-1 Emergency theatre", firstDay: "2030-01-07", timeZone: "Europe/Amsterdam" },
    global: { mocks: { $router: { push: () => {} } }, stubs: { RouterLink: true } },
  });
}

const rowNames = (wrapper: ReturnType<typeof list>) => wrapper.findAll("tbody tr").map((row) => row.find("a").text());

describe("the proposal's case list", () => {
  it("lists what applying changes and what it leaves out, with where, when and why in words", () => {
    const wrapper = list();
    expect(rowNames(wrapper)).toEqual(["Knee arthroscopy", "Cholecystectomy"]);
    const moved = wrapper.get('tr[data-surgery="a"]').text();
    expect(moved).toContain("OR-1 Emergency theatre, Mon, 7 Jan 2030, 09:00");
    expect(moved).toContain("Tue, 8 Jan 2030, 09:00");
    expect(moved).toContain("New time");
    const left = wrapper.get('tr[data-surgery="b"]').text();
    expect(left).toContain("Mandatory");
    expect(left).toContain("No chosen room has every capability it needs.");
  });

  it("shows unchanged cases when asked, marking a case changed since the request", async () => {
    const wrapper = list();
    await wrapper.findAll('input[type="checkbox"]')[2]!.setValue(true);
    expect(rowNames(wrapper)).toContain("Hernia repair");
    expect(wrapper.get('tr[data-surgery="c"]').text()).toContain("Changed since the request");
  });

  it("narrows the list to mandatory cases, or to a procedure or MRN typed", async () => {
    const wrapper = list();
    await wrapper.get('input[type="search"]').setValue("mrn-1");
    expect(rowNames(wrapper)).toEqual(["Knee arthroscopy"]);
    await wrapper.get('input[type="search"]').setValue("");
    await wrapper.findAll('input[type="checkbox"]')[5]!.setValue(true);
    expect(rowNames(wrapper)).toEqual(["Cholecystectomy"]);
  });
});
