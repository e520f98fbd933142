import { defineConfig } from "vitest/config";

// Separate from vite.config.ts so the Remix plugin does not load under vitest.
export default defineConfig({
  test: {
    pool: "forks",
    // Logs (dev-mail links, server output) only for failing tests.
    silent: "passed-only",
    // Two cores: at most two files (each with its own server and Chromium in the browser suite) at a time.
    maxWorkers: 2,
    minWorkers: 1,
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          setupFiles: ["test/support/temp-database.ts"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          setupFiles: ["test/support/temp-database.ts"],
          testTimeout: 30_000,
        },
      },
      {
        // Whole-system suites against the built server: concurrency, crash, SMTP outage, fuzzing,
        // authorization matrix, web security. Short under `npm test`; STRESS=1 (`npm run test:stress`)
        // runs the long form.
        test: {
          name: "system",
          include: ["test/system/**/*.test.ts"],
          globalSetup: ["test/support/build-once.ts"],
          testTimeout: 300_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          globalSetup: ["test/support/build-once.ts", "test/support/seed-once.ts"],
          testTimeout: 90_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
