import { mount } from "@vue/test-utils";
import PrimeVue from "primevue/config";
import { describe, expect, it } from "vitest";
import { blankStaffForm, bodyFromStaffForm, type StaffForm } from "@/domain/staffAdmin";
import StaffFields from "./StaffFields.vue";

function fields(form: StaffForm, errors: Record<string, string> = {}) {
  return mount(StaffFields, {
    props: { modelValue: form, errors, accounts: null },
    global: { plugins: [PrimeVue] },
  });
}

describe("the staff fields' part days", () => {
  it("edit a daily maximum per weekday, labelled by its day, into the body sent", async () => {
    const form = blankStaffForm();
    const wrapper = fields(form);
    expect(wrapper.get('label[for="staff-max-friday"]').text()).toBe("Friday");

    await wrapper.get('[data-testid="staff-max-friday"]').setValue("240");

    expect(bodyFromStaffForm(form).max_minutes_by_weekday).toEqual({ friday: 240 });
  });

  it("show the on-call days a member has and the server's word on the part days", () => {
    const form = { ...blankStaffForm(), maxByDate: { "2027-03-05": 120 } };
    const wrapper = fields(form, { maxByWeekday: "Input should be greater than 0" });
    expect(wrapper.get('[data-testid="staff-on-call-days"]').text()).toBe("On dates: 2027-03-05: 120 min.");
    expect(wrapper.get("#staff-maxByWeekday-error").text()).toBe("Input should be greater than 0");
  });
});
