// The board's speed in headless Chromium, run by benchmarks/web.py (make bench); prints one JSON
// object. Not a test: Playwright's test runner never picks this file up (*.bench.mjs).
//  - scripts: every JavaScript file the browser fetched to sign in and open the board.
//  - render: a synthetic board of ROOMS rooms x CASES cases fed by route interception, from its
//    data arriving (the later of the schedule's and the availability's answers, as parsed) to the
//    board drawn, painted and the main thread free again (the page's performance marks).
//  - drop: on the demo hospital (the real stack), a waiting case dropped onto a taken slot in the
//    round-the-clock room, from the drop to the dry run's answer shown.
import { chromium } from "@playwright/test";
import { browserHome } from "./trust.mjs";

const GATEWAY = process.env.GATEWAY_URL ?? "https://127.0.0.1:8443";
const ROOMS = Number(process.env.BENCH_BOARD_ROOMS ?? 20);
const CASES = Number(process.env.BENCH_BOARD_CASES ?? 80);
const RENDERS = Number(process.env.BENCH_BOARD_RENDERS ?? 7);
const DROPS = Number(process.env.BENCH_BOARD_DROPS ?? 10);
const USER = { username: "coordinator@example.org", password: "demo-password" };
const SYNTHETIC_DAY = "2031-06-04";
const TZ = "Europe/Amsterdam";

const uuid = (n) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

function synthetic() {
  const dayStart = Date.parse(`${SYNTHETIC_DAY}T05:30:00Z`); // 07:30 in Amsterdam (summer)
  const window = (from, to) => ({ start: new Date(from).toISOString(), end: new Date(to).toISOString() });
  const rooms = [];
  const scheduleRooms = [];
  const staff = [];
  for (let r = 0; r < ROOMS; r += 1) {
    const roomId = uuid(1000 + r);
    const code = `OR-${r + 1}`;
    const open = [window(dayStart, dayStart + 10 * 3_600_000)];
    rooms.push({
      room_id: roomId, code, name: `Theatre ${r + 1}`, status: "active", capabilities: ["general"],
      open_intervals: open, open_minutes_by_date: { [SYNTHETIC_DAY]: 600 },
      blocks: r % 3 === 0 ? [{ block_id: uuid(5000 + r), room_id: roomId, surgeon_id: null, service: "general", ...window(dayStart, dayStart + 5 * 3_600_000) }] : [],
    });
    const cases = [];
    const perRoom = Math.floor(CASES / ROOMS) + (r < CASES % ROOMS ? 1 : 0);
    for (let c = 0; c < perRoom; c += 1) {
      const n = r * 100 + c;
      const start = dayStart + 20 * 60_000 + c * 140 * 60_000;
      const surgeon = { staff_id: uuid(2000 + (n % 30)), name: `Dr Surgeon ${n % 30}` };
      cases.push({
        surgery_id: uuid(10_000 + n), version: 2, status: c === 0 ? "confirmed" : "scheduled", priority: ["elective", "urgent", "emergency"][n % 3],
        patient_mrn: `MRN-${n}`, procedure: { code: `P${n}`, name: `Procedure number ${n}`, coding_system: null }, specialty: "general",
        anaesthesia_type: "general", expected_duration_minutes: 120, setup_minutes: 10, cleanup_minutes: 10,
        start: new Date(start).toISOString(), end: new Date(start + 120 * 60_000).toISOString(),
        room_held_from: new Date(start - 10 * 60_000).toISOString(), room_held_until: new Date(start + 130 * 60_000).toISOString(),
        room: { room_id: roomId, code, name: `Theatre ${r + 1}` }, surgeon,
        staff: [
          { ...surgeon, role: "surgeon" },
          { staff_id: uuid(3000 + (n % 40)), name: `Anaesthetist ${n % 40}`, role: "anaesthetist" },
          { staff_id: uuid(4000 + (n % 40)), name: `Nurse ${n % 40}`, role: "scrub_nurse" },
        ],
        equipment_units: [], wheels_in: null, wheels_out: null,
      });
    }
    scheduleRooms.push({ room_id: roomId, code, name: `Theatre ${r + 1}`, open_intervals: open, cases });
  }
  for (let s = 0; s < 40; s += 1) {
    staff.push({ staff_id: uuid(3000 + s), name: `Anaesthetist ${s}`, role: "anaesthetist", specialties: [], status: "active", max_minutes_per_day: 600, available_intervals: [window(dayStart - 3_600_000, dayStart + 11 * 3_600_000)] });
  }
  const schedule = { from: SYNTHETIC_DAY, to: SYNTHETIC_DAY, timezone: TZ, empty_rooms_listed: true, days: [{ date: SYNTHETIC_DAY, rooms: scheduleRooms }] };
  const availability = {
    from: SYNTHETIC_DAY, to: SYNTHETIC_DAY, timezone: TZ, window: window(dayStart - 7.5 * 3_600_000, dayStart + 16.5 * 3_600_000),
    rooms, staff, equipment_units: [],
  };
  return { schedule, availability };
}

