// The KPI page's speed in headless Chromium, run by benchmarks/web.py (make bench); prints one
// JSON object. Not a test: Playwright's test runner never picks this file up (*.bench.mjs).
// On the demo hospital (the real stack): the page for a 31-day range ending yesterday, by room,
// from its data arriving (GET /kpis answered and parsed: the `kpis-data` mark) to its tiles,
// tables and charts drawn, painted and the main thread free again (`kpis-interactive`).
import { chromium } from "@playwright/test";
import { browserHome } from "./trust.mjs";

const GATEWAY = process.env.GATEWAY_URL ?? "https://127.0.0.1:8443";
const LOADS = Number(process.env.BENCH_KPI_LOADS ?? 7);
const USER = { username: "coordinator@example.org", password: "demo-password" };
const ZONE = "Europe/Amsterdam";

function localDay(offset) {
  const day = new Date(Date.now() + offset * 86_400_000);
  return new Intl.DateTimeFormat("en-CA", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit" }).format(day);
}

async function signIn(page) {
  await page.goto(`${GATEWAY}/sign-in`);
  await page.getByLabel("Email").fill(USER.username);
  await page.getByLabel("Password", { exact: true }).fill(USER.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("signed-in-as").waitFor();
}

function dataToInteractive(page) {
  return page.evaluate(() => {
    const marks = performance.getEntriesByType("mark");
    const from = marks.find((m) => m.name === "kpis-data");
    const end = from && marks.find((m) => m.name === "kpis-interactive" && m.startTime >= from.startTime);
    return end ? end.startTime - from.startTime : null;
  });
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  env: { ...process.env, HOME: browserHome() },
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update"],
});
try {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const page = await context.newPage();
  await signIn(page);
  const [from, to] = [localDay(-31), localDay(-1)];
  const loads = [];
  let rooms = 0;
  let sheetBytes = 0;
  page.on("response", async (response) => {
    if (new URL(response.url()).pathname === "/api/scheduling/kpis") sheetBytes = (await response.body()).length;
  });
  for (let i = 0; i < LOADS; i += 1) {
    await page.goto(`${GATEWAY}/kpis?from=${from}&to=${to}&by=rooms`);
    await page.waitForFunction(() => performance.getEntriesByName("kpis-interactive").length > 0, null, { timeout: 60_000 });
    loads.push(await dataToInteractive(page));
    rooms = await page.getByTestId("kpi-breakdown").locator("tbody tr").count();
  }
  await context.close();
  process.stdout.write(`${JSON.stringify({ from, to, rooms, sheet_bytes: sheetBytes, loads })}\n`);
} finally {
  await browser.close();
}
