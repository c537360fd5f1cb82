// The UI follows the roles, and the server stays the authority: a viewer sees no write action
// and a write they send anyway is refused.
import { bearer, cancelLeftovers, requestCase, tokenFor } from "./api";
import { expect, expectAccessible, signIn, test } from "./fixtures";

const created: string[] = [];

test.afterAll(async ({ request }) => {
  await cancelLeftovers(request, await tokenFor(request, "coordinator"), created);
});

test("a viewer sees no write action and the server refuses a write they send", async ({ page, request, consoleProblems, shot }) => {
  void consoleProblems;
  const surgery = await requestCase(request, await tokenFor(request, "coordinator"));
  created.push(surgery.surgery_id);
  await signIn(page, "viewer");
  await expect(page.getByRole("heading", { name: "Waiting list" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Request a case" })).toHaveCount(0);
  await shot("viewer-waiting-list");

  await page.goto(`/surgeries/${surgery.surgery_id}`);
  await expect(page.getByTestId("case-status")).toHaveText("Waiting");
  await expect(page.getByRole("group", { name: "Actions" })).toHaveCount(0);
  await expect(page.getByRole("button")).toHaveText(["Sign out"]);
  await expectAccessible(page);
  await shot("viewer-case");

  const viewer = await tokenFor(request, "viewer");
  const refused = await request.post(`/api/scheduling/surgeries/${surgery.surgery_id}/cancel`, {
    data: { reason_code: "other" },
    headers: bearer(viewer),
  });
  expect(refused.status()).toBe(403);
  expect(refused.headers()["content-type"]).toContain("application/problem+json");
});

test("a surgeon may request cases but has no planning actions", async ({ page, request, consoleProblems }) => {
  void consoleProblems;
  const surgery = await requestCase(request, await tokenFor(request, "coordinator"));
  created.push(surgery.surgery_id);
  await signIn(page, "surgeon");
  await expect(page.getByRole("link", { name: "Request a case" }).first()).toBeVisible();
  await page.goto(`/surgeries/${surgery.surgery_id}`);
  await expect(page.getByRole("link", { name: "Correct the request" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Cancel the case…" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Confirm" })).toHaveCount(0);
});
