// A person's list for a day or a week: a surgeon's own cases (/schedule/surgeons/{id}) or
// every case a staff member is assigned to in any role (/schedule/staff/{id}).
import { useQuery } from "@tanstack/vue-query";
import { computed, type Ref } from "vue";
import { schedulingApi } from "@/api/client";
import { addDays, weekStart } from "@/domain/dates";

export type Span = "day" | "week";

export interface ListChoice {
  staffId: string | null;
  asSurgeon: boolean;
  date: string;
  span: Span;
}

/** The dates a list covers: the day itself, or Monday to Sunday of its week. */
export function listRange(date: string, span: Span): { from: string; to: string } {
  if (span === "day") return { from: date, to: date };
  const from = weekStart(date);
  return { from, to: addDays(from, 6) };
}

export function usePersonalList(choice: Ref<ListChoice>) {
  return useQuery({
    queryKey: ["schedule", "person", choice],
    enabled: computed(() => choice.value.staffId !== null),
    queryFn: async () => {
      const { staffId, asSurgeon, date, span } = choice.value;
      const { from, to } = listRange(date, span);
      const params = { path: { staff_id: staffId! }, query: { date: from, to } };
      const answer = asSurgeon
        ? await schedulingApi.GET("/schedule/surgeons/{staff_id}", { params })
        : await schedulingApi.GET("/schedule/staff/{staff_id}", { params });
      return answer.data!;
    },
  });
}
