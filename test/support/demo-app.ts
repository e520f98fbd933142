import { rmSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, inject } from "vitest";
import { type AppServer, startAppServer } from "./app-server";
import { launchBrowser } from "./browser";
import { seedDemoFolder } from "./seed-once";
import { signedInAs } from "./sign-in-flow";

/**
 * For a browser test file: the built app on its own database seeded with the demo company, one
 * Chromium, and `as(account)` for the demo accounts (`staff`, `leadership`, … @undersigned.test).
 * Started before the file's tests and stopped after them.
 */
export function demoApp() {
  const state: { app?: AppServer; browser?: Browser } = {};
  beforeAll(async () => {
    // The browser project seeds once per run (seed-once.ts); elsewhere the file seeds its own, before
    // its server starts.
    const seeded = inject("demoDataDir");
    const own = seeded ? null : await seedDemoFolder();
    // Batches as configured (their floors): a test reaches one by moving the server's clock
    // (advanceServerClock), not by settings below them.
    state.app = await startAppServer({}, { dataFrom: seeded ?? own ?? undefined, clock: true });
    if (own) rmSync(own, { recursive: true, force: true });
    state.browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await state.browser?.close();
    await state.app?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (!value) throw new Error("the demo app is not started (use it inside tests)");
    return value;
  };
  return {
    get app() {
      return started(state.app);
    },
    get browser() {
      return started(state.browser);
    },
    as: signedInAs(
      () => started(state.browser),
      () => started(state.app),
      (name) => `${name}@undersigned.test`,
    ),
  };
}
