// What every end-to-end test shares: a page that fails the test on any CSP violation or
// uncaught error, screenshots of each step, signing in as a demo user, and axe-core checks.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { test as base, expect, type Locator, type Page } from "@playwright/test";

export const PASSWORD = "demo-password";
export const USERS = {
  admin: "admin@example.org",
  coordinator: "coordinator@example.org",
  surgeon: "surgeon@example.org",
  viewer: "viewer@example.org",
} as const;
export type DemoRole = keyof typeof USERS;

const artifacts = process.env.PLAYWRIGHT_ARTIFACTS ?? path.resolve(import.meta.dirname, "../../.run/playwright");

interface Fixtures {
  consoleProblems: string[];
  shot: (name: string) => Promise<void>;
}

export const test = base.extend<Fixtures>({
  // Automatic: every test using `page` fails on a CSP violation or an uncaught error.
  consoleProblems: [
    async ({ page }, use) => {
      const problems: string[] = [];
      page.on("console", (message) => {
        const text = message.text();
        if (/Content[ -]Security[ -]Policy|Refused to (apply|load|execute)/i.test(text)) problems.push(text);
      });
      page.on("pageerror", (error) => problems.push(`uncaught: ${error.message}`));
      await use(problems);
      expect(problems, "CSP violations or uncaught errors in the console").toEqual([]);
    },
    { auto: true },
  ],
  shot: async ({ page }, use, testInfo) => {
    const folder = path.join(artifacts, "steps", testInfo.titlePath.slice(1).join(" - ").replace(/[^\w.-]+/g, "_"));
    await mkdir(folder, { recursive: true });
    let step = 0;
    await use(async (name: string) => {
      step += 1;
      await page.screenshot({ path: path.join(folder, `${String(step).padStart(2, "0")}-${name}.png`), fullPage: true });
    });
  },
});

export { expect };

export async function signIn(page: Page, role: DemoRole): Promise<void> {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(USERS[role]);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  // Argon2 is slow on purpose, and the first page then loads its data: on a busy two-core
  // machine that has taken more than the default ten seconds.
  await expect(page.getByTestId("signed-in-as")).toBeVisible({ timeout: 30_000 });
}

/** No serious or critical accessibility violation on the page as it is now. */
export async function expectAccessible(page: Page): Promise<void> {
  // A toast or dialog caught mid-transition is half transparent, and axe measures its contrast
  // on that frame: wait until every finite CSS animation and transition has finished.
  await page.waitForFunction(() =>
    document.getAnimations().every((animation) => {
      const end = animation.effect?.getComputedTiming().endTime;
      return animation.playState !== "running" || end === undefined || end === Infinity;
    }),
  );
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(" ")).join(", ")})`);
  expect(serious, "serious or critical axe-core violations").toEqual([]);
}

/**
 * Picks `option` from the PrimeVue Select `field`. The list is opened again when it is not
 * showing: a dialog that is still settling its focus can close a list the moment it opens, and
 * a click then waits for an option that never comes. Picking the same option twice is harmless.
 */
export async function choose(field: Locator, option: Locator): Promise<void> {
  const listbox = field.page().getByRole("listbox");
  await expect(async () => {
    if (!(await listbox.isVisible())) await field.click();
    await option.click({ timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
  await expect(listbox).toBeHidden();
}
