// A case's history (who did what, when) from scheduling's audit log. The log is readable by
// administrators only: for anyone else the query answers `restricted` instead of entries.
import { useQuery } from "@tanstack/vue-query";
import { computed, type Ref } from "vue";
import { authApi, schedulingApi } from "@/api/client";
import { ApiError } from "@/api/problem";
import { useAuth } from "./useAuth";

// Reads of lists and pages are audited too; the history shows what changed the case.
const isChange = (action: string) => !/\.(list|read|view|export)$/.test(action);

export function useCaseHistory(id: Ref<string>) {
  const auth = useAuth();
  const isAdmin = computed(() => auth.user.value?.roles.includes("admin") ?? false);
  const entries = useQuery({
    queryKey: ["surgeries", "history", id],
    enabled: isAdmin,
    queryFn: async () => {
      const answer = await schedulingApi.GET("/audit", { params: { query: { record_id: id.value, limit: 200 } } });
      return answer.data!.items.filter((entry) => isChange(entry.action)).reverse();
    },
    retry: (failures, error) => !(error instanceof ApiError && error.status === 403) && failures < 2,
  });
  const users = useQuery({
    queryKey: ["auth", "users"],
    enabled: isAdmin,
    staleTime: 5 * 60_000,
    queryFn: async () => (await authApi.GET("/users", { params: { query: { limit: 500 } } })).data!.items,
  });
  const names = computed(() => new Map((users.data.value ?? []).map((user) => [user.user_id, user.display_name])));
  return {
    restricted: computed(() => !isAdmin.value),
    entries,
    actorName: (id: string) => names.value.get(id) ?? (id === auth.user.value?.user_id ? auth.user.value.display_name : id),
  };
}

/** "surgery.wheels_in" -> "Wheels in", "booking.book" -> "Booked". */
export function actionLabel(action: string): string {
  const known: Record<string, string> = {
    "surgery.create": "Requested",
    "surgery.update": "Request corrected",
    "surgery.confirm": "Confirmed",
    "surgery.postpone": "Postponed",
    "surgery.cancel": "Cancelled",
    "surgery.wheels_in": "Wheels in",
    "surgery.wheels_out": "Wheels out",
    "booking.book": "Booked",
    "booking.move": "Moved",
    "booking.refused": "Booking refused",
  };
  const tail = action.split(".").pop() ?? action;
  return known[action] ?? tail.charAt(0).toUpperCase() + tail.slice(1).replace(/_/g, " ");
}
