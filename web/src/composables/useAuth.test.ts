import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { resetAuthForTests, useAuth } from "./useAuth";

const me = { user_id: "u-1", email: "cora@example.org", display_name: "Cora", roles: ["coordinator"], active: true };

function answer(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

/** A fake auth service: which URLs were asked, with what. */
function authService(refreshStatus = 200) {
  const calls: { url: string; init?: RequestInit }[] = [];
  const fetch = vi.fn(async (url: string, init?: RequestInit) => {
    calls.push({ url, init });
    if (url.endsWith("/token")) return answer(200, { access_token: "access-1", token_type: "bearer", expires_in: 900 });
    if (url.endsWith("/refresh")) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return refreshStatus === 200
        ? answer(200, { access_token: "access-2", token_type: "bearer", expires_in: 900 })
        : answer(refreshStatus, { status: refreshStatus, title: "Unauthorized" });
    }
    if (url.endsWith("/me")) return answer(200, me);
    if (url.endsWith("/logout")) return new Response(null, { status: 204 });
    return answer(404, { status: 404 });
  });
  vi.stubGlobal("fetch", fetch);
  return calls;
}

describe("useAuth", () => {
  beforeEach(() => {
    resetAuthForTests();
    document.cookie = "csrf_token=csrf-1; path=/";
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("signs in asking for the refresh token as a cookie and keeps the access token in memory only", async () => {
    const calls = authService();
    const auth = useAuth();
    await auth.signIn("cora@example.org", "pw");
    const form = new URLSearchParams(calls[0]!.init!.body as URLSearchParams);
    expect(form.get("refresh_transport")).toBe("cookie");
    expect(auth.accessToken.value).toBe("access-1");
    expect(auth.user.value?.display_name).toBe("Cora");
    expect(auth.canPlan.value).toBe(true);
    expect(localStorage.length + sessionStorage.length).toBe(0);
  });

  it("refreshes once for many callers, sending the CSRF header from its cookie", async () => {
    const calls = authService();
    const auth = useAuth();
    const results = await Promise.all([auth.refresh(), auth.refresh(), auth.refresh()]);
    expect(results).toEqual([true, true, true]);
    const refreshes = calls.filter((call) => call.url.endsWith("/refresh"));
    expect(refreshes).toHaveLength(1);
    expect((refreshes[0]!.init!.headers as Record<string, string>)["X-CSRF-Token"]).toBe("csrf-1");
    expect(auth.accessToken.value).toBe("access-2");
  });

  it("forgets the user when the refresh is refused", async () => {
    authService();
    const auth = useAuth();
    await auth.signIn("cora@example.org", "pw");
    authService(401);
    expect(await auth.refresh()).toBe(false);
    expect(auth.signedIn.value).toBe(false);
  });

  it("treats a refresh the network lost as a failure, not as a refusal", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
    await expect(useAuth().refresh()).rejects.toMatchObject({ status: 0 });
  });
});
