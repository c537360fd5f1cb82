// One case: reading it with its version (its ETag), correcting it and moving it through its
// lifecycle, each change sent with If-Match so a stale edit is refused (412), never applied.
import { useMutation, useQuery, useQueryClient } from "@tanstack/vue-query";
import { computed, type Ref } from "vue";
import { schedulingApi } from "@/api/client";
import type { components } from "@/api/generated/scheduling";
import type { Surgery } from "@/domain/cases";

export type SurgeryBody = components["schemas"]["SurgeryCreate"];
export type CaseStop = components["schemas"]["CaseStop"];
export type LifecycleAction = "confirm" | "postpone" | "cancel" | "wheels-in" | "wheels-out";

export const etagOf = (surgery: Pick<Surgery, "version">) => `"${surgery.version}"`;

export async function readSurgery(id: string): Promise<Surgery> {
  return (await schedulingApi.GET("/surgeries/{surgery_id}", { params: { path: { surgery_id: id } } })).data!;
}

export async function createSurgery(body: SurgeryBody): Promise<Surgery> {
  return (await schedulingApi.POST("/surgeries", { body })).data!;
}

export async function correctSurgery(id: string, version: number, body: SurgeryBody): Promise<Surgery> {
  const answer = await schedulingApi.PUT("/surgeries/{surgery_id}", {
    params: { path: { surgery_id: id }, header: { "if-match": `"${version}"` } },
    body,
  });
  return answer.data!;
}

export async function moveSurgery(surgery: Surgery, action: LifecycleAction, stop?: CaseStop): Promise<Surgery> {
  const params = { path: { surgery_id: surgery.surgery_id }, header: { "if-match": etagOf(surgery) } };
  switch (action) {
    case "confirm":
      return (await schedulingApi.POST("/surgeries/{surgery_id}/confirm", { params })).data!;
    case "postpone":
      return (await schedulingApi.POST("/surgeries/{surgery_id}/postpone", { params, body: stop! })).data!;
    case "cancel":
      return (await schedulingApi.POST("/surgeries/{surgery_id}/cancel", { params, body: stop! })).data!;
    case "wheels-in":
      return (await schedulingApi.POST("/surgeries/{surgery_id}/wheels-in", { params, body: {} })).data!;
    case "wheels-out":
      return (await schedulingApi.POST("/surgeries/{surgery_id}/wheels-out", { params, body: {} })).data!;
  }
}

export function useSurgery(id: Ref<string>) {
  const client = useQueryClient();
  const query = useQuery({ queryKey: ["surgeries", "one", id], queryFn: () => readSurgery(id.value) });
  const remember = (surgery: Surgery) => {
    client.setQueryData(["surgeries", "one", surgery.surgery_id], surgery);
    void client.invalidateQueries({ queryKey: ["surgeries", "list"] });
    void client.invalidateQueries({ queryKey: ["surgeries", "history", surgery.surgery_id] });
  };
  const move = useMutation({
    mutationFn: ({ action, stop }: { action: LifecycleAction; stop?: CaseStop }) => moveSurgery(query.data.value!, action, stop),
    onSuccess: remember,
  });
  return { query, surgery: computed(() => query.data.value), move, remember };
}