async function api(path, { token, method = "GET", body } = {}) {
  const response = await fetch(`${GATEWAY}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function signIn(page) {
  await page.goto(`${GATEWAY}/sign-in`);
  await page.getByLabel("Email").fill(USER.username);
  await page.getByLabel("Password", { exact: true }).fill(USER.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("signed-in-as").waitFor();
}

/**
 * Milliseconds from the latest of the first marks named in `fromNames` (the data in: the first
 * answer of each kind) to the first `to` mark after it. A later refetch of equal data changes
 * nothing on the page, so only the first arrival counts.
 */
function between(page, fromNames, to) {
  return page.evaluate(
    ([fromNames, to]) => {
      const marks = performance.getEntriesByType("mark");
      const from = Math.max(...fromNames.map((name) => marks.find((m) => m.name === name)?.startTime ?? Infinity));
      const end = marks.find((m) => m.name === to && m.startTime >= from);
      return end ? end.startTime - from : null;
    },
    [fromNames, to],
  );
}

async function scriptsAndRender(browser) {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const page = await context.newPage();
  const scripts = new Set();
  page.on("response", (response) => {
    const url = new URL(response.url());
    if (url.pathname.endsWith(".js")) scripts.add(url.pathname);
  });
  await signIn(page);
  const { schedule, availability } = synthetic();
  await page.route("**/api/scheduling/schedule?*", (route) => route.fulfill({ json: schedule }));
  await page.route("**/api/resources/availability?*", (route) => route.fulfill({ json: availability }));
  await page.route("**/api/scheduling/schedule/revision", (route) => route.fulfill({ json: { revision: "bench" }, headers: { ETag: '"bench"' } }));
  const renders = [];
  for (let i = 0; i < RENDERS; i += 1) {
    await page.goto(`${GATEWAY}/board?date=${SYNTHETIC_DAY}`);
    await page.getByTestId("board-case").nth(CASES - 1).waitFor().catch(async (error) => {
      await page.screenshot({ path: "/tmp/bench-fail.png" });
      throw error;
    });
    await page.waitForFunction(() => performance.getEntriesByName("board-interactive").length > 0);
    renders.push(await between(page, ["board-data-schedule", "board-data-availability"], "board-interactive"));
    if (i === 0) {
      const shown = await page.getByTestId("board-case").count();
      if (shown !== CASES) throw new Error(`the board shows ${shown} cases, not ${CASES}`);
    }
  }
  await context.close();
  return { scripts: [...scripts].sort(), renders };
}

function farWednesday() {
  const weeks = 400 + Math.floor(Math.random() * 300);
  return new Date(Date.UTC(2036, 0, 2) + weeks * 7 * 86_400_000).toISOString().slice(0, 10);
}

async function drops(browser) {
  const tokenAnswer = await fetch(`${GATEWAY}/api/auth/token`, { method: "POST", body: new URLSearchParams(USER) });
  const token = (await tokenAnswer.json()).access_token;
  const surgeon = (await api("/api/resources/staff?role=surgeon&limit=500", { token })).items.find((p) => p.name === "Dr Miranda Bailey");
  const room = (await api("/api/resources/operating-rooms?limit=500", { token })).items.find((r) => r.code === "OR-1");
  const tag = `WB${Date.now().toString(36).toUpperCase()}`;
  const request = (n) =>
    api("/api/scheduling/surgeries", {
      token, method: "POST",
      body: {
        patient_mrn: `${tag}-${n}`, procedure: { code: "BENCH-1", name: `Bench drop ${tag} ${n}` }, surgeon_id: surgeon.staff_id,
        specialty: "general", expected_duration_minutes: 60, setup_minutes: 10, cleanup_minutes: 10, priority: "elective", anaesthesia_type: "local",
      },
    });
  const day = farWednesday();
  const made = [await request(1), await request(2)];
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  try {
    const [holder, dropped] = made;
    const start = new Date(Date.parse(`${day}T07:00:00Z`)).toISOString(); // 09:00 local (summer) or 08:00 (winter)
    await api(`/api/scheduling/surgeries/${holder.surgery_id}/booking`, { token, method: "PUT", body: { room_id: room.room_id, start } });
    const page = await context.newPage();
    await signIn(page);
    await page.goto(`${GATEWAY}/board?date=${day}`);
    const lane = page.getByTestId("lane-OR-1");
    await lane.waitFor();
    await page.getByTestId("board-case").filter({ hasText: holder.procedure.name }).waitFor();
    await page.getByTestId("waiting-search").fill(dropped.patient_mrn);
    const card = page.getByTestId("waiting-case").filter({ hasText: dropped.patient_mrn });
    await card.waitFor();
    const box = await lane.boundingBox();
    const held = await page.getByTestId("board-case").filter({ hasText: holder.procedure.name }).boundingBox();
    const x = held.x - box.x + held.width / 2;
    const times = [];
    const checks = [];
    for (let i = 0; i < DROPS; i += 1) {
      await page.evaluate(() => {
        performance.clearMarks();
        performance.clearResourceTimings();
      });
      await card.dragTo(lane, { targetPosition: { x, y: box.height - 8 } });
      await page.waitForFunction(() => performance.getEntriesByName("board-verdict").length > 0 && document.querySelector('[data-testid="board-verdict"] [data-code]') !== null);
      times.push(await between(page, ["board-drop"], "board-verdict"));
      // The dry run's own round trip (the request the drop's answer waited for), for comparison.
      checks.push(await page.evaluate(() => Math.max(...performance.getEntriesByType("resource").filter((e) => e.name.includes("/booking/check")).map((e) => e.duration))));
    }
    return { drops: times, checks };
  } finally {
    await context.close();
    for (const surgery of made) {
      await api(`/api/scheduling/surgeries/${surgery.surgery_id}/cancel`, { token, method: "POST", body: { reason_code: "administrative", reason: "web benchmark clean-up" } });
    }
  }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  env: { ...process.env, HOME: browserHome() },
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update"],
});
try {
  const first = await scriptsAndRender(browser);
  const second = await drops(browser);
  process.stdout.write(`${JSON.stringify({ rooms: ROOMS, cases: CASES, ...first, ...second })}\n`);
} finally {
  await browser.close();
}
