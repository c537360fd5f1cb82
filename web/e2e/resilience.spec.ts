// Nothing the user typed is lost: a network failure or a 5xx is a toast and the form stays; a
// session that cannot be refreshed asks for sign-in over the page and the form is still there.
import { cancelLeftovers, tokenFor, uniqueProcedure } from "./api";
import { choose, expect, signIn, test } from "./fixtures";
import type { Page } from "@playwright/test";

const created: string[] = [];

test.afterAll(async ({ request }) => {
  await cancelLeftovers(request, await tokenFor(request, "coordinator"), created);
});

async function fillRequest(page: Page, procedure: string) {
  await page.goto("/surgeries/new");
  await page.getByLabel("MRN").fill("MRN-E2E-77");
  await page.getByLabel("Procedure", { exact: true }).fill(procedure);
  await page.getByLabel("Procedure code").fill("T55.1");
  await choose(page.getByLabel("Surgeon", { exact: true }), page.getByRole("option").first());
}

test("a network failure and a server error are told in a toast and the form keeps its input", async ({ page, consoleProblems, shot }) => {
  void consoleProblems;
  await signIn(page, "coordinator");
  const procedure = uniqueProcedure("Hernia repair");
  await fillRequest(page, procedure);

  await page.route("**/api/scheduling/surgeries", (route) => route.abort("connectionrefused"), { times: 1 });
  await page.getByRole("button", { name: "Request the case" }).click();
  await expect(page.locator(".p-toast")).toContainText("could not be reached");
  await expect(page.getByLabel("Procedure", { exact: true })).toHaveValue(procedure);
  await shot("network-failure-toast");

  await page.route(
    "**/api/scheduling/surgeries",
    (route) => route.fulfill({ status: 503, contentType: "application/problem+json", body: JSON.stringify({ status: 503, title: "Service Unavailable" }) }),
    { times: 1 },
  );
  await page.getByRole("button", { name: "Request the case" }).click();
  await expect(page.locator(".p-toast")).toContainText("not answering");
  await expect(page.getByLabel("Procedure", { exact: true })).toHaveValue(procedure);
});

test("a refused refresh asks for sign-in over the page and the typed request survives it", async ({ page, consoleProblems, shot }) => {
  void consoleProblems;
  await signIn(page, "coordinator");
  const procedure = uniqueProcedure("Cholecystectomy");
  await fillRequest(page, procedure);

  // The access token is refused once, and the refresh cookie is gone: the session is over.
  await page.context().clearCookies();
  await page.route(
    "**/api/scheduling/surgeries",
    (route) => route.fulfill({ status: 401, contentType: "application/problem+json", body: JSON.stringify({ status: 401, title: "Unauthorized" }) }),
    { times: 1 },
  );
  await page.getByRole("button", { name: "Request the case" }).click();
  const dialog = page.getByRole("dialog", { name: "Your session has ended" });
  await expect(dialog).toBeVisible();
  await shot("session-ended-dialog");
  await dialog.getByLabel("Email").fill("coordinator@example.org");
  await dialog.getByLabel("Password", { exact: true }).fill("demo-password");
  await dialog.getByRole("button", { name: "Sign in" }).click();
  await expect(dialog).toBeHidden();

  await expect(page.getByLabel("Procedure", { exact: true })).toHaveValue(procedure);
  await page.getByRole("button", { name: "Request the case" }).click();
  await expect(page.getByRole("heading", { name: procedure })).toBeVisible();
  created.push(page.url().split("/").pop()!);
});
