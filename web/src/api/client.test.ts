import { afterEach, describe, expect, it, vi } from "vitest";
import { authorizedFetch, configureAuth } from "./client";
import { ApiError } from "./problem";

function problem(status: number): Response {
  return new Response(JSON.stringify({ status, title: "x" }), { status, headers: { "Content-Type": "application/problem+json" } });
}

describe("authorizedFetch", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("refreshes an expired token once and retries the request with the new one", async () => {
    let token = "old";
    const seen: string[] = [];
    vi.stubGlobal("fetch", vi.fn(async (request: Request) => {
      seen.push(`${request.headers.get("Authorization")} ${await request.text()}`);
      return request.headers.get("Authorization") === "Bearer new" ? new Response("{}", { status: 200 }) : problem(401);
    }));
    const signInAgain = vi.fn();
    configureAuth({ token: () => token, refresh: async () => ((token = "new"), true), signInAgain });

    const response = await authorizedFetch(new Request("http://app/api/x", { method: "POST", body: "typed" }));
    expect(response.status).toBe(200);
    expect(seen).toEqual(["Bearer old typed", "Bearer new typed"]);
    expect(signInAgain).not.toHaveBeenCalled();
  });

  it("asks for sign-in when the refresh is refused, and does not retry", async () => {
    const fetch = vi.fn(async () => problem(401));
    vi.stubGlobal("fetch", fetch);
    const signInAgain = vi.fn();
    configureAuth({ token: () => "old", refresh: async () => false, signInAgain });

    await expect(authorizedFetch(new Request("http://app/api/x"))).rejects.toMatchObject({ status: 401 });
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(signInAgain).toHaveBeenCalledTimes(1);
  });

  it("turns a network failure into a problem the pages can tell apart", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
    configureAuth({ token: () => "t", refresh: async () => true, signInAgain: () => {} });
    const error = await authorizedFetch(new Request("http://app/api/x")).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).isServerOrNetwork).toBe(true);
  });
});
