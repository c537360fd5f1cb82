// User administration end to end: an admin creates a user, the user works in a browser of
// their own, the admin deactivates them and their open page shows them signed out (within the
// access token's lifetime at the latest; revocation reaches every service within seconds), and
// the audit log shows the deactivation. A stale change of roles is explained; the signing keys
// and the audit log pass axe. Users cannot be deleted: each test's user ends deactivated.
import { randomUUID } from "node:crypto";
import type { APIRequestContext, Browser, Page } from "@playwright/test";
import { bearer, tokenFor } from "./api";
import { expect, expectAccessible, signIn, test } from "./fixtures";

type User = { user_id: string; email: string; display_name: string; roles: string[]; active: boolean; version: number };

const PASSWORD = "e2e password that is long";
const created: string[] = [];

// Creating users hashes passwords (Argon2, slow on purpose) on a shared two-core machine.
test.describe.configure({ timeout: 120_000 });

test.afterAll(async ({ request }) => {
  // Whatever a failed test left active is deactivated (the users' retirement).
  const headers = bearer(await tokenFor(request, "admin"));
  for (const id of created) {
    const answer = await request.get(`/api/auth/users/${id}`, { headers });
    if (!answer.ok()) continue;
    const user = (await answer.json()) as User;
    if (user.active) await request.post(`/api/auth/users/${id}/deactivate`, { headers: { ...headers, "If-Match": `"${user.version}"` } });
  }
});

function newPerson(what: string): { email: string; name: string } {
  const tag = randomUUID().slice(0, 8);
  return { email: `e2e-${tag}@example.org`, name: `${what} ${tag}` };
}

/** Creates a user through the page's form; the user as the API answered. */
async function createInPage(page: Page, person: { email: string; name: string }, role: string): Promise<User> {
  await page.getByTestId("new-user").click();
  const form = page.getByRole("dialog", { name: "New user" });
  await expect(form).toBeVisible();
  await form.getByLabel("Email").fill(person.email);
  await form.getByLabel("Name", { exact: true }).fill(person.name);
  await form.getByLabel(role).check();
  await form.getByLabel("Initial password").fill(PASSWORD);
  const answer = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/auth/users" && r.request().method() === "POST");
  await form.getByRole("button", { name: "Create the user" }).click();
  const response = await answer;
  expect(response.status(), await response.text()).toBe(201);
  const user = (await response.json()) as User;
  created.push(user.user_id);
  await expect(form).toBeHidden();
  await dismissToasts(page);
  return user;
}

/**
 * Closes the toasts that confirm a change (or lets them expire): axe is run on pages without one,
 * since a toast fading in or out is, for that moment, text of too little contrast.
 */
