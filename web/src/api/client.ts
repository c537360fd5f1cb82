// Typed clients for the four services (openapi-fetch over the generated types). Every request
// carries the access token; a 401 refreshes the session once and retries; a refused refresh
// sends the user to sign-in while the page keeps what they typed.
import createClient, { type Middleware } from "openapi-fetch";
import type { paths as AuthPaths } from "./generated/auth";
import type { paths as OptimizerPaths } from "./generated/optimizer";
import type { paths as ResourcesPaths } from "./generated/resources";
import type { paths as SchedulingPaths } from "./generated/scheduling";
import { ApiError, networkProblem, problemFrom } from "./problem";

export interface AuthHooks {
  token: () => string | null;
  /** True when a new access token was obtained. */
  refresh: () => Promise<boolean>;
  /** The session is gone: ask the user to sign in again (their input stays in memory). */
  signInAgain: () => void;
}

let hooks: AuthHooks = { token: () => null, refresh: async () => false, signInAgain: () => {} };

export function configureAuth(next: AuthHooks): void {
  hooks = next;
}

function withToken(request: Request, token: string | null): Request {
  const next = new Request(request);
  if (token) next.headers.set("Authorization", `Bearer ${token}`);
  return next;
}

/** fetch with the bearer token, one transparent refresh on 401, and problems as ApiError. */
export async function authorizedFetch(input: Request): Promise<Response> {
  const retry = input.clone();
  let response: Response;
  try {
    response = await fetch(withToken(input, hooks.token()));
    if (response.status === 401 && (await hooks.refresh())) {
      response = await fetch(withToken(retry, hooks.token()));
    }
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError(networkProblem());
  }
  if (response.status === 401) hooks.signInAgain();
  if (!response.ok && response.status !== 304) throw await problemFrom(response);
  return response;
}

const throwProblems: Middleware = {
  // openapi-fetch returns errors as values; the app wants them thrown (vue-query's error state).
  async onResponse({ response }) {
    if (!response.ok && response.status !== 304) throw await problemFrom(response);
    return undefined;
  },
};

function client<Paths extends {}>(service: string) {
  const api = createClient<Paths>({ baseUrl: `/api/${service}`, fetch: authorizedFetch });
  api.use(throwProblems);
  return api;
}

export const authApi = client<AuthPaths>("auth");
export const resourcesApi = client<ResourcesPaths>("resources");
export const schedulingApi = client<SchedulingPaths>("scheduling");
export const optimizerApi = client<OptimizerPaths>("optimizer");
