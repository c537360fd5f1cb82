// The KPI sheet for a range and filters, read through vue-query. The choice lives in the
// page's address, so a shared link shows the same figures.
import { keepPreviousData, useQuery } from "@tanstack/vue-query";
import { computed, type Ref } from "vue";
import { schedulingApi } from "@/api/client";
import type { KpiSheet } from "@/domain/kpis";

export interface KpiChoice {
  from: string;
  to: string;
  roomId: string | null;
  specialty: string | null;
  surgeonId: string | null;
}

/** The query of GET /kpis for a choice: only the filters that are set. */
export function kpiQuery(choice: KpiChoice) {
  return {
    from: choice.from,
    to: choice.to,
    ...(choice.roomId ? { room_id: choice.roomId } : {}),
    ...(choice.specialty ? { specialty: choice.specialty } : {}),
    ...(choice.surgeonId ? { surgeon_id: choice.surgeonId } : {}),
  };
}

export async function fetchKpis(choice: KpiChoice): Promise<KpiSheet> {
  const answer = await schedulingApi.GET("/kpis", { params: { query: kpiQuery(choice) } });
  // The benchmark times the page from here (the data in, parsed) to its charts drawn.
  performance.mark("kpis-data");
  return answer.data!;
}

export function useKpis(choice: Ref<KpiChoice>) {
  return useQuery({
    queryKey: ["kpis", computed(() => kpiQuery(choice.value))],
    enabled: computed(() => Boolean(choice.value.from && choice.value.to && choice.value.from <= choice.value.to)),
    // While another range loads, the last figures stay (marked as updating), not a blank page.
    placeholderData: keepPreviousData,
    queryFn: () => fetchKpis(choice.value),
  });
}
