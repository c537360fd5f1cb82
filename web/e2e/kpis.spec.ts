// The KPI page on the demo hospital: its numbers are the API's for the same range and filters
// (fetched here with the page's own token), every chart has its table, the CSV downloads.
// The range compared ends yesterday: no test books a case in the past, so the figures hold
// still between the page's request and this test's.
import { readFile } from "node:fs/promises";
import type { Page, Request } from "@playwright/test";
import { expect, expectAccessible, signIn, test } from "./fixtures";

const ZONE = "Europe/Amsterdam";
type Kpis = Record<string, Record<string, number | null>>;
type Sheet = { from: string; to: string; overall: Kpis; rooms: (Kpis & { room_id: string })[]; services: Kpis[]; surgeons: unknown[]; weeks: unknown[] };

function localDay(offset: number): string {
  const day = new Date(Date.now() + offset * 86_400_000);
  return new Intl.DateTimeFormat("en-CA", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit" }).format(day);
}

// The page's rounding, written again here so that a wrong display is caught, not copied.
const percent = (share: number | null) => (share === null ? "—" : `${(share * 100).toFixed(1)} %`);
const minutes = (value: number | null) => {
  if (value === null) return "—";
  const rounded = Math.round(value * 10) / 10;
  return `${Number.isInteger(rounded) ? rounded.toFixed(0) : rounded.toFixed(1)} min`;
};
const signed = (value: number | null) => (value !== null && value > 0 ? `+${minutes(value)}` : minutes(value));

function expected(k: Kpis): Record<string, string> {
  return {
    raw_utilization: percent(k.utilization!.raw!),
    adjusted_utilization: percent(k.utilization!.adjusted!),
    block_utilization: percent(k.block_utilization!.utilization!),
    first_case_on_time: percent(k.first_case_starts!.share!),
    turnover_mean: minutes(k.turnover!.mean_minutes!),
    overtime: minutes(k.over_under_time!.overtime_minutes!),
    cancellation_rate: percent(k.cancellations!.rate!),
    same_day_cancellation_rate: percent(k.cancellations!.same_day_rate!),
    duration_bias: signed(k.duration_estimates!.bias_minutes!),
    cases_planned: String(k.cases!.planned),
    cases_done: String(k.cases!.done),
    done_share: percent(k.cases!.done_share!),
  };
}

/** The API's answer to the page's request, asked again with the page's own token. */
async function answerTo(page: Page, request: Request): Promise<{ request: Request; sheet: Sheet }> {
  const answer = await page.request.get(request.url(), { headers: { Authorization: request.headers().authorization! } });
  expect(answer.status()).toBe(200);
  return { request, sheet: (await answer.json()) as Sheet };
}

/** The page at `query`, the request it sent for its figures, and the API's answer to the same. */
async function openAndAsk(page: Page, query: string): Promise<{ request: Request; sheet: Sheet }> {
  const sent = page.waitForRequest((r) => new URL(r.url()).pathname === "/api/scheduling/kpis");
  await page.goto(`/kpis${query}`);
  return answerTo(page, await sent);
}

async function expectTiles(page: Page, sheet: Sheet): Promise<void> {
  for (const [key, text] of Object.entries(expected(sheet.overall))) {
    await expect(page.getByTestId(`kpi-${key}`), key).toHaveText(text);
  }
}

test("the KPI page shows the API's figures, narrowed or not, a table for every chart, and a CSV", async ({ page, shot }) => {
  await signIn(page, "coordinator");
  // The default range: the last four weeks, today included.
  const sent = page.waitForRequest((r) => new URL(r.url()).pathname === "/api/scheduling/kpis");
  await page.getByRole("link", { name: "KPIs" }).click();
  const first = new URL((await sent).url()).searchParams;
  expect([first.get("from"), first.get("to")]).toEqual([localDay(-27), localDay(0)]);

  const [from, to] = [localDay(-28), localDay(-1)];
  // By specialty: a test database may hold hundreds of rooms, too many to draw quickly here.
  const { sheet } = await openAndAsk(page, `?from=${from}&to=${to}&by=services`);
  expect([sheet.from, sheet.to]).toEqual([from, to]);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("KPIs");
  await expectTiles(page, sheet);
  // Per specialty: a row for every one the API lists, each with its figures.
  const rows = page.getByTestId("kpi-breakdown").locator("tbody tr");
  await expect(rows).toHaveCount(sheet.services.length);
  const service = sheet.services[0]!;
  await expect(rows.first().locator('[data-figure="adjusted_utilization"]')).toHaveText(percent(service.utilization!.adjusted!));

  // Every chart has its table; one shown on demand.
  const charts = page.getByTestId("kpi-chart");
  await expect(charts).toHaveCount(4);
  for (const chart of await charts.all()) {
    await expect(chart.getByTestId("kpi-chart-table").or(chart.getByText("Nothing to show for this range."))).toHaveCount(1);
  }
  // A tooltip too draws under the CSP (the console is checked when the test ends).
  await page.locator('[data-chart="utilization"] canvas').first().hover();
  await shot("kpis-range");
  const downloading = page.waitForEvent("download");
  await page.getByTestId("kpi-export").click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(`kpis-${from}-to-${to}.csv`);
  const lines = (await readFile((await download.path())!, "utf8")).trimEnd().split("\r\n");
  expect(lines[0]).toMatch(/^scope,name,from,to,raw_utilization,adjusted_utilization,/);
  expect(lines[1]!.split(",").slice(0, 5)).toEqual(["overall", "All", from, to, String(sheet.overall.utilization!.raw ?? "")]);
  expect(lines).toHaveLength(2 + sheet.rooms.length + sheet.services.length + sheet.surgeons.length + sheet.weeks.length);

  // Narrowed to a specialty and broken down by week (as the filters write them in the address):
  // still the API's figures.
  const narrowed = await openAndAsk(page, `?from=${from}&to=${to}&specialty=orthopaedics&by=weeks`);
  expect(new URL(narrowed.request.url()).searchParams.get("specialty")).toBe("orthopaedics");
  await expectTiles(page, narrowed.sheet);
  await expect(page.getByRole("heading", { name: "By week", exact: true })).toBeVisible();
  await expect(page.getByTestId("kpi-breakdown").locator("tbody tr")).toHaveCount(narrowed.sheet.weeks.length);
  await expect(page.getByRole("combobox", { name: "Specialty" })).toContainText("Orthopaedics");
  // A chart's table, shown on demand, and axe on the page.
  const trend = page.locator('[data-chart="trend"]');
  await trend.getByRole("button", { name: "Show table" }).click();
  await expect(trend.getByTestId("kpi-chart-table")).toBeVisible();
  await expectAccessible(page);
  await shot("kpis-orthopaedics-by-week");
});
