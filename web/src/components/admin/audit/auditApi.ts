// The audit log's entries from either source (auth's durable store of every service's entries,
// or scheduling's own log of who read or changed which case), in one shape for the table; and
// the names of the users who acted, read once each.
import { keepPreviousData, useQuery } from "@tanstack/vue-query";
import { computed, reactive, type Ref, watch } from "vue";
import { authApi, schedulingApi } from "@/api/client";
import { readUser } from "@/components/admin/users/usersApi";
import { type AuditEntry, type AuditFilters, auditQuery } from "@/domain/audit";

export type AuditRow = Pick<AuditEntry, "audit_id" | "at" | "service" | "actor_kind" | "actor_id" | "action" | "record_type" | "record_id" | "details" | "request_id">;

export function useAuditLog(filters: Ref<AuditFilters>, timeZone: Ref<string>) {
  const source = computed(() => filters.value.source);
  const query = computed(() => auditQuery(filters.value, timeZone.value));
  const log = useQuery({
    queryKey: ["audit", source, query],
    placeholderData: keepPreviousData,
    // Entries arrive all the time: a look is always a fresh read.
    staleTime: 0,
    queryFn: async (): Promise<{ items: AuditRow[]; total: number }> => {
      if (source.value === "scheduling") {
        const { service: _service, ...rest } = query.value;
        const page = (await schedulingApi.GET("/audit", { params: { query: rest } })).data!;
        return { total: page.total, items: page.items.map((entry) => ({ ...entry, service: "scheduling", request_id: entry.request_id ?? null })) };
      }
      const page = (await authApi.GET("/audit-entries", { params: { query: query.value } })).data!;
      return { total: page.total, items: page.items };
    },
  });
  return {
    log,
    items: computed(() => log.data.value?.items ?? []),
    total: computed(() => log.data.value?.total ?? 0),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Names by user id, kept for the session: null while asked, "" when the id is no user's.
const names = reactive(new Map<string, string | null>());

function ask(id: string) {
  if (!UUID.test(id) || names.has(id)) return;
  names.set(id, null);
  readUser(id)
    .then((user) => names.set(id, `${user.display_name} (${user.email})`))
    .catch(() => names.set(id, ""));
}

/**
 * The name of an acting user (and their email), asked once per id for the rows shown; a
 * service's name as it is; the id itself until the name arrives, or when it is no user's.
 */
export function useActorNames(rows: Ref<readonly Pick<AuditRow, "actor_kind" | "actor_id">[]>) {
  watch(
    rows,
    (now) => {
      for (const row of now) if (row.actor_kind === "user") ask(row.actor_id);
    },
    { immediate: true },
  );
  return {
    nameOf: (kind: string, id: string): string => (kind === "user" ? names.get(id) || id : id),
  };
}

/** The id of the user with exactly this email, or null. */
export async function userIdByEmail(email: string): Promise<string | null> {
  const wanted = email.trim().toLowerCase();
  const page = (await authApi.GET("/users", { params: { query: { q: wanted.slice(0, 100), limit: 50 } } })).data!;
  return page.items.find((user) => user.email.toLowerCase() === wanted)?.user_id ?? null;
}
