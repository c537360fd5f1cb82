// The optimization review's speed in headless Chromium, run by benchmarks/web.py (make bench);
// prints one JSON object. Not a test: Playwright's test runner never picks this file up.
//  - review: a synthetic proposal of DAYS days x ROOMS rooms (CASES_PER_ROOM_DAY cases each,
//    moved, added and unchanged, plus left-out cases) fed by route interception, from its data
//    arriving (the latest of the optimization, its cases' details, the rooms' open time and the
//    board's schedule and availability, as parsed) to the review drawn — figures, board with
//    ghosts, case list — painted and the main thread free again (the page's performance marks).
import { chromium } from "@playwright/test";
import { browserHome } from "./trust.mjs";

const GATEWAY = process.env.GATEWAY_URL ?? "https://127.0.0.1:8443";
const DAYS = Number(process.env.BENCH_REVIEW_DAYS ?? 5);
const ROOMS = Number(process.env.BENCH_REVIEW_ROOMS ?? 10);
const PER_ROOM_DAY = Number(process.env.BENCH_REVIEW_CASES_PER_ROOM_DAY ?? 4);
const LEFT_OUT = Number(process.env.BENCH_REVIEW_LEFT_OUT ?? 20);
const LOADS = Number(process.env.BENCH_REVIEW_LOADS ?? 7);
const USER = { username: "coordinator@example.org", password: "demo-password" };
const FIRST_DAY = "2031-06-02"; // a Monday
const TZ = "Europe/Amsterdam";
const REQUEST_ID = "00000000-0000-4000-8000-000000000001";

const uuid = (n) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const iso = (ms) => new Date(ms).toISOString();
const dayOf = (d) => new Date(Date.parse(`${FIRST_DAY}T00:00:00Z`) + d * 86_400_000).toISOString().slice(0, 10);
const opensAt = (d) => Date.parse(`${dayOf(d)}T06:00:00Z`); // 08:00 in Amsterdam (summer)

function synthetic() {
  const rooms = [];
  const cases = [];
  const surgeries = [];
  const listed = new Map(); // day -> room -> listed cases
  const kinds = ["moved", "added", "unchanged"];
  let n = 0;
  for (let r = 0; r < ROOMS; r += 1) {
    const roomId = uuid(1000 + r);
    const open = Array.from({ length: DAYS }, (_, d) => ({ start: iso(opensAt(d)), end: iso(opensAt(d) + 10 * 3_600_000) }));
    rooms.push({ room_id: roomId, code: `OR-${r + 1}`, name: `Theatre ${r + 1}`, status: "active", capabilities: [], open_intervals: open, open_minutes_by_date: {}, blocks: [] });
    for (let d = 0; d < DAYS; d += 1) {
      for (let c = 0; c < PER_ROOM_DAY; c += 1, n += 1) {
        const kind = kinds[n % 3];
        const start = opensAt(d) + 15 * 60_000 + c * 140 * 60_000;
        const placement = (at) => ({ room_id: roomId, start: iso(at), end: iso(at + 120 * 60_000), staff: [{ staff_id: uuid(2000 + (n % 30)), role: "surgeon" }], equipment_unit_ids: [] });
        const current = kind === "added" ? null : placement(kind === "moved" ? start + 20 * 60_000 : start);
        cases.push({
          surgery_id: uuid(10_000 + n), change: kind, status: kind === "added" ? "requested" : "scheduled",
          current, proposed: placement(start), differences: kind === "moved" ? ["time"] : [], reason: null, detail: null, changed_since_request: false,
        });
        surgeries.push(surgery(n, kind === "added" ? "requested" : "scheduled"));
        if (current) {
          const day = dayOf(d);
          if (!listed.has(day)) listed.set(day, new Map());
          const byRoom = listed.get(day);
          if (!byRoom.has(roomId)) byRoom.set(roomId, []);
          byRoom.get(roomId).push(listedCase(n, roomId, r, Date.parse(current.start)));
        }
      }
    }
  }
  for (let u = 0; u < LEFT_OUT; u += 1, n += 1) {
    cases.push({ surgery_id: uuid(10_000 + n), change: "unscheduled", status: "requested", current: null, proposed: null, differences: [], reason: ["no_capacity", "no_staff", "not_in_block"][u % 3], detail: null, changed_since_request: false });
    surgeries.push(surgery(n, "requested"));
  }
  const counts = { moved: 0, added: 0, unchanged: 0, unscheduled: 0, unbooked: 0 };
  for (const entry of cases) counts[entry.change] += 1;
  const optimization = {
    request_id: REQUEST_ID, status: "proposed", version: 2,
    horizon: { start_date: dayOf(0), end_date: dayOf(DAYS - 1), timezone: TZ },
    requested_by: null, requested_at: iso(Date.now() - 60_000), answered_at: iso(Date.now() - 50_000), decided_by: null, decided_at: null,
    run_id: uuid(9), size: { cases: cases.length, rooms: ROOMS, staff: 30, equipment_units: 0, blocks: 0 },
    options: { room_ids: rooms.map((room) => room.room_id), surgery_ids: null, locked_surgery_ids: [], respect_blocks: true, time_limit_seconds: 10, objective_weights: {}, left_out: [], default_cases: {} },
    proposal: {
      kpis: { scheduled_cases: cases.length - LEFT_OUT, unscheduled_cases: LEFT_OUT, utilization: 0.62, idle_minutes: 900, overtime_minutes: 0, moved_cases: counts.moved, late_cases: 0, booked_minutes: 0, open_minutes: ROOMS * DAYS * 600, surgery_minutes: 0, room_days_opened: ROOMS * DAYS },
      solver: { status: "feasible", objective: 1200, best_bound: 1100, gap: 0.083, wall_time_seconds: 10 },
      counts, stale: false, changed_case_ids: [], cases,
    },
    failure: null,
  };
  const schedule = (day) => ({
    from: day, to: day, timezone: TZ, empty_rooms_listed: true,
    days: [{ date: day, rooms: rooms.map((room) => ({ room_id: room.room_id, code: room.code, name: room.name, open_intervals: room.open_intervals, cases: listed.get(day)?.get(room.room_id) ?? [] })) }],
  });
  const availability = (from, to) => ({
    from, to, timezone: TZ, window: { start: iso(opensAt(0) - 6 * 3_600_000), end: iso(opensAt(DAYS - 1) + 18 * 3_600_000) },
    rooms, staff: [], equipment_units: [],
  });
  return { optimization, surgeries, schedule, availability };
}

