// The waiting list as the coordinator filters, sorts and pages it. The filters live in module
// state, so going to a case and back keeps them for the rest of the session.
import { keepPreviousData, useQuery } from "@tanstack/vue-query";
import { computed, reactive } from "vue";
import { schedulingApi } from "@/api/client";
import type { paths } from "@/api/generated/scheduling";
import type { Priority, Status } from "@/domain/cases";

type ListQuery = NonNullable<paths["/surgeries"]["get"]["parameters"]["query"]>;
export type SortKey = NonNullable<ListQuery["sort"]>;

export interface WaitingListFilters {
  priority: Priority[];
  status: Status[];
  specialty: string | null;
  surgeonId: string | null;
  dueBefore: string | null;
  mrn: string;
  sort: SortKey;
  offset: number;
  limit: number;
}

export const WAITING_STATUSES: Status[] = ["requested", "postponed"];

function initialFilters(): WaitingListFilters {
  return {
    priority: [],
    status: [...WAITING_STATUSES],
    specialty: null,
    surgeonId: null,
    dueBefore: null,
    mrn: "",
    sort: "priority",
    offset: 0,
    limit: 25,
  };
}

const filters = reactive<WaitingListFilters>(initialFilters());

/** The API's query for the filters: empty filters are left out, not sent empty. */
export function toQuery(state: WaitingListFilters): ListQuery {
  const query: ListQuery = { sort: state.sort, offset: state.offset, limit: state.limit };
  if (state.priority.length > 0) query.priority = [...state.priority];
  if (state.status.length > 0) query.status = [...state.status];
  if (state.specialty) query.specialty = state.specialty;
  if (state.surgeonId) query.surgeon_id = state.surgeonId;
  if (state.dueBefore) query.due_before = state.dueBefore;
  if (state.mrn.trim()) query.q = state.mrn.trim();
  return query;
}

export function useWaitingList() {
  const query = computed(() => toQuery(filters));
  const list = useQuery({
    queryKey: ["surgeries", "list", query],
    placeholderData: keepPreviousData,
    queryFn: async () => (await schedulingApi.GET("/surgeries", { params: { query: query.value } })).data!,
  });
  return {
    filters,
    list,
    items: computed(() => list.data.value?.items ?? []),
    total: computed(() => list.data.value?.total ?? 0),
    /** A changed filter shows its first page. */
    refilter: () => {
      filters.offset = 0;
    },
    reset: () => Object.assign(filters, initialFilters()),
  };
}
