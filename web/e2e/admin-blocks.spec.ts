// Staff and blocks administration against the running stack: a coordinator allocates a block
// for a surgeon in a room of the test's own, sees it on the blocks page and on the day board,
// releases one occurrence (the board's block goes for that date only) and retires the block; a
// staff member's daily maximum out of range is refused on its field. Axe on both pages.
import { randomUUID } from "node:crypto";
import type { APIRequestContext } from "@playwright/test";
import { bearer, firstSurgeon, tokenFor } from "./api";
import { choose, expect, expectAccessible, signIn, test } from "./fixtures";

const ZONE = "Europe/Amsterdam";
const RESOURCES = "/api/resources";

function localDay(offset: number): string {
  const day = new Date(Date.now() + offset * 86_400_000);
  return new Intl.DateTimeFormat("en-CA", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit" }).format(day);
}

function weekdayLabel(date: string): string {
  return new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", weekday: "long" }).format(new Date(`${date}T12:00:00Z`));
}

const open = [{ start: "07:00", end: "19:00" }];
const everyDay = { monday: open, tuesday: open, wednesday: open, thursday: open, friday: open, saturday: open, sunday: open };

/** A room of this test's own: no other block can clash with the one allocated here. */
async function ownRoom(request: APIRequestContext, token: string): Promise<{ room_id: string; code: string; version: number }> {
  const code = `E2E-B${randomUUID().slice(0, 6)}`;
  const response = await request.post(`${RESOURCES}/operating-rooms`, {
    data: { code, name: "Block test room", weekly_hours: everyDay },
    headers: bearer(token),
  });
  expect(response.status(), await response.text()).toBe(201);
  return await response.json();
}

// What each test made, retired after it even when it timed out (a `finally` would not run then).
const made: { token: string; rooms: string[]; staffNames: string[] } = { token: "", rooms: [], staffNames: [] };

test.afterEach(async ({ request }) => {
  const { token } = made;
  for (const roomId of made.rooms.splice(0)) {
    const blocks = await request.get(`${RESOURCES}/blocks?room_id=${roomId}`, { headers: bearer(token) });
    for (const block of (await blocks.json()).items ?? []) await retire(request, token, `/blocks/${block.block_id}`);
    await retire(request, token, `/operating-rooms/${roomId}`);
  }
  for (const name of made.staffNames.splice(0)) {
    const found = await request.get(`${RESOURCES}/staff?q=${encodeURIComponent(name)}`, { headers: bearer(token) });
    for (const member of (await found.json()).items ?? []) await retire(request, token, `/staff/${member.staff_id}`);
  }
});

/** Clean-up: retires what the test left in service (each call refused harmlessly when already retired). */
async function retire(request: APIRequestContext, token: string, path: string): Promise<void> {
  const current = await request.get(`${RESOURCES}${path}`, { headers: bearer(token) });
  if (!current.ok()) return;
  const { version, retired_at } = await current.json();
  if (retired_at) return;
  await request.post(`${RESOURCES}${path}/retire`, { headers: { ...bearer(token), "If-Match": `"${version}"` } });
}

test("a coordinator allocates a block, sees it on the board, releases one date and retires it", async ({ page, request, shot }) => {
  test.slow(); // many steps and two pages on two shared cores
  const token = (made.token = await tokenFor(request, "coordinator"));
  const room = await ownRoom(request, token);
  made.rooms.push(room.room_id);
  const surgeon = await firstSurgeon(request, token);
  // Two occurrences a week apart, both ahead: the first is released, the second stays.
  const [first, second] = [localDay(8), localDay(15)];
  await signIn(page, "coordinator");
  await page.goto(`/admin/blocks?room=${room.room_id}`);
  await expect(page.getByRole("heading", { level: 1, name: "Blocks" })).toBeVisible();
  const table = page.getByTestId("blocks-table");
  await expect(table.getByText("No block matches these filters.")).toBeVisible();

  await page.getByRole("button", { name: "Allocate a block" }).click();
  const dialog = page.getByRole("dialog", { name: "Allocate a block" });
  await expect(dialog.getByRole("combobox", { name: "Room" })).toContainText(room.code);
  await expectAccessible(page);
  await choose(dialog.getByRole("combobox", { name: "Surgeon" }), page.getByRole("option", { name: surgeon.name, exact: true }));
  await dialog.getByLabel(weekdayLabel(first), { exact: true }).check();
  await dialog.getByLabel("Valid from").fill(first);
  await dialog.getByLabel("Valid until (optional)").fill(second);
  await dialog.getByLabel(/^From/).fill("07:30");
  await dialog.getByLabel(/^Until \(HH:MM/).fill("11:30");
  await dialog.getByRole("button", { name: "Allocate the block" }).click();
  await expect(dialog).toBeHidden();
  const row = table.locator("tbody tr").filter({ hasText: surgeon.name });
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId("block-state")).toHaveText("In force");

  // The board draws the block on both dates.
  const lane = page.getByTestId(`lane-${room.code}`);
  await page.goto(`/board?date=${first}`);
  await expect(lane.getByText(`Block: ${surgeon.name}`)).toBeVisible();

  // One occurrence given back, with a reason.
  await page.goto(`/admin/blocks?room=${room.room_id}`);
  await row.getByRole("button", { name: /^Release a date/ }).click();
  const release = page.getByRole("dialog", { name: /^Release an occurrence/ });
  await expect(release.getByText("No occurrence released yet.")).toBeVisible();
  // The page with its table, and the dialog over it (no toast on screen since the page loaded).
  await expectAccessible(page);
  await choose(release.getByRole("combobox", { name: "Occurrence" }), page.getByRole("option").first());
  await release.getByLabel("Reason (optional)").fill("Surgeon at a congress (end-to-end test)");
  await release.getByRole("button", { name: "Release this occurrence" }).click();
  await expect(release.getByTestId("released-occurrences")).toContainText("Surgeon at a congress (end-to-end test)");
  await shot("block-released");
  await release.getByRole("button", { name: "Done" }).click();
  await expect(release).toBeHidden();
  await expect(row.getByTestId("block-released").locator("li")).toHaveCount(1);
  await shot("blocks-page");

  // That date's block is gone from the board; the next week's is still there.
  await page.goto(`/board?date=${first}`);
  await expect(page.getByTestId("day-board")).toBeVisible();
  await expect(lane).toBeVisible();
  await expect(lane.getByText(/^Block:/)).toHaveCount(0);
  await page.goto(`/board?date=${second}`);
  await expect(lane.getByText(`Block: ${surgeon.name}`)).toBeVisible();

  // Retired: gone from the list of blocks in force.
  await page.goto(`/admin/blocks?room=${room.room_id}`);
  await row.getByRole("button", { name: /^Retire/ }).click();
  const confirm = page.getByRole("dialog", { name: "Retire the block" });
  await confirm.getByRole("button", { name: "Retire the block" }).click();
  await expect(confirm).toBeHidden();
  await expect(table.getByText("No block matches these filters.")).toBeVisible();
});

test("a staff member's daily maximum out of range is refused on its field, then the member is added, away a day and retired", async ({ page, request, shot }) => {
  test.slow(); // many steps on two shared cores
  made.token = await tokenFor(request, "coordinator");
  const name = `E2E Nurse ${randomUUID().slice(0, 8)}`;
  made.staffNames.push(name);
  await signIn(page, "coordinator");
  await page.goto("/admin/staff");
  await expect(page.getByRole("heading", { level: 1, name: "Staff" })).toBeVisible();
  await expect(page.getByTestId("staff-list")).toBeVisible();
  await page.getByRole("button", { name: "Add a staff member" }).click();
  const editor = page.getByTestId("staff-editor");
  await expect(editor.getByRole("heading", { name: "A new staff member" })).toBeVisible();
  await editor.getByLabel("Name", { exact: true }).fill(name);
  await choose(editor.getByRole("combobox", { name: "Role" }), page.getByRole("option", { name: "Scrub nurse", exact: true }));
  await editor.getByLabel("Skills and certifications").fill("Robotic console");
  const maximum = editor.getByLabel("Daily maximum (minutes of cases)");
  await maximum.fill("2000");
  await editor.getByRole("button", { name: "Add the staff member" }).click();

  // The server's refusal, on the field it names; nothing else lost.
  await expect(editor.getByTestId("staff-max-error")).toContainText("1440");
  await expect(maximum).toHaveAttribute("aria-invalid", "true");
  await expect(editor.getByLabel("Name", { exact: true })).toHaveValue(name);
  await expectAccessible(page);
  await shot("staff-refused");

  await maximum.fill("480");
  await editor.getByLabel("Friday", { exact: true }).fill("240"); // a part day
  await editor.getByRole("button", { name: "Add the staff member" }).click();
  await expect(editor.getByRole("heading", { name })).toBeVisible();
  await expect(page).toHaveURL(/[?&]staff=[0-9a-f-]{36}/);
  // Read back from the server: the part day was stored.
  await page.reload();
  await expect(editor.getByRole("heading", { name })).toBeVisible();
  await expect(editor.getByLabel("Friday", { exact: true })).toHaveValue("240");
  await expect(editor.getByLabel("Thursday", { exact: true })).toHaveValue("");
  await page.getByLabel("Find by name").fill(name);
  await expect(page.getByTestId("staff-list").getByRole("row").filter({ hasText: name })).toContainText("480 min");

  // An absence added and removed again, each with the member's current version.
  await editor.getByRole("button", { name: "Add the absence" }).click();
  await expect(editor.getByTestId("staff-absences").locator("tbody tr")).toHaveCount(1);
  await editor.getByRole("button", { name: /^Remove the absence/ }).click();
  await expect(editor.getByText("No absence recorded.")).toBeVisible();

  await editor.getByRole("button", { name: "Retire this staff member…" }).click();
  await editor.getByRole("group", { name: "Confirm retiring the staff member" }).getByRole("button", { name: "Retire" }).click();
  await expect(editor.getByText(/^Retired on/)).toBeVisible();
  await expect(page.getByText("No staff member matches.")).toBeVisible();
});
