// The equipment administration's calls: the list (retired too when asked), one kind of equipment
// with its units and their maintenance windows, and every change sent with the ETag read
// (If-Match), answered with the equipment as it then is.
import { useQuery, type QueryClient } from "@tanstack/vue-query";
import type { Ref } from "vue";
import { resourcesApi } from "@/api/client";
import type { Equipment, EquipmentCreateBody, EquipmentUpdateBody, UnitBody } from "@/domain/equipmentAdmin";
import type { WindowBody } from "@/domain/localWindow";

const ALL = 500;

/** Equipment by name, narrowed by `search` (part of its name or type). */
export function useEquipmentList(includeRetired: Ref<boolean>, search: Ref<string>) {
  return useQuery({
    queryKey: ["resources", "equipment", "admin", includeRetired, search],
    queryFn: async () => {
      const q = search.value.trim() || undefined;
      const query = { limit: ALL, sort: "name" as const, include_retired: includeRetired.value, q };
      return (await resourcesApi.GET("/equipment", { params: { query } })).data!.items;
    },
    placeholderData: (previous) => previous,
  });
}

const at = (id: string, ifMatch: string) => ({ path: { equipment_id: id }, header: { "if-match": ifMatch } });
const atUnit = (id: string, unitId: string, ifMatch: string) => ({ path: { equipment_id: id, unit_id: unitId }, header: { "if-match": ifMatch } });

export const readEquipment = async (id: string): Promise<Equipment> =>
  (await resourcesApi.GET("/equipment/{equipment_id}", { params: { path: { equipment_id: id } } })).data!;

export const createEquipment = async (body: EquipmentCreateBody): Promise<Equipment> => (await resourcesApi.POST("/equipment", { body })).data!;

export const replaceEquipment = async (id: string, body: EquipmentUpdateBody, ifMatch: string): Promise<Equipment> =>
  (await resourcesApi.PUT("/equipment/{equipment_id}", { params: at(id, ifMatch), body })).data!;

export const retireEquipment = async (id: string, ifMatch: string): Promise<Equipment> =>
  (await resourcesApi.POST("/equipment/{equipment_id}/retire", { params: at(id, ifMatch) })).data!;

export const addUnit = async (id: string, body: UnitBody, ifMatch: string): Promise<Equipment> => {
  const { label, serial_number, fixed_room_id } = body;
  return (await resourcesApi.POST("/equipment/{equipment_id}/units", { params: at(id, ifMatch), body: { label, serial_number, fixed_room_id } })).data!;
};

export const replaceUnit = async (id: string, unitId: string, body: UnitBody, ifMatch: string): Promise<Equipment> =>
  (await resourcesApi.PUT("/equipment/{equipment_id}/units/{unit_id}", { params: atUnit(id, unitId, ifMatch), body })).data!;

export const retireUnit = async (id: string, unitId: string, ifMatch: string): Promise<Equipment> =>
  (await resourcesApi.POST("/equipment/{equipment_id}/units/{unit_id}/retire", { params: atUnit(id, unitId, ifMatch) })).data!;

export const addMaintenance = async (id: string, unitId: string, body: WindowBody, ifMatch: string): Promise<Equipment> =>
  (await resourcesApi.POST("/equipment/{equipment_id}/units/{unit_id}/maintenance", { params: atUnit(id, unitId, ifMatch), body })).data!;

export const removeMaintenance = async (id: string, unitId: string, windowId: string, ifMatch: string): Promise<Equipment> =>
  (
    await resourcesApi.DELETE("/equipment/{equipment_id}/units/{unit_id}/maintenance/{window_id}", {
      params: { path: { equipment_id: id, unit_id: unitId, window_id: windowId }, header: { "if-match": ifMatch } },
    })
  ).data!;

/** After a change: equipment as the lists, pickers and board know it. */
export function equipmentChanged(client: QueryClient): Promise<unknown> {
  return Promise.all([["resources"], ["availability"]].map((queryKey) => client.invalidateQueries({ queryKey })));
}
