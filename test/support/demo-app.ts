import { rmSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, inject } from "vitest";
import { type AppServer, startAppServer } from "./app-server";
import { launchBrowser } from "./browser";
import { sessionCookie } from "./fixtures";
import { userByEmail } from "./petition-fixtures";
import { seedDemoFolder } from "./seed-once";
import { closeDb, useServerDatabase } from "./server-database";
import { signedInAs } from "./sign-in-flow";

/** Not a React hook, whatever its name says: it points this process at the server's database. */
const openServerDatabase = useServerDatabase;

/** How a colleague's browser is set up: its language, its time zone, its screen. */
export type ReaderSetup = {
  locale: string;
  timezoneId?: string;
  viewport?: { width: number; height: number };
};

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
    /**
     * A page in a browser set to a language and time zone (Accept-Language and the zone the page's
     * script reports), signed in as a demo account by a session made in the server's database — the
     * sign-in pages are walked in English elsewhere — or signed out (`null`).
     */
    async reading(account: string | null, setup: ReaderSetup): Promise<Page> {
      const app = started(state.app);
      const context = await started(state.browser).newContext({
        locale: setup.locale,
        timezoneId: setup.timezoneId,
        viewport: setup.viewport,
      });
      openServerDatabase(app);
      const cookie = account ? await sessionCookie(userByEmail(`${account}@undersigned.test`).id) : null;
      closeDb();
      if (cookie) {
        const [name = "", value = ""] = cookie.split("=");
        await context.addCookies([{ name, value, url: app.baseUrl, httpOnly: true, sameSite: "Lax" }]);
      }
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      return page;
    },
  };
}
