// Who is signed in, and the access token: held in module-level refs (memory only, never in
// localStorage or sessionStorage), restored on load from the HttpOnly refresh cookie.
import { computed, readonly, ref } from "vue";
import type { components } from "@/api/generated/auth";
import { ApiError } from "@/api/problem";
import * as session from "@/api/session";

export type User = components["schemas"]["UserPublic"];
export type Role = components["schemas"]["Role"];

const accessToken = ref<string | null>(null);
const user = ref<User | null>(null);
// A refresh in flight: concurrent 401s share it instead of each rotating the cookie.
let refreshing: Promise<boolean> | null = null;

async function loadUser(token: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`${session.AUTH_BASE}/me`, { headers: { Authorization: `Bearer ${token}` } });
  } catch {
    throw new ApiError({ status: 0, title: "Network failure", detail: "The server could not be reached." });
  }
  if (!response.ok) throw new ApiError({ status: response.status, title: "Could not read your account" });
  user.value = (await response.json()) as User;
}

async function adopt(answer: session.TokenAnswer): Promise<void> {
  await loadUser(answer.access_token);
  accessToken.value = answer.access_token;
}

function forget(): void {
  accessToken.value = null;
  user.value = null;
}

async function signIn(email: string, password: string): Promise<void> {
  await adopt(await session.signIn(email, password));
}

/**
 * A new access token from the refresh cookie, once however many callers ask at the same time.
 * False when the server refuses (no session, expired, revoked): the caller goes to sign-in.
 * A network failure is thrown, not taken for a refusal.
 */
function refresh(): Promise<boolean> {
  refreshing ??= (async () => {
    try {
      await adopt(await session.refreshSession());
      return true;
    } catch (error) {
      if (error instanceof ApiError && !error.isServerOrNetwork) {
        forget();
        return false;
      }
      throw error;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

async function signOut(): Promise<void> {
  try {
    await session.signOut(accessToken.value);
  } finally {
    forget();
  }
}

function hasAnyRole(...roles: Role[]): boolean {
  return roles.some((role) => user.value?.roles.includes(role) ?? false);
}

export function useAuth() {
  return {
    user: readonly(user),
    accessToken: readonly(accessToken),
    signedIn: computed(() => accessToken.value !== null && user.value !== null),
    // What the UI offers; the server decides all the same (a hidden button is not a permission).
    canPlan: computed(() => hasAnyRole("admin", "coordinator")),
    isAdmin: computed(() => hasAnyRole("admin")),
    canRequest: computed(() => hasAnyRole("admin", "coordinator", "surgeon")),
    canRecordWheels: computed(() => hasAnyRole("admin", "coordinator", "surgeon", "anaesthetist", "nurse")),
    isSurgeonOnly: computed(() => hasAnyRole("surgeon") && !hasAnyRole("admin", "coordinator")),
    signIn,
    refresh,
    signOut,
  };
}

/** For the HTTP layer: the token to send now (no reactivity needed). */
export function currentAccessToken(): string | null {
  return accessToken.value;
}

/** Tests only: forget the signed-in user between cases. */
export function resetAuthForTests(): void {
  forget();
  refreshing = null;
}
