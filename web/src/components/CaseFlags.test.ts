import { mount } from "@vue/test-utils";
import PrimeVue from "primevue/config";
import { describe, expect, it } from "vitest";
import CaseFlags from "./CaseFlags.vue";
import PriorityTag from "./PriorityTag.vue";

describe("what makes a case stand out", () => {
  it("says overdue and mandatory in words", () => {
    const wrapper = mount(CaseFlags, {
      props: { surgery: { due_date: "2026-11-30", status: "requested", priority: "emergency" }, today: "2026-12-02" },
    });
    expect(wrapper.text()).toContain("Overdue");
    expect(wrapper.text()).toContain("Mandatory");
  });

  it("says nothing for an elective case due later", () => {
    const wrapper = mount(CaseFlags, {
      props: { surgery: { due_date: "2027-01-30", status: "requested", priority: "elective" }, today: "2026-12-02" },
    });
    expect(wrapper.text()).toBe("");
  });

  it("labels the priority with a word, not a colour alone", () => {
    const wrapper = mount(PriorityTag, { props: { priority: "urgent" }, global: { plugins: [[PrimeVue, { unstyled: true }]] } });
    expect(wrapper.text()).toBe("Urgent");
  });
});
