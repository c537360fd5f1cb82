// axe-core on every page of the app, each once its data has arrived: no serious or critical
// violation anywhere. One signed-in admin walks the pages in turn (one test each, in order), moving
// through the app's own router, not reloading. The pages' own specs check their dialogs and forms.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Locator, Page } from "@playwright/test";
import { type Case, cancelLeftovers, requestCase, tokenFor } from "./api";
import { expect, expectAccessible, signIn, test } from "./fixtures";

// Axe over a whole page on a shared two-core machine: the day board alone has taken two minutes.
test.describe.configure({ timeout: 240_000 });

interface Visit {
  path: string;
  heading: string | RegExp;
  /** What shows once the page's data has arrived, when its heading alone does not say so. */
  ready?: (page: Page) => Locator;
}

/** Opens the page through the app's own navigation state (no reload) and waits for its data. */
async function visit(page: Page, { path, heading, ready }: Visit): Promise<void> {
  await page.evaluate((to) => {
    window.history.pushState({}, "", to);
    window.dispatchEvent(new PopStateEvent("popstate", { state: window.history.state }));
  }, path);
  await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible({ timeout: 20_000 });
  if (ready) await expect(ready(page).first()).toBeVisible({ timeout: 20_000 });
  // Lists still being read say so; tables show a mask.
  await expect(page.getByText(/^Reading .*…$/)).toHaveCount(0, { timeout: 20_000 });
  await expect(page.locator(".p-datatable-mask")).toHaveCount(0, { timeout: 20_000 });
}

const artifacts = process.env.PLAYWRIGHT_ARTIFACTS ?? path.resolve(import.meta.dirname, "../../.run/playwright");
/** Where each page's picture is kept (the fixtures' `shot` is for a test's own page). */
function shotPath(name: string): string {
  const folder = path.join(artifacts, "steps", "a11y");
  mkdirSync(folder, { recursive: true });
  return path.join(folder, `${name.replace(/[^\w.-]+/g, "_")}.png`);
}

const rows = (testId: string) => (page: Page) => page.getByTestId(testId).locator("tbody tr");

let page: Page;
let surgery: Case;
const problems: string[] = [];

test.beforeAll(async ({ browser, request }) => {
  test.setTimeout(120_000);
  surgery = await requestCase(request, await tokenFor(request, "coordinator"));
  page = await (await browser.newContext()).newPage();
  // As the fixtures do for every test's own page: any CSP violation or uncaught error fails.
  page.on("console", (message) => {
    if (/Content[ -]Security[ -]Policy|Refused to (apply|load|execute)/i.test(message.text())) problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(`uncaught: ${error.message}`));
  await signIn(page, "admin");
});

test.afterAll(async ({ request }) => {
  await page?.context().close();
  if (surgery) await cancelLeftovers(request, await tokenFor(request, "coordinator"), [surgery.surgery_id]);
  expect(problems, "CSP violations or uncaught errors in the console").toEqual([]);
});

test("the sign-in page", async ({ page: signedOut }) => {
  await signedOut.goto("/sign-in");
  await expect(signedOut.getByRole("button", { name: "Sign in" })).toBeVisible({ timeout: 30_000 });
  await expectAccessible(signedOut);
  await signedOut.screenshot({ path: shotPath("sign-in") });
});

const pages: (Visit & { name: string })[] = [
  { name: "the waiting list", path: "/waiting-list", heading: "Waiting list", ready: (p) => p.locator(".p-datatable-tbody > tr") },
  { name: "the day board", path: "/board", heading: "Day board", ready: (p) => p.getByTestId("day-board") },
  { name: "a case", path: "/surgeries/:case", heading: "", ready: (p) => p.getByTestId("case-status") },
  { name: "the request form", path: "/surgeries/new", heading: "Request a case" },
  { name: "the correction form", path: "/surgeries/:case/edit", heading: "Correct the request" },
  { name: "the personal lists", path: "/lists", heading: /./ },
  { name: "the KPIs", path: "/kpis", heading: /KPIs/, ready: (p) => p.getByTestId("kpi-raw_utilization") },
  { name: "optimization", path: "/optimization", heading: "Optimization" },
  { name: "rooms", path: "/admin/rooms", heading: "Operating rooms" },
  { name: "staff", path: "/admin/staff", heading: "Staff" },
  { name: "equipment", path: "/admin/equipment", heading: "Equipment" },
  { name: "blocks", path: "/admin/blocks", heading: "Blocks" },
  { name: "users", path: "/admin/users", heading: "Users", ready: rows("users-table") },
  { name: "signing keys", path: "/admin/signing-keys", heading: "Signing keys", ready: rows("keys-table") },
  { name: "the audit log", path: "/admin/audit", heading: "Audit log", ready: rows("audit-table") },
  { name: "a page that does not exist", path: "/no-such-page", heading: "Page not found" },
];

for (const target of pages) {
  test(`${target.name}`, async () => {
    const path = target.path.replace(":case", surgery.surgery_id);
    await visit(page, { ...target, path, heading: target.heading || surgery.procedure.name });
    await expectAccessible(page);
    await page.screenshot({ path: shotPath(target.name), fullPage: true });
  });
}
