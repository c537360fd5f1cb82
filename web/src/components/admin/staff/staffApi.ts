// Staff members through the resources API: the list (filtered by role and state), one member
// with their absences, and every change sent with the ETag read (If-Match), answered with the
// member as they then are. The user accounts a member may be linked to come from auth (admins).
import { keepPreviousData, useQuery, type QueryClient } from "@tanstack/vue-query";
import { computed, type Ref } from "vue";
import { authApi, resourcesApi } from "@/api/client";
import type { StaffRole } from "@/domain/cases";
import type { AbsenceBody, StaffBody, StaffMember, StaffSummary } from "@/domain/staffAdmin";

/** Who is listed: those in service (active or inactive), one of the two, or the retired too. */
export type StaffShown = "in_service" | "active" | "inactive" | "all";

export interface StaffFilter {
  role: StaffRole | null;
  shown: StaffShown;
  q: string;
  offset: number;
}

/** Staff members a page of the list shows. */
export const PAGE_SIZE = 25;
// The API's largest page: every account an admin may link.
const ALL = 500;

export function useStaffList(filter: Ref<StaffFilter>) {
  const query = computed(() => {
    const { role, shown, q, offset } = filter.value;
    return {
      limit: PAGE_SIZE,
      offset,
      sort: "name" as const,
      include_retired: shown === "all",
      ...(role ? { role } : {}),
      ...(shown === "active" || shown === "inactive" ? { status: shown } : {}),
      ...(q.trim() ? { q: q.trim() } : {}),
    };
  });
  return useQuery({
    queryKey: ["resources", "staff", "admin", query],
    placeholderData: keepPreviousData,
    queryFn: async (): Promise<{ items: StaffSummary[]; total: number }> => {
      const page = (await resourcesApi.GET("/staff", { params: { query: query.value } })).data!;
      return { items: page.items, total: page.total };
    },
  });
}

/** The active user accounts, for linking one to a staff member (only admins may list them). */
export function useUserAccounts(enabled: Ref<boolean>) {
  return useQuery({
    queryKey: ["auth", "users", "accounts"],
    enabled,
    staleTime: 60_000,
    queryFn: async () => (await authApi.GET("/users", { params: { query: { limit: ALL, active: true } } })).data!.items,
  });
}

const at = (staffId: string, ifMatch: string) => ({ path: { staff_id: staffId }, header: { "if-match": ifMatch } });

export const readStaff = async (staffId: string): Promise<StaffMember> =>
  (await resourcesApi.GET("/staff/{staff_id}", { params: { path: { staff_id: staffId } } })).data!;

export const createStaff = async (body: StaffBody): Promise<StaffMember> => (await resourcesApi.POST("/staff", { body })).data!;

export const replaceStaff = async (staffId: string, body: StaffBody, ifMatch: string): Promise<StaffMember> =>
  (await resourcesApi.PUT("/staff/{staff_id}", { params: at(staffId, ifMatch), body })).data!;

export const addAbsence = async (staffId: string, body: AbsenceBody, ifMatch: string): Promise<StaffMember> =>
  (await resourcesApi.POST("/staff/{staff_id}/absences", { params: at(staffId, ifMatch), body })).data!;

export const removeAbsence = async (staffId: string, absenceId: string, ifMatch: string): Promise<StaffMember> =>
  (
    await resourcesApi.DELETE("/staff/{staff_id}/absences/{absence_id}", {
      params: { path: { staff_id: staffId, absence_id: absenceId }, header: { "if-match": ifMatch } },
    })
  ).data!;

export const retireStaff = async (staffId: string, ifMatch: string): Promise<StaffMember> =>
  (await resourcesApi.POST("/staff/{staff_id}/retire", { params: at(staffId, ifMatch) })).data!;

/** After a change: staff as the lists, pickers and the board know them. */
export function staffChanged(client: QueryClient): Promise<unknown> {
  return Promise.all([["resources"], ["availability"]].map((queryKey) => client.invalidateQueries({ queryKey })));
}