function surgery(n, status) {
  return {
    surgery_id: uuid(10_000 + n), version: 1, status, priority: ["elective", "urgent", "elective", "emergency"][n % 4], patient_mrn: `MRN-${n}`,
    procedure: { code: `P${n}`, name: `Procedure number ${n}`, coding_system: null }, surgeon_id: uuid(2000 + (n % 30)), specialty: "general",
    anaesthesia_type: "general", expected_duration_minutes: 120, setup_minutes: 10, cleanup_minutes: 10, earliest_date: "2031-05-01", due_date: null,
    required_capabilities: [], staff_roles_needed: [], equipment_types: [], requested_by: uuid(1), created_at: "2031-04-01T08:00:00Z", updated_at: "2031-04-01T08:00:00Z",
    booking: null, notes: null, reason: null, reason_code: null, wheels_in: null, wheels_out: null,
  };
}

function listedCase(n, roomId, r, start) {
  const surgeon = { staff_id: uuid(2000 + (n % 30)), name: `Dr Surgeon ${n % 30}` };
  return {
    surgery_id: uuid(10_000 + n), version: 2, status: "scheduled", priority: "elective", patient_mrn: `MRN-${n}`,
    procedure: { code: `P${n}`, name: `Procedure number ${n}`, coding_system: null }, specialty: "general", anaesthesia_type: "general",
    expected_duration_minutes: 120, setup_minutes: 10, cleanup_minutes: 10, start: iso(start), end: iso(start + 120 * 60_000),
    room_held_from: iso(start - 10 * 60_000), room_held_until: iso(start + 130 * 60_000), room: { room_id: roomId, code: `OR-${r + 1}`, name: `Theatre ${r + 1}` },
    surgeon, staff: [{ ...surgeon, role: "surgeon" }], equipment_units: [], wheels_in: null, wheels_out: null,
  };
}

async function signIn(page) {
  await page.goto(`${GATEWAY}/sign-in`);
  await page.getByLabel("Email").fill(USER.username);
  await page.getByLabel("Password", { exact: true }).fill(USER.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("signed-in-as").waitFor();
}

const DATA_MARKS = ["optimization-data", "optimization-data-cases", "optimization-data-open", "board-data-schedule", "board-data-availability"];

/** Milliseconds from the latest first data mark to the first review-interactive mark after it. */
function dataToInteractive(page) {
  return page.evaluate((names) => {
    const marks = performance.getEntriesByType("mark");
    const from = Math.max(...names.map((name) => marks.find((m) => m.name === name)?.startTime ?? Infinity));
    const end = marks.find((m) => m.name === "review-interactive" && m.startTime >= from);
    return end ? end.startTime - from : null;
  }, DATA_MARKS);
}

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    env: { ...process.env, HOME: browserHome() },
    args: ["--headless", "--no-sandbox", "--disable-gpu"],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await signIn(page);
    const data = synthetic();
    const query = (route) => new URL(route.request().url()).searchParams;
    await page.route(`**/api/scheduling/optimizations/${REQUEST_ID}`, (route) => route.fulfill({ json: data.optimization }));
    await page.route("**/api/scheduling/optimizations?*", (route) => route.fulfill({ json: { items: [], total: 0, offset: 0, limit: 10 } }));
    await page.route("**/api/scheduling/surgeries?*", (route) => route.fulfill({ json: { items: data.surgeries, total: data.surgeries.length, offset: 0, limit: 500 } }));
    await page.route("**/api/scheduling/schedule?*", (route) => route.fulfill({ json: data.schedule(query(route).get("date")) }));
    await page.route("**/api/resources/availability?*", (route) => route.fulfill({ json: data.availability(query(route).get("from"), query(route).get("to")) }));
    const loads = [];
    let ghosts = 0;
    for (let i = 0; i < LOADS; i += 1) {
      await page.goto(`${GATEWAY}/optimization?id=${REQUEST_ID}`);
      await page.waitForFunction(() => performance.getEntriesByName("review-interactive").length > 0, null, { timeout: 30_000 }).catch(async (error) => {
        await page.screenshot({ path: "/tmp/bench-review-fail.png", fullPage: true });
        throw new Error(`${error.message}; page errors: ${errors.join(" | ") || "none"}`);
      });
      loads.push(await dataToInteractive(page));
      if (i === 0) ghosts = await page.getByTestId("proposed-ghost").count();
    }
    await context.close();
    const cases = data.optimization.proposal.cases.length;
    console.log(JSON.stringify({ days: DAYS, rooms: ROOMS, cases, ghosts, loads }));
  } finally {
    await browser.close();
  }
}

await main();
