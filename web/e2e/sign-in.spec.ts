import { expect, expectAccessible, signIn, test, USERS } from "./fixtures";

test.describe("signing in", () => {
  test("each demo role signs in and sees its name", async ({ page, consoleProblems, shot }) => {
    void consoleProblems;
    for (const role of ["admin", "coordinator", "surgeon", "viewer"] as const) {
      await page.context().clearCookies();
      await signIn(page, role);
      await expect(page.getByTestId("signed-in-as")).toContainText(role === "admin" ? "admin" : role);
      await shot(`signed-in-${role}`);
    }
  });

  test("a wrong password is told apart from other failures", async ({ page, consoleProblems, shot }) => {
    void consoleProblems;
    await page.goto("/sign-in");
    await expectAccessible(page);
    await page.getByLabel("Email").fill(USERS.coordinator);
    await page.getByLabel("Password", { exact: true }).fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("sign-in-error")).toHaveText("The email or the password is wrong.");
    await shot("wrong-password");
  });

  test("a reload and a new tab keep the session and the token never reaches web storage", async ({ page, consoleProblems }) => {
    void consoleProblems;
    await signIn(page, "coordinator");
    await page.reload();
    await expect(page.getByTestId("signed-in-as")).toBeVisible();
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    expect(stored).toBe("{}{}");
    const tab = await page.context().newPage();
    await tab.goto("/waiting-list");
    await expect(tab.getByTestId("signed-in-as")).toBeVisible();
    await tab.close();
  });

  test("signing out ends the session: a reload asks to sign in again", async ({ page, shot }) => {
    await signIn(page, "coordinator");
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
    await page.goto("/waiting-list");
    await expect(page).toHaveURL(/\/sign-in\?next=/);
    await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
    await shot("signed-out");
  });

  test("throttled sign-ins say how long to wait", async ({ page, request, consoleProblems, shot }) => {
    void consoleProblems;
    // An unknown account name is throttled exactly like a real one, so no demo account is locked.
    const nobody = `nobody-${Date.now()}@example.org`;
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await request.post("/api/auth/token", { form: { username: nobody, password: "wrong password!" } });
    }
    await page.goto("/sign-in");
    await page.getByLabel("Email").fill(nobody);
    await page.getByLabel("Password", { exact: true }).fill("wrong password!");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("sign-in-error")).toContainText(/Too many sign-in attempts\. Try again in \d+ seconds?\./);
    await shot("throttled");
  });
});
