// What pages look names up in: staff (surgeons for pickers), rooms, equipment types and the
// hospital's time zone. Read once per session through vue-query; they change rarely.
import { useQuery } from "@tanstack/vue-query";
import { computed } from "vue";
import { resourcesApi } from "@/api/client";
import type { components } from "@/api/generated/resources";
import { DEFAULT_TIMEZONE, localDate } from "@/domain/dates";

export type StaffSummary = components["schemas"]["StaffSummary"];
export type RoomSummary = components["schemas"]["RoomSummary"];

const LONG = 5 * 60_000;
// The API's largest page; the demo hospital has 43 staff and 10 rooms.
const ALL = 500;

export function useStaff() {
  const query = useQuery({
    queryKey: ["resources", "staff"],
    staleTime: LONG,
    queryFn: async () => (await resourcesApi.GET("/staff", { params: { query: { limit: ALL, sort: "name" } } })).data!.items,
  });
  const staff = computed(() => query.data.value ?? []);
  const byId = computed(() => new Map(staff.value.map((person) => [person.staff_id, person])));
  const surgeons = computed(() => staff.value.filter((person) => person.role === "surgeon"));
  const specialties = computed(() => [...new Set(surgeons.value.flatMap((person) => person.specialties))].sort());
  return {
    query,
    staff,
    surgeons,
    specialties,
    nameOf: (id: string | null | undefined) => (id ? byId.value.get(id)?.name ?? "Unknown staff member" : ""),
  };
}

export function useRooms() {
  const query = useQuery({
    queryKey: ["resources", "rooms"],
    staleTime: LONG,
    queryFn: async () => (await resourcesApi.GET("/operating-rooms", { params: { query: { limit: ALL } } })).data!.items,
  });
  const byId = computed(() => new Map((query.data.value ?? []).map((room) => [room.room_id, room])));
  return {
    query,
    rooms: computed(() => query.data.value ?? []),
    roomName: (id: string | null | undefined) => {
      const room = id ? byId.value.get(id) : undefined;
      return room ? `${room.code} ${room.name}` : id ? "Unknown room" : "";
    },
  };
}

export function useEquipmentTypes() {
  const query = useQuery({
    queryKey: ["resources", "equipment"],
    staleTime: LONG,
    queryFn: async () => (await resourcesApi.GET("/equipment", { params: { query: { limit: ALL } } })).data!.items,
  });
  return computed(() => [...new Set((query.data.value ?? []).map((item) => item.equipment_type))].sort());
}

/** The hospital's time zone (resources answers it with every availability calendar). */
export function useHospitalTimeZone() {
  const query = useQuery({
    queryKey: ["resources", "timezone"],
    staleTime: Infinity,
    queryFn: async () => {
      const today = localDate(new Date(), DEFAULT_TIMEZONE);
      const answer = await resourcesApi.GET("/availability", {
        params: { query: { from: today, to: today, kind: ["rooms"] } },
      });
      return answer.data!.timezone;
    },
  });
  const timeZone = computed(() => query.data.value ?? DEFAULT_TIMEZONE);
  return { timeZone, today: computed(() => localDate(new Date(), timeZone.value)) };
}
