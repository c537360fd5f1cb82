// End-to-end tests in Debian's chromium (never a downloaded browser) against the running
// gateway; screenshots of each step land in .run/playwright/ (PLAYWRIGHT_ARTIFACTS).
import path from "node:path";
import { defineConfig } from "@playwright/test";
import { browserHome, GATEWAY_CA } from "./e2e/trust.mjs";

const artifacts = process.env.PLAYWRIGHT_ARTIFACTS ?? path.resolve(import.meta.dirname, "../.run/playwright");
// Each run has its own results folder (Playwright empties it first): two runs at once, say a
// developer's and make test's, must not delete each other's traces. The runner sets the id and
// its workers inherit it.
process.env.PLAYWRIGHT_RUN_ID ??= new Date().toISOString().replace(/[:.]/g, "-");
// The gateway speaks HTTPS with the local CA: the workers' Node (the `request` fixture) trusts it
// from the start (they talk to the gateway only), the browser through an NSS database of its own
// (e2e/trust.mjs).
process.env.NODE_EXTRA_CA_CERTS = GATEWAY_CA;

export default defineConfig({
  testDir: "./e2e",
  outputDir: path.join(artifacts, "results", process.env.PLAYWRIGHT_RUN_ID),
  // Two cores are shared with the whole stack: one browser at a time keeps timings honest.
  workers: 1,
  fullyParallel: false,
  // In CI a test that fails is run once more and, if it then passes, reported as "flaky" in the
  // list: a race in a test must be fixed, but it must not keep a whole change from landing. A
  // test that fails twice still fails the run.
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  use: {
    baseURL: process.env.GATEWAY_URL ?? "https://127.0.0.1:8443",
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      env: { ...process.env, HOME: browserHome() },
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
});
