// The rooms administration's calls: the list (retired rooms too when asked), one room with its
// exceptions, and every change sent with the ETag read (If-Match), answered with the room as it
// then is. A change makes what other pages know of rooms and their hours stale.
import { useQuery, type QueryClient } from "@tanstack/vue-query";
import type { Ref } from "vue";
import { resourcesApi } from "@/api/client";
import type { ExceptionBody, Room, RoomBody } from "@/domain/roomsAdmin";

// The API's largest page; a hospital has tens of rooms.
const ALL = 500;

/** The rooms in code order, narrowed by `search` (part of a code, name or location). */
export function useRoomList(includeRetired: Ref<boolean>, search: Ref<string>) {
  return useQuery({
    queryKey: ["resources", "rooms", "admin", includeRetired, search],
    queryFn: async () => {
      const q = search.value.trim() || undefined;
      const query = { limit: ALL, sort: "code" as const, include_retired: includeRetired.value, q };
      return (await resourcesApi.GET("/operating-rooms", { params: { query } })).data!.items;
    },
    placeholderData: (previous) => previous,
  });
}

const at = (roomId: string, ifMatch?: string) => ({ path: { room_id: roomId }, header: ifMatch ? { "if-match": ifMatch } : undefined });

export const readRoom = async (roomId: string): Promise<Room> =>
  (await resourcesApi.GET("/operating-rooms/{room_id}", { params: { path: { room_id: roomId } } })).data!;

export const createRoom = async (body: RoomBody): Promise<Room> => (await resourcesApi.POST("/operating-rooms", { body })).data!;

export const replaceRoom = async (roomId: string, body: RoomBody, ifMatch: string): Promise<Room> =>
  (await resourcesApi.PUT("/operating-rooms/{room_id}", { params: at(roomId, ifMatch), body })).data!;

export const addRoomException = async (roomId: string, body: ExceptionBody, ifMatch: string): Promise<Room> =>
  (await resourcesApi.POST("/operating-rooms/{room_id}/exceptions", { params: at(roomId, ifMatch), body })).data!;

export const removeRoomException = async (roomId: string, exceptionId: string, ifMatch: string): Promise<Room> =>
  (
    await resourcesApi.DELETE("/operating-rooms/{room_id}/exceptions/{exception_id}", {
      params: { path: { room_id: roomId, exception_id: exceptionId }, header: { "if-match": ifMatch } },
    })
  ).data!;

export const retireRoom = async (roomId: string, ifMatch: string): Promise<Room> =>
  (await resourcesApi.POST("/operating-rooms/{room_id}/retire", { params: at(roomId, ifMatch) })).data!;

/** After a change: rooms, their hours and exceptions as the lists, pickers and board know them. */
export function roomsChanged(client: QueryClient): Promise<unknown> {
  return Promise.all([["resources"], ["availability"]].map((queryKey) => client.invalidateQueries({ queryKey })));
}
