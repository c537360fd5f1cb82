// The UI follows the roles, and the server stays the authority: a viewer sees no write action
// and no patient, a write they send anyway is refused; a surgeon sees their own cases only.
import type { APIRequestContext } from "@playwright/test";
import { bearer, cancelLeftovers, firstSurgeon, requestCase, tokenFor } from "./api";
import { expect, expectAccessible, signIn, test } from "./fixtures";

type Linked = { staff_id: string; user_id: string | null };

/** The staff member the demo surgeon's login is linked to (`make up` links it). */
async function ownStaffId(request: APIRequestContext, token: string): Promise<string> {
  const me = (await (await request.get("/api/auth/me", { headers: bearer(token) })).json()) as { user_id: string };
  for (let offset = 0; ; offset += 100) {
    const response = await request.get(`/api/resources/staff?role=surgeon&limit=100&offset=${offset}`, { headers: bearer(token) });
    expect(response.ok()).toBeTruthy();
    const page = (await response.json()) as { items: Linked[]; total: number };
    const mine = page.items.find((member) => member.user_id === me.user_id);
    if (mine) return mine.staff_id;
    expect(offset + 100, "the demo surgeon's login is linked to no staff member: run make up").toBeLessThan(page.total);
  }
}

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
  await expect(page.getByTestId("case-mrn")).toHaveText("Not shown to your role");
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
  const coordinator = await tokenFor(request, "coordinator");
  const own = await ownStaffId(request, await tokenFor(request, "surgeon"));
  const surgery = (await requestCase(request, coordinator, { surgeon_id: own })) as Awaited<ReturnType<typeof requestCase>> & { patient_mrn: string };
  created.push(surgery.surgery_id);
  await signIn(page, "surgeon");
  await expect(page.getByRole("link", { name: "Request a case" }).first()).toBeVisible();
  await page.goto(`/surgeries/${surgery.surgery_id}`);
  await expect(page.getByTestId("case-mrn")).toHaveText(surgery.patient_mrn);
  await expect(page.getByRole("link", { name: "Correct the request" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Cancel the case…" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Confirm" })).toHaveCount(0);
});

test("a surgeon opening a case they are not on finds no such case", async ({ page, request, consoleProblems }) => {
  void consoleProblems;
  const coordinator = await tokenFor(request, "coordinator");
  const own = await ownStaffId(request, await tokenFor(request, "surgeon"));
  const other = await firstSurgeon(request, coordinator);
  expect(other.staff_id, "the first surgeon by name is someone else").not.toBe(own);
  const surgery = await requestCase(request, coordinator, { surgeon_id: other.staff_id });
  created.push(surgery.surgery_id);
  await signIn(page, "surgeon");
  await page.goto(`/surgeries/${surgery.surgery_id}`);
  await expect(page.getByText("There is no such case.")).toBeVisible();
  await expect(page.getByTestId("case-status")).toHaveCount(0);
});
