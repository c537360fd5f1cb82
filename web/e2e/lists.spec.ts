// Personal lists: a surgeon's week, printable without the app's navigation.
import { choose, expect, expectAccessible, signIn, test } from "./fixtures";

test("a surgeon's week lists their cases per day and prints without the navigation", async ({ page, consoleProblems, shot }) => {
  void consoleProblems;
  await signIn(page, "coordinator");
  await page.getByRole("link", { name: "Personal lists" }).click();
  await choose(page.getByLabel("Person"), page.getByRole("option", { name: /— Surgeon$/ }).first());
  await page.getByRole("button", { name: "Week" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("(Surgeon)");
  await expect(page.getByRole("heading", { level: 2 })).toHaveCount(7);
  await expectAccessible(page);
  await shot("personal-list-week");

  await page.emulateMedia({ media: "print" });
  await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
  await expect(page.getByRole("button", { name: "Print" })).toBeHidden();
  await shot("personal-list-print");
});
