// A coordinator's work on one case: request it (with the server's 422 on the fields), correct
// it while it waits (a stale correction explained, the edits kept), postpone and cancel it.
import { bearer, bookSomewhere, cancelLeftovers, requestCase, tokenFor, uniqueProcedure } from "./api";
import { choose, expect, expectAccessible, signIn, test } from "./fixtures";

const created: string[] = [];

test.afterAll(async ({ request }) => {
  await cancelLeftovers(request, await tokenFor(request, "coordinator"), created);
});

test("a coordinator requests a case, sees the server's refusal on the field, and corrects the case", async ({ page, consoleProblems, shot }) => {
  void consoleProblems;
  await signIn(page, "coordinator");
  await page.getByRole("link", { name: "Request a case" }).first().click();
  await expect(page.getByRole("heading", { name: "Request a case" })).toBeVisible();
  await expectAccessible(page);

  const procedure = uniqueProcedure("Carpal tunnel release");
  await page.getByLabel("MRN").fill("MRN-E2E-1234");
  await page.getByLabel("Procedure", { exact: true }).fill(procedure);
  await page.getByLabel("Procedure code").fill("not a code!");
  await choose(page.getByLabel("Surgeon", { exact: true }), page.getByRole("option").first());
  await choose(page.getByRole("combobox", { name: "Priority", exact: true }), page.getByRole("option", { name: "Urgent" }));
  await page.getByLabel("Due date").fill("2031-01-15");
  await page.getByLabel("Due date").press("Escape");
  await shot("request-form-filled");
  await page.getByRole("button", { name: "Request the case" }).click();

  await expect(page.locator("#error-procedure_code")).toBeVisible();
  await expect(page.getByLabel("Procedure", { exact: true })).toHaveValue(procedure);
  await shot("request-refused-on-field");

  await page.getByLabel("Procedure code").fill("T55.1");
  await page.getByRole("button", { name: "Request the case" }).click();
  await expect(page.getByRole("heading", { name: procedure })).toBeVisible();
  created.push(page.url().split("/").pop()!);
  await expect(page.getByTestId("case-status")).toHaveText("Waiting");
  await expect(page.getByText("Mandatory")).toBeVisible();
  await expectAccessible(page);
  await shot("case-requested");

  await page.getByRole("link", { name: "Correct the request" }).click();
  await page.getByLabel("Duration").fill("75");
  await page.getByRole("button", { name: "Save the correction" }).click();
  await expect(page.getByRole("heading", { name: procedure })).toBeVisible();
  await expect(page.getByText("75 min, setup")).toBeVisible();
  await shot("case-corrected");
});

test("a correction of a case someone changed meanwhile keeps both their change and the edits", async ({ page, request, consoleProblems, shot }) => {
  void consoleProblems;
  const token = await tokenFor(request, "coordinator");
  const surgery = await requestCase(request, token);
  created.push(surgery.surgery_id);
  await signIn(page, "coordinator");
  await page.goto(`/surgeries/${surgery.surgery_id}/edit`);
  await page.getByLabel("Duration").fill("120");

  // Another coordinator corrects the notes of the same case first.
  const current = await (await request.get(`/api/scheduling/surgeries/${surgery.surgery_id}`, { headers: bearer(token) })).json();
  const { surgery_id: _id, status: _s, version, booking: _b, created_at: _c, updated_at: _u, requested_by: _r, reason: _re, reason_code: _rc, wheels_in: _wi, wheels_out: _wo, ...body } = current;
  const theirs = await request.put(`/api/scheduling/surgeries/${surgery.surgery_id}`, {
    data: { ...body, notes: "Changed by someone else" },
    headers: { ...bearer(token), "If-Match": `"${version}"` },
  });
  expect(theirs.status()).toBe(200);

  await page.getByRole("button", { name: "Save the correction" }).click();
  await expect(page.getByTestId("stale-edit")).toContainText("Their changes are now in the form: Notes.");
  await expect(page.getByLabel("Duration")).toHaveValue("120 min");
  await expect(page.getByLabel("Notes (no clinical details)")).toHaveValue("Changed by someone else");
  await shot("stale-edit-explained");

  await page.getByRole("button", { name: "Save the correction" }).click();
  await expect(page.getByText("120 min, setup")).toBeVisible();
  await expect(page.getByText("Changed by someone else")).toBeVisible();
});

test("a coordinator postpones a booked case and then cancels it, each with a reason", async ({ page, request, consoleProblems, shot }) => {
  void consoleProblems;
  const token = await tokenFor(request, "coordinator");
  const surgery = await bookSomewhere(request, token, await requestCase(request, token));
  created.push(surgery.surgery_id);
  await signIn(page, "coordinator");
  await page.goto(`/surgeries/${surgery.surgery_id}`);
  await expect(page.getByTestId("case-status")).toHaveText("Scheduled");
  await expect(page.getByTestId("booking")).toBeVisible();
  await shot("booked-case");

  await page.getByRole("button", { name: "Postpone…" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Postpone" }).click();
  await expect(page.getByText("Choose the reason.")).toBeVisible();
  await choose(page.getByRole("dialog").getByLabel("Reason", { exact: true }), page.getByRole("option", { name: "No bed available" }));
  await expectAccessible(page);
  await shot("postpone-dialog");
  await page.getByRole("dialog").getByRole("button", { name: "Postpone" }).click();
  await expect(page.getByTestId("case-status")).toHaveText("Postponed (waiting)");
  await expect(page.locator("dd", { hasText: "No bed available" })).toBeVisible();
  // The history tells every role who moved the case, what they did and why, oldest first.
  const history = page.getByTestId("history");
  const rows = history.getByRole("row");
  await expect(rows).toHaveCount(4); // the header, requested, booked, postponed
  await expect(rows.nth(1)).toContainText("Requested");
  await expect(rows.nth(2)).toContainText("Booked");
  await expect(rows.nth(3)).toContainText("Postponed");
  await expect(rows.nth(3)).toContainText("No bed available");
  for (const line of [1, 2, 3]) await expect(rows.nth(line)).toContainText("Cora Coordinator");
  await shot("case-postponed");

  await page.getByRole("button", { name: "Cancel the case…" }).click();
  await expect(page.getByRole("dialog")).toHaveCount(1);
  await choose(page.getByRole("dialog").getByLabel("Reason", { exact: true }), page.getByRole("option", { name: "Patient's request" }));
  await page.getByLabel("Details (optional, no clinical details)").fill("Patient moved away");
  await page.getByRole("dialog").getByRole("button", { name: "Cancel the case" }).click();
  await expect(page.getByTestId("case-status")).toHaveText("Cancelled");
  await expect(page.getByRole("button", { name: "Cancel the case…" })).toHaveCount(0);
  await shot("case-cancelled");
});

test("an administrator sees who did what to a case, and when", async ({ page, request, consoleProblems }) => {
  void consoleProblems;
  const token = await tokenFor(request, "coordinator");
  const surgery = await bookSomewhere(request, token, await requestCase(request, token));
  created.push(surgery.surgery_id);
  await signIn(page, "admin");
  await page.goto(`/surgeries/${surgery.surgery_id}`);
  const history = page.getByTestId("history");
  const row = (what: string) => history.getByRole("row").filter({ has: page.getByRole("cell", { name: what, exact: true }) });
  await expect(row("Requested")).toContainText("Cora Coordinator");
  await expect(row("Booked")).toContainText("Cora Coordinator");
  await expectAccessible(page);
});
