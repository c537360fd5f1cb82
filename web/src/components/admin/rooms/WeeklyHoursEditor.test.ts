import { mount } from "@vue/test-utils";
import PrimeVue from "primevue/config";
import { describe, expect, it } from "vitest";
import { closedWeek, type WeeklyHours, workingWeek } from "@/domain/weeklyHours";
import WeeklyHoursEditor from "./WeeklyHoursEditor.vue";

function editor(week: WeeklyHours, serverErrors: Record<string, string> = {}) {
  const model = { week };
  const wrapper = mount(WeeklyHoursEditor, {
    props: {
      modelValue: week,
      "onUpdate:modelValue": (next: WeeklyHours) => {
        model.week = next;
        void wrapper.setProps({ modelValue: next });
      },
      legend: "Opening hours",
      idPrefix: "hours",
      serverErrors,
    },
    global: { plugins: [PrimeVue] },
  });
  return { wrapper, model };
}

describe("the weekly hours editor", () => {
  it("labels every time field by its day and range, and says the week in words", () => {
    const { wrapper } = editor(workingWeek([{ start: "08:00", end: "16:00" }]));
    expect(wrapper.get('label[for="hours-wednesday-0-start"]').text()).toBe("Wednesday range 1 from");
    expect(wrapper.get('label[for="hours-wednesday-0-end"]').text()).toBe("Wednesday range 1 until");
    expect(wrapper.get('[data-testid="weekly-summary"]').text()).toBe("Mon–Fri 08:00–16:00; Sat–Sun closed (40 h a week)");
    expect(wrapper.get('[data-day="saturday"]').text()).toContain("Closed");
  });

  it("adds a range after the day's last one and removes one", async () => {
    const { wrapper, model } = editor(workingWeek([{ start: "08:00", end: "12:00" }]));
    await wrapper.get('[aria-label="Add a range on Monday"]').trigger("click");
    expect(model.week.monday).toEqual([
      { start: "08:00", end: "12:00" },
      { start: "12:00", end: "13:00" },
    ]);
    await wrapper.get('[aria-label="Remove Monday range 1"]').trigger("click");
    expect(model.week.monday).toEqual([{ start: "12:00", end: "13:00" }]);
  });

  it("says what is wrong with a day as it is typed, tied to its fields, with the server's own message", async () => {
    const week = closedWeek();
    week.tuesday = [
      { start: "08:00", end: "12:00" },
      { start: "11:00", end: "14:00" },
    ];
    const { wrapper } = editor(week, { "weekly_hours.tuesday": "Value error, ranges overlap" });
    const problems = wrapper.get("#hours-tuesday-problems");
    expect(problems.text()).toBe("Ranges 1 and 2 overlap (08:00–12:00 and 11:00–14:00). Value error, ranges overlap");
    expect(wrapper.get("#hours-tuesday-1-start").attributes("aria-describedby")).toBe("hours-tuesday-problems");
    expect(wrapper.find("#hours-monday-problems").exists()).toBe(false);
  });

  it("copies Monday to the other weekdays", async () => {
    const week = closedWeek();
    week.monday = [{ start: "07:00", end: "15:00" }];
    const { wrapper, model } = editor(week);
    await wrapper.findAll("button").find((button) => button.text() === "Copy Monday to Tuesday–Friday")!.trigger("click");
    expect(model.week.friday).toEqual([{ start: "07:00", end: "15:00" }]);
    expect(model.week.saturday).toEqual([]);
  });
});