async function dismissToasts(page: Page): Promise<void> {
  const toasts = page.locator(".p-toast-message");
  await expect(async () => {
    if ((await toasts.count()) > 0) await toasts.first().getByRole("button", { name: /close/i }).click({ timeout: 1_000 });
    await expect(toasts).toHaveCount(0, { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
}

/** The users list narrowed to one email. */
async function findRow(page: Page, email: string) {
  await page.getByLabel("Email or name").fill(email);
  const row = page.getByTestId("users-table").getByRole("row").filter({ hasText: email });
  await expect(row).toHaveCount(1, { timeout: 20_000 });
  return row;
}

/** The new user signs in in a browser of their own; the page and the token's lifetime (s). */
async function signInElsewhere(browser: Browser, email: string): Promise<{ page: Page; lifetime: number }> {
  const page = await (await browser.newContext()).newPage();
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  const token = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/auth/token");
  await page.getByRole("button", { name: "Sign in" }).click();
  const lifetime = ((await (await token).json()) as { expires_in: number }).expires_in;
  await expect(page.getByTestId("signed-in-as")).toBeVisible({ timeout: 30_000 });
  return { page, lifetime };
}

test("a deactivated user's open browser shows them signed out, and the audit log shows who did it", async ({ page, browser, shot }) => {
  await signIn(page, "admin");
  await page.goto("/admin/users");
  // A full load restores the session and loads the page's code: slow on a busy machine.
  await expect(page.getByRole("heading", { name: "Users", level: 1 })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole("navigation", { name: "Administration" }).getByRole("link", { name: "Users" })).toHaveAttribute("aria-current", "page");
  await expect(page.getByTestId("users-table")).toContainText("admin@example.org");
  await expectAccessible(page);

  const person = newPerson("Leaver e2e");
  const user = await createInPage(page, person, "Coordinator");
  const row = await findRow(page, person.email);
  await expect(row).toContainText("Coordinator");
  await expect(row).toContainText("Active");
  await shot("users");

  // The user works on the day board, which asks the server every second.
  const other = await signInElsewhere(browser, person.email);
  // The whole wait below may take the token's lifetime, when the app learns it at the expiry.
  test.setTimeout((other.lifetime + 30) * 1000 + 120_000);
  await other.page.getByRole("link", { name: "Day board" }).click();
  await expect(other.page.getByTestId("day-board")).toBeVisible({ timeout: 30_000 });

  await page.bringToFront();
  await row.getByRole("button", { name: `Deactivate ${person.name}` }).click();
  const dialog = page.getByRole("dialog", { name: "Deactivate the user" });
  await expect(dialog).toContainText("every session of theirs ends");
  await expectAccessible(page);
  await shot("deactivate-dialog");
  await dialog.getByRole("button", { name: "Deactivate", exact: true }).click();
  await expect(dialog).toBeHidden();
  const deactivatedAt = Date.now();

  // The open board learns it at its next request: refused, and the refresh refused too.
  await other.page.bringToFront();
  await expect(other.page.getByRole("dialog", { name: "Your session has ended" })).toBeVisible({
    timeout: (other.lifetime + 30) * 1000,
  });
  console.log(`the deactivated user's board showed them signed out ${Date.now() - deactivatedAt} ms after the deactivation`);
  await other.page.context().close();

  await page.bringToFront();
  await page.getByRole("button", { name: "Deactivated", exact: true }).click();
  await expect((await findRow(page, person.email)).getByText("Deactivated", { exact: true })).toBeVisible();

  // The audit store has the deactivation within seconds: asked again until it is there.
  await page.goto(`/admin/audit?action=user.deactivate&record_id=${user.user_id}`);
  await expect(page.getByRole("heading", { name: "Audit log", level: 1 })).toBeVisible({ timeout: 30_000 });
  const entries = page.getByTestId("audit-table");
  await expect(async () => {
    await page.getByTestId("audit-apply").click();
    await expect(entries.getByRole("row").filter({ hasText: "Deactivated a user" })).toHaveCount(1, { timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await expect(entries).toContainText("Ada Admin (admin@example.org)");
  await expectAccessible(page);
  await shot("audit-log");
});

test("a change of roles made meanwhile is explained and the admin's choice kept; keys and passwords", async ({ page, request, shot }) => {
  const headers = bearer(await tokenFor(request, "admin"));
  const person = newPerson("Roles e2e");
  const answer = await request.post("/api/auth/users", {
    headers,
    data: { email: person.email, display_name: person.name, roles: ["viewer"], password: PASSWORD },
  });
  expect(answer.status(), await answer.text()).toBe(201);
  const user = (await answer.json()) as User;
  created.push(user.user_id);

  await signIn(page, "admin");
  await page.goto("/admin/users");
  await expect(page.getByRole("heading", { name: "Users", level: 1 })).toBeVisible({ timeout: 30_000 });
  const row = await findRow(page, person.email);
  await row.getByRole("button", { name: `Change the roles of ${person.name}` }).click();
  const form = page.getByRole("dialog", { name: `Roles of ${person.name}` });
  await expect(form.getByLabel("Viewer")).toBeChecked();
  await form.getByLabel("Surgeon").check();

  // Someone else makes them a nurse meanwhile.
  const meanwhile = await request.put(`/api/auth/users/${user.user_id}/roles`, {
    headers: { ...headers, "If-Match": `"${user.version}"` },
    data: { roles: ["viewer", "nurse"] },
  });
  expect(meanwhile.status()).toBe(200);

  await form.getByRole("button", { name: "Save the roles" }).click();
  await expect(form.getByTestId("user-stale")).toContainText("You both changed Roles: your value is kept.");
  await expect(form.getByLabel("Surgeon")).toBeChecked();
  await expect(form.getByLabel("Nurse")).not.toBeChecked();
  await expectAccessible(page);
  await shot("roles-stale");
  await form.getByRole("button", { name: "Save the roles" }).click();
  await expect(form).toBeHidden();
  await expect(row).toContainText("Surgeon, Viewer");
  await dismissToasts(page);

  // A password reset says what it does and follows the password rules.
  await row.getByRole("button", { name: `Reset password for ${person.name}` }).click();
  const reset = page.getByRole("dialog", { name: "Reset the password" });
  await expect(reset).toContainText("Every session of theirs ends");
  await reset.getByLabel("New password").fill("too short");
  await reset.getByRole("button", { name: "Reset the password" }).click();
  await expect(reset.getByRole("alert")).toHaveText("At least 12 characters.");
  await reset.getByLabel("New password").fill("a new long password");
  await reset.getByRole("button", { name: "Reset the password" }).click();
  await expect(reset).toBeHidden();
  await dismissToasts(page);
  const signInAgain = await request.post("/api/auth/token", { form: { username: person.email, password: "a new long password" } });
  expect(signInAgain.status()).toBe(200);

  // The signing keys: one signs; rotation is explained before anything happens.
  await page.getByRole("navigation", { name: "Administration" }).getByRole("link", { name: "Signing keys" }).click();
  await expect(page.getByTestId("keys-table").getByText("Signing new tokens")).toHaveCount(1);
  await page.getByTestId("rotate-key").click();
  const rotate = page.getByRole("dialog", { name: "Rotate the signing key" });
  await expect(rotate).toContainText("Tokens it already signed stay valid until they expire");
  await expectAccessible(page);
  await shot("signing-keys-rotate");
  await rotate.getByRole("button", { name: "Keep the current key" }).click();
  await expect(rotate).toBeHidden();
  await expectAccessible(page);
});
