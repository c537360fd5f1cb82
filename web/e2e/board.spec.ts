// The day board against the real stack: book by dragging, see the named conflict of a second
// drop on the same slot, move, book by keyboard through the form with a team picked from who is
// free, a stale edit explained, and two coordinators seeing each other's changes within 2 s.
// Cases are this run's own, on a far-future Wednesday in the demo's round-the-clock room (OR-1),
// and are cancelled at the end.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { type APIRequestContext, type Browser, type Locator, type Page } from "@playwright/test";
import { expect, expectAccessible, PASSWORD, signIn, test, USERS } from "./fixtures";

const TZ = "Europe/Amsterdam";
const ROOM = "OR-1";

/** A far-future Wednesday, different each run, so runs and other tests do not meet. */
function testDay(): string {
  const weeks = Math.floor(Math.random() * 300);
  const base = Date.UTC(2036, 0, 2); // a Wednesday
  return new Date(base + weeks * 7 * 86_400_000).toISOString().slice(0, 10);
}

/** A local hospital time on `day` as an ISO instant (UTC). */
function localInstant(day: string, hhmm: string): string {
  const [h, m] = hhmm.split(":").map(Number);
  const guess = Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10)), h, m);
  const offsetAt = (instant: number) => {
    const parts = new Intl.DateTimeFormat("en-GB", { timeZone: TZ, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" }).formatToParts(new Date(instant));
    const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
    return Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute")) - instant;
  };
  return new Date(guess - offsetAt(guess - offsetAt(guess))).toISOString();
}

function localHHMM(iso: string): string {
  return new Intl.DateTimeFormat("en-GB", { timeZone: TZ, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(iso));
}

class Api {
  private constructor(
    private readonly request: APIRequestContext,
    private readonly token: string,
  ) {}

  static async signIn(request: APIRequestContext, role: "coordinator" | "admin" = "coordinator"): Promise<Api> {
    const answer = await request.post("/api/auth/token", { form: { username: USERS[role], password: PASSWORD } });
    expect(answer.status()).toBe(200);
    return new Api(request, ((await answer.json()) as { access_token: string }).access_token);
  }

  private get headers() {
    return { Authorization: `Bearer ${this.token}` };
  }

  async get<T>(path: string): Promise<T> {
    const answer = await this.request.get(path, { headers: this.headers });
    expect(answer.status(), await answer.text()).toBe(200);
    return (await answer.json()) as T;
  }

  async delete(path: string): Promise<void> {
    const answer = await this.request.delete(path, { headers: this.headers });
    expect(answer.status(), await answer.text()).toBeLessThan(300);
  }

  async send<T>(method: "post" | "put", path: string, data: unknown, status = 200): Promise<T> {
    const answer = await this.request[method](path, { headers: this.headers, data });
    expect(answer.status(), await answer.text()).toBe(status);
    return (await answer.json()) as T;
  }
}

interface Case {
  surgery_id: string;
  patient_mrn: string;
  version: number;
  procedure: { name: string };
  booking: { start: string; room_id: string; staff: { role: string; staff_id: string }[]; equipment_unit_ids: string[] } | null;
}

class Cases {
  readonly made: string[] = [];
  readonly tag = `B${Date.now().toString(36).toUpperCase()}${Math.floor(Math.random() * 1e4)}`;
  private surgeonId = "";
  roomId = "";

  constructor(readonly api: Api) {}

  async prepare() {
    const staff = await this.api.get<{ items: { staff_id: string; name: string }[] }>("/api/resources/staff?role=surgeon&limit=500");
    this.surgeonId = staff.items.find((person) => person.name === "Dr Miranda Bailey")!.staff_id;
    const rooms = await this.api.get<{ items: { room_id: string; code: string }[] }>("/api/resources/operating-rooms?limit=500");
    this.roomId = rooms.items.find((room) => room.code === ROOM)!.room_id;
  }

  async request(name: string, roles: { role: string; count: number }[] = [], equipment: string[] = []): Promise<Case> {
    const made = await this.api.send<Case>(
      "post",
      "/api/scheduling/surgeries",
      {
        patient_mrn: `${this.tag}-${this.made.length + 1}`,
        procedure: { code: "BRD-1", name: `${name} ${this.tag}` },
        surgeon_id: this.surgeonId,
        specialty: "general",
        expected_duration_minutes: 90,
        setup_minutes: 15,
        cleanup_minutes: 15,
        priority: "elective",
        anaesthesia_type: "general",
        staff_roles_needed: roles,
        equipment_types: equipment,
      },
      201,
    );
    this.made.push(made.surgery_id);
    return made;
  }

  read(id: string): Promise<Case> {
    return this.api.get<Case>(`/api/scheduling/surgeries/${id}`);
  }

  /** Cancels every case this test made (booked or waiting); already cancelled ones are left. */
  async cancelAll(request: APIRequestContext) {
    const api = await Api.signIn(request);
    for (const id of this.made) {
      const found = await api.get<{ status: string }>(`/api/scheduling/surgeries/${id}`);
      if (found.status !== "cancelled") await api.send("post", `/api/scheduling/surgeries/${id}/cancel`, { reason_code: "administrative", reason: "board e2e test clean-up" });
    }
  }
}

async function openBoard(page: Page, day: string) {
  await page.goto(`/board?date=${day}`);
  await expect(page.getByTestId("day-board")).toBeVisible();
  await expect(page.getByTestId(`lane-${ROOM}`)).toBeVisible();
}

async function findWaiting(page: Page, mrn: string): Promise<Locator> {
  await page.getByTestId("waiting-search").fill(mrn);
  const card = page.getByTestId("waiting-case").filter({ hasText: mrn });
  await expect(card).toHaveCount(1);
  return card;
}

/** Drags `source` onto the room's lane where `hhmm` (local time) is, on a 24-hour day. */
async function dragTo(page: Page, source: Locator, hhmm: string) {
  const lane = page.getByTestId(`lane-${ROOM}`);
  const box = (await lane.boundingBox())!;
  await source.dragTo(lane, { targetPosition: { x: laneX(box.width, hhmm), y: box.height - 8 } });
}

/** Where a local time is across a lane of a 24-hour day (a little past it, so it snaps there). */
function laneX(width: number, hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return ((h + m / 60) / 24) * width + 2;
}

function boardCase(page: Page, name: string): Locator {
  return page.getByTestId("board-case").filter({ hasText: name });
}

test.describe("the day board", () => {
  let cases: Cases;
  // False until this test's cases are ready (a failed set-up has nothing to cancel).
  let ready = false;

  test.beforeEach(async ({ request }) => {
    ready = false;
    cases = new Cases(await Api.signIn(request));
    await cases.prepare();
    ready = true;
  });

  test.afterEach(async ({ request }) => {
    if (ready) await cases.cancelAll(request);
  });

  test("a waiting case dragged onto a room is booked, a second drop there names the conflict, and a drag moves it", async ({ page, request, consoleProblems, shot }) => {
    test.slow(); // many steps on two shared cores
    void consoleProblems;
    const day = testDay();
    const first = await cases.request("Board hernia");
    const second = await cases.request("Board knee");
    await signIn(page, "coordinator");
    await openBoard(page, day);
    await shot("board-open");
    await expectAccessible(page);

    await dragTo(page, await findWaiting(page, first.patient_mrn), "09:00");
    await expect(page.getByTestId("board-verdict")).toContainText(`Booked ${first.procedure.name} in ${ROOM} at 09:00`);
    await expect(boardCase(page, first.procedure.name)).toBeVisible();
    expect(localHHMM((await cases.read(first.surgery_id)).booking!.start)).toBe("09:00");
    await shot("booked-by-drag");

    // Dragged slowly this time: while it hovers, the dry run already names the conflict.
    const card = await findWaiting(page, second.patient_mrn);
    const from = (await card.boundingBox())!;
    const lane = (await page.getByTestId(`lane-${ROOM}`).boundingBox())!;
    await page.mouse.move(from.x + 20, from.y + 10);
    await page.mouse.down();
    await page.mouse.move(lane.x + laneX(lane.width, "09:00"), lane.y + lane.height - 8, { steps: 5 });
    // Playwright's drag emulation delivers a move's drag-over with the next move: nudge once.
    await page.mouse.move(lane.x + laneX(lane.width, "09:00") + 1, lane.y + lane.height - 8);
    const preview = page.getByTestId("drag-verdict");
    await expect(preview).toContainText(`If dropped here: ${ROOM} at 09:00 does not fit`);
    await expect(preview.locator('[data-code="room_double_booked"]')).toContainText(first.procedure.name);
    await expect(page.getByTestId("drop-ghost")).toContainText("09:00 does not fit");
    await shot("dragging-over-a-taken-slot");
    await page.mouse.up();
    await dragTo(page, card, "09:00");
    const verdict = page.getByTestId("board-verdict");
    await expect(verdict).toContainText(`${second.procedure.name} does not fit in ${ROOM} at 09:00`);
    const conflict = verdict.locator('[data-code="room_double_booked"]');
    await expect(conflict).toContainText(`${ROOM} Emergency theatre is already taken`);
    await expect(conflict).toContainText(`the case ${first.procedure.name} (${first.patient_mrn}`);
    expect((await cases.read(second.surgery_id)).booking).toBeNull();
    await shot("second-drop-conflict");
    await expectAccessible(page);

    // A room exception added meanwhile is drawn behind the cases, in words.
    const admin = await Api.signIn(request, "admin");
    const exception = await admin.send<{ exceptions: { window_id: string; note: string | null }[] }>(
      "post",
      `/api/resources/operating-rooms/${cases.roomId}/exceptions`,
      { kind: "maintenance", start: localInstant(day, "19:00"), end: localInstant(day, "20:00"), note: `Board check ${cases.tag}` },
      201,
    );
    const windowId = exception.exceptions.find((item) => item.note === `Board check ${cases.tag}`)!.window_id;
    try {
      await page.reload();
      await expect(page.getByTestId(`lane-${ROOM}`).getByTestId("room-exception")).toContainText(`Maintenance: Board check ${cases.tag}`);
      await shot("room-exception");
    } finally {
      await admin.delete(`/api/resources/operating-rooms/${cases.roomId}/exceptions/${windowId}`);
    }

    await dragTo(page, boardCase(page, first.procedure.name), "13:00");
    await expect(page.getByTestId("board-verdict")).toContainText(`Moved ${first.procedure.name} in ${ROOM}`);
    await expect.poll(async () => localHHMM((await cases.read(first.surgery_id)).booking!.start)).not.toBe("09:00");
    const moved = localHHMM((await cases.read(first.surgery_id)).booking!.start);
    expect(Number(moved.slice(0, 2))).toBeGreaterThanOrEqual(12);
    await shot("moved-by-drag");
  });

  test("a case is booked by keyboard through the form, with its anaesthetist and C-arm offered from who and what is free", async ({ page, consoleProblems, shot }) => {
    void consoleProblems;
    const day = testDay();
    const surgery = await cases.request("Board keyboard", [{ role: "anaesthetist", count: 1 }], ["c_arm"]);
    await signIn(page, "coordinator");
    await openBoard(page, day);
    await findWaiting(page, surgery.patient_mrn);
    await page.getByRole("button", { name: `Book ${surgery.procedure.name} for ${surgery.patient_mrn}` }).focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog");
    await expect(dialog).toContainText(`Book ${surgery.procedure.name}`);
    await dialog.getByLabel("Room").focus();
    await dialog.getByLabel("Room").selectOption({ label: `${ROOM} Emergency theatre` });
    await expect(dialog.getByLabel("Date")).toHaveValue(day);
    await dialog.getByLabel("Wheels-in time").fill("10:30");
    const anaesthetist = dialog.getByLabel("Anaesthetist");
    await expect(anaesthetist).not.toHaveValue("");
    const cArm = dialog.getByLabel("C arm");
    await expect(cArm).not.toHaveValue("");
    await shot("booking-form");
    await expectAccessible(page);
    await dialog.getByRole("button", { name: "Check" }).focus();
    await page.keyboard.press("Enter");
    await expect(dialog.getByTestId("booking-verdict")).toContainText("It fits");
    await dialog.getByRole("button", { name: "Book" }).focus();
    await page.keyboard.press("Enter");
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId("board-verdict")).toContainText(`Saved ${surgery.procedure.name} in ${ROOM} at 10:30`);
    const booked = await cases.read(surgery.surgery_id);
    expect(localHHMM(booked.booking!.start)).toBe("10:30");
    expect(booked.booking!.staff.map((person) => person.role)).toContain("anaesthetist");
    expect(booked.booking!.equipment_unit_ids).toHaveLength(1);
    await shot("booked-by-keyboard");
  });

  test("a stale edit is explained and the form refreshed, not silently lost", async ({ page, consoleProblems, shot }) => {
    void consoleProblems;
    const day = testDay();
    const surgery = await cases.request("Board stale");
    await cases.api.send("put", `/api/scheduling/surgeries/${surgery.surgery_id}/booking`, { room_id: cases.roomId, start: localInstant(day, "08:00") });
    await signIn(page, "coordinator");
    await openBoard(page, day);
    await boardCase(page, surgery.procedure.name).click();
    const dialog = page.getByRole("dialog");
    await expect(dialog).toContainText(`Move ${surgery.procedure.name}`);
    // Another coordinator moves the case while this one has the form open.
    await cases.api.send("put", `/api/scheduling/surgeries/${surgery.surgery_id}/booking`, { room_id: cases.roomId, start: localInstant(day, "11:00") });
    await dialog.getByLabel("Wheels-in time").fill("15:00");
    await dialog.getByRole("button", { name: "Move" }).click();
    await expect(dialog.getByTestId("booking-verdict")).toContainText("Someone else changed this case");
    await expect(dialog.getByLabel("Wheels-in time")).toHaveValue("15:00");
    await shot("stale-edit-explained");
    expect(localHHMM((await cases.read(surgery.surgery_id)).booking!.start)).toBe("11:00");
    await dialog.getByRole("button", { name: "Move" }).click();
    await expect(dialog).toBeHidden();
    expect(localHHMM((await cases.read(surgery.surgery_id)).booking!.start)).toBe("15:00");
  });

  test("a viewer sees the board but is offered nothing to drag or book", async ({ page, consoleProblems, shot }) => {
    void consoleProblems;
    const day = testDay();
    const surgery = await cases.request("Board viewer");
    await cases.api.send("put", `/api/scheduling/surgeries/${surgery.surgery_id}/booking`, { room_id: cases.roomId, start: localInstant(day, "10:00") });
    await signIn(page, "viewer");
    await openBoard(page, day);
    const block = boardCase(page, surgery.procedure.name);
    await expect(block).toBeVisible();
    await expect(block).toHaveAttribute("draggable", "false");
    await expect(page.getByTestId("waiting-case")).toHaveCount(0);
    await expectAccessible(page);
    await shot("viewer-board");
    await block.click();
    await expect(page).toHaveURL(new RegExp(`/surgeries/${surgery.surgery_id}$`));
    await expect(page.getByRole("dialog")).toHaveCount(0);
  });

  test("two coordinators see each other's changes on an open board within 2 seconds", async ({ browser }) => {
    const day = testDay();
    const surgery = await cases.request("Board live");
    const [one, two] = await Promise.all([coordinatorPage(browser), coordinatorPage(browser)]);
    await openBoard(one, day);
    await openBoard(two, day);

    // Each coordinator looks at their own screen: the watching board is the page in front (the
    // browser slows the timers of pages in the background, as it would a hidden tab's).
    const card = await findWaiting(one, surgery.patient_mrn);
    await two.bringToFront();
    await dragTo(one, card, "09:00");
    await expect(one.getByTestId("board-verdict")).toContainText("Booked");
    const seenAt = Date.now();
    await expect(boardCase(two, surgery.procedure.name)).toBeVisible({ timeout: 2_000 });
    console.log(`second board saw the booking ${Date.now() - seenAt} ms after the first showed it`);

    await one.bringToFront();
    await dragTo(two, boardCase(two, surgery.procedure.name), "14:00");
    await expect(two.getByTestId("board-verdict")).toContainText("Moved");
    const moved = localHHMM((await cases.read(surgery.surgery_id)).booking!.start);
    const movedAt = Date.now();
    await expect(boardCase(one, surgery.procedure.name)).toContainText(`${moved}–`, { timeout: 2_000 });
    console.log(`first board saw the move ${Date.now() - movedAt} ms after the second showed it`);
    await one.screenshot({ path: path.join(stepsFolder(), "01-first-board-sees-the-move.png"), fullPage: true });
    await two.screenshot({ path: path.join(stepsFolder(), "02-second-board-after-its-move.png"), fullPage: true });
    await Promise.all([one.context().close(), two.context().close()]);
  });
});

test.describe("the board's days and weeks", () => {
  test("a day the clocks go back has 25 hours on its axis, and the week view lists rooms by days", async ({ page, consoleProblems, shot }) => {
    void consoleProblems;
    await signIn(page, "coordinator");
    await openBoard(page, "2036-10-26");
    await expect(page.getByText("25-hour day (clock change)")).toBeVisible();
    const head = page.getByTestId("day-board").getByRole("columnheader").nth(1);
    await expect(head).toContainText("Time of day, 25 hours, Europe/Amsterdam");
    await expect(head.locator(".tick", { hasText: "02:00" })).toHaveCount(2);
    await shot("day-with-25-hours");
    await page.getByRole("button", { name: "Week" }).click();
    const week = page.getByTestId("week-board");
    await expect(week).toBeVisible();
    await expect(week.getByRole("columnheader")).toHaveCount(8);
    await expect(week.getByRole("rowheader", { name: `${ROOM} Emergency theatre` })).toBeVisible();
    await expectAccessible(page);
    await shot("week-view");
    await week.getByRole("button", { name: "Wed, 22 Oct 2036" }).click();
    await expect(page).toHaveURL(/date=2036-10-22/);
    await expect(page.getByTestId("day-board")).toBeVisible();
  });
});

/** The step screenshots' folder of the running test, as the `shot` fixture names it (pages of other contexts). */
function stepsFolder(): string {
  const artifacts = process.env.PLAYWRIGHT_ARTIFACTS ?? path.resolve(import.meta.dirname, "../../.run/playwright");
  const folder = path.join(artifacts, "steps", test.info().titlePath.slice(1).join(" - ").replace(/[^\w.-]+/g, "_"));
  mkdirSync(folder, { recursive: true });
  return folder;
}

async function coordinatorPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, "coordinator");
  return page;
}
