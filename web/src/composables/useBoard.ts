// The board's server state through vue-query: the schedule of a date (or a week), the rooms',
// staff's and units' availability, the waiting cases, and the booking dry run and write.
import { useQuery, useQueryClient } from "@tanstack/vue-query";
import { computed, type Ref } from "vue";
import { resourcesApi, schedulingApi } from "@/api/client";
import { ApiError } from "@/api/problem";
import type { components } from "@/api/generated/scheduling";
import type { Availability, RoomException, Schedule, Surgery } from "@/components/board/boardModel";

export type BookingRequest = components["schemas"]["BookingRequest"];
export type BookingCheck = components["schemas"]["BookingCheck"];

/** Every query the board reads starts with one of these; the live revision refreshes them all. */
export const BOARD_KEYS = [["schedule"], ["availability"], ["surgeries"]] as const;

export async function fetchSchedule(from: string, to: string): Promise<Schedule> {
  const answer = await schedulingApi.GET("/schedule", { params: { query: { date: from, to } } });
  performance.mark("board-data-schedule");
  return answer.data!;
}

export async function fetchAvailability(from: string, to: string): Promise<Availability> {
  const answer = await resourcesApi.GET("/availability", {
    params: { query: { from, to, kind: ["rooms", "staff", "equipment"] } },
  });
  performance.mark("board-data-availability");
  return answer.data!;
}

export function useSchedule(from: Ref<string>, to: Ref<string>) {
  return useQuery({
    queryKey: ["schedule", from, to],
    // A form with no date yet asks nothing.
    enabled: computed(() => Boolean(from.value && to.value)),
    staleTime: 0,
    queryFn: () => fetchSchedule(from.value, to.value),
  });
}

export function useAvailability(from: Ref<string>, to: Ref<string>) {
  return useQuery({
    queryKey: ["availability", from, to],
    enabled: computed(() => Boolean(from.value && to.value)),
    staleTime: 30_000,
    queryFn: () => fetchAvailability(from.value, to.value),
  });
}

/** Each room's dated exceptions (closures, maintenance, extended hours), read room by room. */
export function useRoomExceptions(roomIds: Ref<string[]>) {
  const query = useQuery({
    // Not under a board key: exceptions are resources data, which the schedule's revision does not follow.
    queryKey: ["resources", "room-exceptions", roomIds],
    staleTime: 60_000,
    enabled: computed(() => roomIds.value.length > 0),
    queryFn: async () => {
      const rooms = await Promise.all(
        roomIds.value.map((roomId) => resourcesApi.GET("/operating-rooms/{room_id}", { params: { path: { room_id: roomId } } })),
      );
      return new Map(rooms.map((answer) => [answer.data!.room_id, answer.data!.exceptions as RoomException[]]));
    },
  });
  return (roomId: string): RoomException[] => query.data.value?.get(roomId) ?? [];
}

/** The waiting cases (requested or postponed), most pressing first; the board's side list. */
export function useWaitingCases(search: Ref<string>) {
  const query = useQuery({
    queryKey: ["surgeries", "board-waiting", search],
    staleTime: 0,
    queryFn: async () => {
      const q = search.value.trim();
      const answer = await schedulingApi.GET("/surgeries", {
        params: { query: { waiting: true, sort: "priority", limit: 100, ...(q ? { q } : {}) } },
      });
      return answer.data!;
    },
  });
  return { query, items: computed<Surgery[]>(() => query.data.value?.items ?? []), total: computed(() => query.data.value?.total ?? 0) };
}

export async function fetchSurgery(surgeryId: string): Promise<Surgery> {
  const answer = await schedulingApi.GET("/surgeries/{surgery_id}", { params: { path: { surgery_id: surgeryId } } });
  return answer.data!;
}

/** The dry run: whether the booking fits, and every conflict in its way. Writes nothing. */
export async function checkBooking(surgeryId: string, body: BookingRequest): Promise<BookingCheck> {
  const answer = await schedulingApi.POST("/surgeries/{surgery_id}/booking/check", {
    params: { path: { surgery_id: surgeryId } },
    body,
  });
  return answer.data!;
}

/** Books (or moves) the case; `version` guards against someone else's change since it was read (412). */
export async function book(surgeryId: string, body: BookingRequest, version: number | null): Promise<Surgery> {
  const answer = await schedulingApi.PUT("/surgeries/{surgery_id}/booking", {
    params: { path: { surgery_id: surgeryId }, header: version === null ? {} : { "if-match": `"${version}"` } },
    body,
  });
  return answer.data!;
}

export function useBoardRefresh() {
  const client = useQueryClient();
  return () => Promise.all(BOARD_KEYS.map((queryKey) => client.invalidateQueries({ queryKey: [...queryKey] })));
}

export type Conflict = components["schemas"]["ConflictPublic"];

/** How an attempt to book or move ended; nothing the coordinator chose is dropped on the floor. */
export type Attempt =
  | { kind: "booked"; surgery: Surgery }
  | { kind: "conflicts"; conflicts: Conflict[] }
  | { kind: "stale"; detail: string }
  | { kind: "refused"; detail: string }
  | { kind: "failed"; error: unknown };

/**
 * Books or moves a case. With `checkFirst` the dry run answers first (a drop shows its verdict
 * at once; a promise is the answer already asked for while dragging) and only a fitting booking
 * is written; the write itself may still answer 409 (someone
 * took the slot meanwhile: its conflicts) or 412 (the case changed since it was read).
 */
export async function attemptBooking(
  surgeryId: string,
  body: BookingRequest,
  version: number | null,
  options: { checkFirst?: boolean | Promise<BookingCheck>; onCheck?: (check: BookingCheck) => void } = {},
): Promise<Attempt> {
  try {
    if (options.checkFirst) {
      const check = await (options.checkFirst === true ? checkBooking(surgeryId, body) : options.checkFirst);
      options.onCheck?.(check);
      if (!check.fits) return { kind: "conflicts", conflicts: check.conflicts };
    }
    return { kind: "booked", surgery: await book(surgeryId, body, version) };
  } catch (error) {
    if (error instanceof ApiError) {
      if (error.status === 409) {
        const conflicts = (error.problem.conflicts ?? []) as Conflict[];
        if (conflicts.length > 0) return { kind: "conflicts", conflicts };
        return { kind: "refused", detail: error.problem.detail ?? "The booking was refused." };
      }
      if (error.status === 412) {
        return {
          kind: "stale",
          detail:
            "Someone else changed this case after you read it, so your change was not saved. " +
            "The board now shows the case as it is; check it and place it again.",
        };
      }
      if (!error.isServerOrNetwork) {
        return { kind: "refused", detail: error.problem.detail ?? error.problem.title ?? "The booking was refused." };
      }
    }
    return { kind: "failed", error };
  }
}
