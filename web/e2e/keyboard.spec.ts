// The main flows by keyboard alone: sign in, request a case, postpone a booked one; the
// focused control is always visibly marked.
import type { Locator, Page } from "@playwright/test";
import { bookSomewhere, cancelLeftovers, requestCase, tokenFor, uniqueProcedure } from "./api";
import { expect, PASSWORD, test, USERS } from "./fixtures";

const created: string[] = [];

test.afterAll(async ({ request }) => {
  await cancelLeftovers(request, await tokenFor(request, "coordinator"), created);
});

/** Presses Tab until `target` has the focus (as a keyboard user would), at most `limit` times. */
async function tabTo(page: Page, target: Locator, limit = 60): Promise<void> {
  for (let presses = 0; presses < limit; presses += 1) {
    if (await target.evaluate((element) => element === document.activeElement || element.contains(document.activeElement))) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`Tab never reached ${target}`);
}

async function expectVisibleFocus(target: Locator): Promise<void> {
  // The mark may be drawn on the control's own box or on the widget wrapping it (a select).
  const marked = await target.evaluate((element) => {
    for (let node: Element | null = element, depth = 0; node && depth < 3; node = node.parentElement, depth += 1) {
      const style = getComputedStyle(node);
      if (style.outlineStyle !== "none" && style.outlineWidth !== "0px") return true;
    }
    return false;
  });
  expect(marked, "the focused control is visibly marked").toBe(true);
}

async function signInByKeyboard(page: Page) {
  await page.goto("/sign-in");
  await tabTo(page, page.getByLabel("Email"));
  await page.keyboard.type(USERS.coordinator);
  await page.keyboard.press("Tab");
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("signed-in-as")).toBeVisible();
}

test("a coordinator requests a case with the keyboard alone", async ({ page, consoleProblems, shot }) => {
  void consoleProblems;
  await signInByKeyboard(page);
  const request = page.getByRole("link", { name: "Request a case" }).first();
  await tabTo(page, request);
  await expectVisibleFocus(request);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Request a case" })).toBeVisible();

  const procedure = uniqueProcedure("Septoplasty");
  await tabTo(page, page.getByLabel("MRN"));
  await page.keyboard.type("MRN-E2E-KB1");
  await tabTo(page, page.getByLabel("Procedure", { exact: true }));
  await page.keyboard.type(procedure);
  await tabTo(page, page.getByLabel("Procedure code"));
  await page.keyboard.type("E03.6");
  const surgeon = page.getByLabel("Surgeon", { exact: true });
  await tabTo(page, surgeon);
  await expectVisibleFocus(surgeon);
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  await expect(surgeon).not.toHaveText("Choose the operating surgeon");
  await shot("keyboard-request-filled");
  await tabTo(page, page.getByRole("button", { name: "Request the case" }));
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: procedure })).toBeVisible();
  created.push(page.url().split("/").pop()!);
});

test("a coordinator postpones a booked case with the keyboard alone", async ({ page, request, consoleProblems, shot }) => {
  void consoleProblems;
  const token = await tokenFor(request, "coordinator");
  const surgery = await bookSomewhere(request, token, await requestCase(request, token));
  created.push(surgery.surgery_id);
  await signInByKeyboard(page);
  await page.goto(`/surgeries/${surgery.surgery_id}`);
  await expect(page.getByTestId("case-status")).toHaveText("Scheduled");

  await tabTo(page, page.getByRole("button", { name: "Postpone…" }));
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "Postpone the case" });
  await expect(dialog).toBeVisible();
  // Wait for each step to show before the next key, as a person reading the screen would. The
  // dialog may still be settling its own focus as it opens, so the list is opened again until
  // it shows.
  await expect(async () => {
    await tabTo(page, dialog.getByLabel("Reason", { exact: true }));
    await page.keyboard.press("ArrowDown");
    await expect(page.getByRole("listbox")).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 15000 });
  await page.keyboard.press("ArrowDown");
  // Enter picks the option the list marks as focused: wait for the mark before pressing it.
  await expect(page.getByRole("listbox").locator("[data-p-focused='true']")).toHaveCount(1);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("listbox")).toBeHidden();
  await expect(dialog.getByRole("combobox")).not.toHaveAttribute("aria-label", "Choose a reason");
  await tabTo(page, dialog.getByRole("button", { name: "Postpone" }));
  await shot("keyboard-postpone");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("case-status")).toHaveText("Postponed (waiting)");
});
