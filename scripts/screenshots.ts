/**
 * The screenshots in docs/screenshots.md: the seeded demo company (`npm run seed`) served by the
 * production server, photographed in Debian's Chromium at a desktop's and a phone's width, signed in
 * through the pages as a colleague would (the dev mailbox's link). Run after a change to the pages
 * they show:
 *
 *   npm run screenshots      (writes docs/screens/*.png)
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import type { Browser, Page } from "playwright-core";
import { startSeededApp } from "../bench/seeded";
import { launchBrowser } from "../test/support/browser";
import { signInViaDevMailbox } from "../test/support/sign-in-flow";

const MCI = "let-staff-opt-out-of-keystroke-and-click-logging-for-ai";
const OUT = path.join(import.meta.dirname, "..", "docs", "screens");

/** The widths the pages are designed and tested for (test/browser: 1280 and 390 px). */
const SCREENS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

type Shot = { file: string; who: string; path: string; screen: keyof typeof SCREENS; fullPage?: boolean };

mkdirSync(OUT, { recursive: true });
const app = await startSeededApp();
const creator = creatorOf(app.databasePath, MCI);
// A petition open for signatures, so its page shows the sign box (the MCI one has been answered).
const open = mostSignedOpenPetition(app.databasePath);
const shots: Shot[] = [
  { file: "home-desktop.png", who: "staff@undersigned.test", path: "/", screen: "desktop" },
  { file: "home-phone.png", who: "staff@undersigned.test", path: "/", screen: "phone" },
  {
    file: "petition-desktop.png",
    who: "staff@undersigned.test",
    path: `/petitions/${open}`,
    screen: "desktop",
  },
  { file: "petition-phone.png", who: "staff@undersigned.test", path: `/petitions/${open}`, screen: "phone" },
  {
    file: "dashboard-desktop.png",
    who: creator,
    path: `/petitions/${MCI}/dashboard`,
    screen: "desktop",
    fullPage: true,
  },
  { file: "dashboard-phone.png", who: creator, path: `/petitions/${MCI}/dashboard`, screen: "phone" },
];

const browser = await launchBrowser();
try {
  for (const shot of shots) {
    const page = await signedInPage(browser, shot.who, shot.screen);
    await page.goto(`${app.baseUrl}${shot.path}`);
    await page.waitForLoadState("networkidle");
    await page.screenshot({ path: path.join(OUT, shot.file), fullPage: shot.fullPage ?? false });
    console.log(`docs/screens/${shot.file}: ${shot.path} as ${shot.who}, ${shot.screen}`);
    await page.context().close();
  }
} finally {
  await browser.close();
  await app.stop();
}

async function signedInPage(browser: Browser, email: string, screen: keyof typeof SCREENS): Promise<Page> {
  const context = await browser.newContext({ viewport: SCREENS[screen], baseURL: app.baseUrl });
  const page = await context.newPage();
  await signInViaDevMailbox(page, app, email);
  return page;
}

/** The MCI petition's creator, whose dashboard it is (the demo data chooses them). */
function creatorOf(databasePath: string, slug: string): string {
  const db = new Database(databasePath, { readonly: true });
  try {
    const row = db
      .prepare<[string], { email: string }>(
        "select people.email from petitions join people on people.id = petitions.creator_id where petitions.slug = ?",
      )
      .get(slug);
    if (!row) throw new Error(`the seeded company has no petition ${slug}`);
    return row.email;
  } finally {
    db.close();
  }
}

function mostSignedOpenPetition(databasePath: string): string {
  const db = new Database(databasePath, { readonly: true });
  try {
    const row = db
      .prepare<[], { slug: string }>(
        "select slug from petitions where state = 'open' order by signature_count desc, id limit 1",
      )
      .get();
    if (!row) throw new Error("the seeded company has no open petition");
    return row.slug;
  } finally {
    db.close();
  }
}
