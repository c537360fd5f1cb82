// The browser session against the auth service: sign-in with the refresh token kept in an
// HttpOnly cookie, refresh and logout through that cookie with the double-submit CSRF header.
// The access token itself is never written anywhere but memory (see composables/useAuth.ts).
import { ApiError, networkProblem, problemFrom } from "./problem";

export const AUTH_BASE = "/api/auth";
export const CSRF_COOKIE = "csrf_token";
export const CSRF_HEADER = "X-CSRF-Token";

export interface TokenAnswer {
  access_token: string;
  token_type: string;
  expires_in: number;
}

export function readCookie(name: string, cookies: string = document.cookie): string | null {
  for (const part of cookies.split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return decodeURIComponent(value.join("="));
  }
  return null;
}

async function send(path: string, init: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(`${AUTH_BASE}${path}`, { credentials: "same-origin", ...init });
  } catch {
    throw new ApiError(networkProblem());
  }
  if (!response.ok) throw await problemFrom(response);
  return response;
}

function csrfHeaders(): Record<string, string> {
  const token = readCookie(CSRF_COOKIE);
  return token ? { [CSRF_HEADER]: token } : {};
}

/** Signs in; the refresh token is set as a cookie the app's scripts cannot read. */
export async function signIn(email: string, password: string): Promise<TokenAnswer> {
  const form = new URLSearchParams({ username: email, password, refresh_transport: "cookie" });
  const response = await send("/token", { method: "POST", body: form });
  return (await response.json()) as TokenAnswer;
}

/** A new access token from the refresh cookie; an ApiError (401/403) when there is no session. */
export async function refreshSession(): Promise<TokenAnswer> {
  const response = await send("/refresh", { method: "POST", headers: csrfHeaders() });
  return (await response.json()) as TokenAnswer;
}

/** Ends the session on the server and clears its cookies. */
export async function signOut(accessToken: string | null): Promise<void> {
  const headers: Record<string, string> = csrfHeaders();
  if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
  await send("/logout", { method: "POST", headers });
}
