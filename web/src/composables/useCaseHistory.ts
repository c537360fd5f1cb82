// A case's history (who moved it, from what to what, when and why) from scheduling's
// `GET /surgeries/{id}/history`, readable by every role that reads the case. Scheduling names
// people it knows as staff; the signed-in user is named by their own name, and administrators,
// who may list users, see every user's name.
import { useQuery } from "@tanstack/vue-query";
import { computed, type Ref } from "vue";
import { authApi, schedulingApi } from "@/api/client";
import type { components } from "@/api/generated/scheduling";
import { humanize, reasonLabel } from "@/domain/cases";
import { useAuth } from "./useAuth";

export type CaseHistoryLine = components["schemas"]["CaseHistoryLine"];

export async function readCaseHistory(id: string): Promise<CaseHistoryLine[]> {
  const answer = await schedulingApi.GET("/surgeries/{surgery_id}/history", {
    params: { path: { surgery_id: id } },
  });
  return answer.data!.items;
}

export function useCaseHistory(id: Ref<string>) {
  const auth = useAuth();
  const isAdmin = computed(() => auth.user.value?.roles.includes("admin") ?? false);
  const lines = useQuery({ queryKey: ["surgeries", "history", id], queryFn: () => readCaseHistory(id.value) });
  const users = useQuery({
    queryKey: ["auth", "users"],
    enabled: isAdmin,
    staleTime: 5 * 60_000,
    queryFn: async () => (await authApi.GET("/users", { params: { query: { limit: 500 } } })).data!.items,
  });
  const names = computed(() => {
    const known = new Map((users.data.value ?? []).map((user) => [user.user_id, user.display_name]));
    const me = auth.user.value;
    if (me) known.set(me.user_id, me.display_name);
    return known;
  });
  return {
    lines,
    actorName: (line: Pick<CaseHistoryLine, "changed_by" | "changed_by_name">) =>
      (line.changed_by && names.value.get(line.changed_by)) || line.changed_by_name,
  };
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

/** Why, in words: the reason code and the free text, when given ("No bed available: No ICU bed"). */
export function reasonOf(line: Pick<CaseHistoryLine, "reason_code" | "reason">): string {
  const code = line.reason_code ? reasonLabel(line.reason_code) : "";
  if (code && line.reason) return `${code}: ${line.reason}`;
  return code || line.reason || "";
}
