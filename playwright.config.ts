import { defineConfig } from "@playwright/test";

import { E2E } from "./e2e/support/settings";

// Debian's Chromium, because Playwright's own browser download cannot run here.
const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export default defineConfig({
  testDir: "e2e",
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  timeout: 60_000,
  expect: { timeout: 15_000 },
  use: {
    baseURL: E2E.baseUrl,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
  projects: [
    { name: "setup", testMatch: /.*\.setup\.ts/ },
    { name: "chromium", testIgnore: /.*\.setup\.ts/, dependencies: ["setup"] },
  ],
  webServer: {
    command: "npx tsx scripts/e2e-server.ts",
    url: `${E2E.baseUrl}/sign-in`,
    timeout: 180_000,
    reuseExistingServer: !process.env.CI,
    // Expected KMS refusals would fill the output with warn-level JSON logs.
    // Health checks every 2 s let the revocation spec see the worker act without waiting a minute.
    // A 2 s data key cache lets the support spec prove that reads unwrap moved keys again.
    env: { LOG_LEVEL: "error", HEALTH_CHECK_INTERVAL_SECONDS: "2", DEK_CACHE_TTL_SECONDS: "2" },
    stdout: "pipe",
    stderr: "pipe",
  },
});
