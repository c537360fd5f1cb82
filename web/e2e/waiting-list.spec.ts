// The waiting list: filters, MRN search, sorting, paging, and cases that must stand out.
import { cancelLeftovers, requestCase, tokenFor, uniqueProcedure } from "./api";
import { choose, expect, expectAccessible, signIn, test } from "./fixtures";

const created: string[] = [];

test.afterAll(async ({ request }) => {
  await cancelLeftovers(request, await tokenFor(request, "coordinator"), created);
});

test("an overdue urgent case is found by its MRN and labelled overdue and mandatory in words", async ({ page, request, consoleProblems, shot }) => {
  void consoleProblems;
  const token = await tokenFor(request, "coordinator");
  const surgery = await requestCase(request, token, { priority: "urgent", due_date: "2026-01-05" });
  created.push(surgery.surgery_id);
  const mrn = (await (await request.get(`/api/scheduling/surgeries/${surgery.surgery_id}`, { headers: { Authorization: `Bearer ${token}` } })).json()).patient_mrn;

  await signIn(page, "coordinator");
  await expect(page.getByRole("heading", { name: "Waiting list" })).toBeVisible();
  await expect(page.getByRole("table", { name: "Waiting list" }).locator("tbody tr").first()).toBeVisible();
  await expectAccessible(page);
  await shot("waiting-list");

  await page.getByLabel("MRN or procedure").fill(mrn);
  const rows = page.getByRole("table", { name: "Waiting list" }).locator("tbody tr");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(surgery.procedure.name);
  await expect(rows.first().getByTestId("flag-overdue")).toHaveText("⚠ Overdue");
  await expect(rows.first().getByTestId("flag-mandatory")).toHaveText("Mandatory");
  await expect(rows.first()).toContainText("Urgent");
  await shot("waiting-list-search");
});

test("filters narrow the list, sorting reorders it and paging walks through it", async ({ page, request, consoleProblems }) => {
  void consoleProblems;
  const token = await tokenFor(request, "coordinator");
  const tag = uniqueProcedure("Filter check");
  // The urgent case is due later than the elective one: priority and due date sort them apart.
  for (const [priority, due_date] of [["urgent", "2031-02-01"], ["elective", "2031-01-01"]]) {
    const surgery = await requestCase(request, token, { priority, due_date, procedure: { code: "T20.1", name: `${tag} ${priority}` } });
    created.push(surgery.surgery_id);
  }
  await signIn(page, "coordinator");
  const rows = page.getByRole("table", { name: "Waiting list" }).locator("tbody tr");
  const report = page.locator(".p-paginator-current");

  await page.getByLabel("MRN or procedure").fill(tag);
  await expect(report).toHaveText("1–2 of 2 cases");
  await expect(rows.first()).toContainText(`${tag} urgent`);
  await choose(page.getByLabel("Sort by"), page.getByRole("option", { name: "Due date, soonest first" }));
  await expect(rows.first()).toContainText(`${tag} elective`);

  // The filters work from the keyboard: focus, open and move with the arrow key, pick with Enter.
  await page.getByRole("combobox", { name: "Priority", exact: true }).focus();
  await page.keyboard.press("ArrowDown");
  await expect(page.getByRole("option", { name: "Urgent", exact: true })).toBeVisible();
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  await page.keyboard.press("Escape");
  await expect(report).toHaveText("1–1 of 1 cases");
  await expect(rows.first()).toContainText(`${tag} urgent`);

  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect(rows.first()).toBeVisible();
  const all = Number((await report.textContent())!.match(/of (\d+)/)![1]);
  expect(all).toBeGreaterThanOrEqual(2);
  if (all > 25) {
    await page.getByRole("button", { name: "Next Page" }).click();
    await expect(report).toContainText("26–");
  }
});
