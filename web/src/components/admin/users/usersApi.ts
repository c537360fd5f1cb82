// The auth service's user administration and signing keys, as the admin pages call them. Every
// change of a user goes with If-Match (the version read), so a stale change is refused (412).
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/vue-query";
import { computed, type Ref } from "vue";
import { authApi } from "@/api/client";
import type { components } from "@/api/generated/auth";
import { type Role, type SigningKey, type User, type UserFilters, usersQuery } from "@/domain/users";

export type UserCreate = components["schemas"]["UserCreate"];

export const USERS_KEY = ["auth", "users"] as const;
export const KEYS_KEY = ["auth", "signing-keys"] as const;

export function useUserList(filters: Ref<UserFilters>) {
  const query = computed(() => usersQuery(filters.value));
  const list = useQuery({
    queryKey: [...USERS_KEY, "list", query],
    placeholderData: keepPreviousData,
    queryFn: async () => (await authApi.GET("/users", { params: { query: query.value } })).data!,
  });
  const client = useQueryClient();
  return {
    list,
    items: computed(() => list.data.value?.items ?? []),
    total: computed(() => list.data.value?.total ?? 0),
    /** After a change: every list of users is read again. */
    invalidate: () => client.invalidateQueries({ queryKey: USERS_KEY }),
  };
}

export async function readUser(userId: string): Promise<User> {
  return (await authApi.GET("/users/{user_id}", { params: { path: { user_id: userId } } })).data!;
}

export async function createUser(body: UserCreate): Promise<User> {
  return (await authApi.POST("/users", { body })).data!;
}

export async function replaceRoles(user: User, roles: Role[], ifMatch: string): Promise<User> {
  const params = { path: { user_id: user.user_id }, header: { "if-match": ifMatch } };
  return (await authApi.PUT("/users/{user_id}/roles", { params, body: { roles } })).data!;
}

export async function setActive(user: User, active: boolean, ifMatch: string): Promise<User> {
  const params = { path: { user_id: user.user_id }, header: { "if-match": ifMatch } };
  const answer = active
    ? await authApi.POST("/users/{user_id}/reactivate", { params })
    : await authApi.POST("/users/{user_id}/deactivate", { params });
  return answer.data!;
}

export async function resetPassword(user: User, password: string): Promise<void> {
  await authApi.PUT("/users/{user_id}/password", { params: { path: { user_id: user.user_id } }, body: { new_password: password } });
}

export function useSigningKeys() {
  return useQuery({
    queryKey: KEYS_KEY,
    queryFn: async (): Promise<SigningKey[]> => (await authApi.GET("/signing-keys")).data!,
  });
}

export async function rotateSigningKey(): Promise<SigningKey[]> {
  return (await authApi.POST("/signing-keys/rotate", { body: {} })).data!;
}
