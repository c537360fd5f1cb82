// A case's history (who moved it, from what to what, when and why) from scheduling's
// `GET /surgeries/{id}/history`, readable by every role that reads the case.
import { useQuery } from "@tanstack/vue-query";
import type { Ref } from "vue";
import { schedulingApi } from "@/api/client";
import type { components } from "@/api/generated/scheduling";
import { humanize } from "@/domain/cases";

export type CaseHistoryLine = components["schemas"]["CaseHistoryLine"];

export async function readCaseHistory(id: string): Promise<CaseHistoryLine[]> {
  const answer = await schedulingApi.GET("/surgeries/{surgery_id}/history", {
    params: { path: { surgery_id: id } },
  });
  return answer.data!.items;
}

export function useCaseHistory(id: Ref<string>) {
  return useQuery({ queryKey: ["surgeries", "history", id], queryFn: () => readCaseHistory(id.value) });
}

const MOVES: Record<string, string> = {
  "→requested": "Requested",
  "requested→scheduled": "Booked",
  "postponed→scheduled": "Booked again",
  "scheduled→scheduled": "Moved",
  "confirmed→scheduled": "Moved",
  "scheduled→confirmed": "Confirmed",
  "scheduled→in_room": "Wheels in",
  "confirmed→in_room": "Wheels in",
  "in_room→completed": "Wheels out",
};

/** What a line did, in words: "Booked", "Postponed", "Requested" ... */
export function whatHappened(line: Pick<CaseHistoryLine, "from_status" | "to_status">): string {
  const move = `${line.from_status ?? ""}→${line.to_status}`;
  if (MOVES[move]) return MOVES[move];
  if (line.from_status === line.to_status) return "Changed";
  return humanize(line.to_status);
}

/** Why, in words: the reason code and the free text, when given ("No bed: No ICU bed"). */
export function reasonOf(line: Pick<CaseHistoryLine, "reason_code" | "reason">): string {
  const code = line.reason_code ? humanize(line.reason_code) : "";
  if (code && line.reason) return `${code}: ${line.reason}`;
  return code || line.reason || "";
}
