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

// The specs that make or book in operating rooms of their own choosing (see `workers`).
const ROOMS = /(admin-rooms|cases|keyboard)\.spec\.ts$/;

export default defineConfig({
  testDir: "./e2e",
  outputDir: path.join(artifacts, "results", process.env.PLAYWRIGHT_RUN_ID),
  // Two browsers at once: a test waits on the stack (sign-in's Argon2, the services, Kafka) most
  // of its time, so a second one fills those waits. A spec file stays in one worker, its tests in
  // order. Specs make their own records (unique names, far-future dates, ranges that end
  // yesterday), so two of them at once do not meet, with one exception, the "rooms" project:
  // admin-rooms adds a room and retires it, while cases and keyboard book in any active room
  // (api.ts bookSomewhere), which could be that room just before it is retired; those three run
  // one at a time, beside the others.
  workers: 2,
  fullyParallel: false,
  // In CI a test that fails is run once more and, if it then passes, reported as "flaky" in the
  // list: a race in a test must be fixed, but it must not keep a whole change from landing. A
  // test that fails twice still fails the run.
  retries: process.env.CI ? 1 : 0,
  // Two browsers share the two cores with the stack: a test's limit allows for the other one.
  timeout: 90_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  projects: [
    { name: "rooms", testMatch: ROOMS, workers: 1 },
    { name: "app", testIgnore: ROOMS },
  ],
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
