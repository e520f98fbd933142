/**
 * Background issuance in Chromium, through the real pages: a signed-in colleague's browser fetching
 * its tokens (blinding in the page's Web Worker (app/browser/rsabssa.ts, BigInt and WebCrypto), the
 * server's blind signature, finalizing and checking) for 20 open petitions, against one plain page
 * load in the same run (the baseline). Each round uses a fresh colleague.
 *
 *   npm run bench:anonymity-browser     (BENCH_ROUNDS=3; needs the build and /usr/bin/chromium)
 */
import type { Page } from "playwright-core";
import { startAppServer } from "../test/support/app-server";
import { launchBrowser } from "../test/support/browser";
import { makeCompany, openPetition } from "../test/support/petition-fixtures";
import { useServerDatabase as pointAtServerDatabase } from "../test/support/server-database";
import { machine, ms, table, today, writeLatest } from "./report";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PETITIONS = 20;
const about = machine();
console.log(about);

const app = await startAppServer();
pointAtServerDatabase(app);
const company = makeCompany(8 + ROUNDS);
for (let i = 0; i < PETITIONS; i++) openPetition(company, `Benchmark petition number ${i + 1} for tokens`);
const browser = await launchBrowser();

/** Signs in through the pages with the dev mailbox's link (the tests' flow, without vitest). */
async function signIn(page: Page, baseUrl: string, email: string) {
  await page.goto(`${baseUrl}/sign-in`);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await page.getByRole("heading", { name: "Check your email" }).waitFor();
  await page.goto(app.mailboxUrl);
  await page.getByRole("row", { name: email }).first().getByRole("link").click();
  await page.getByRole("link", { name: /\/sign-in\/verify\?token=/ }).click();
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByText("You are signed in.").waitFor();
}

// Opening a database that is not there would create it without the wallet's store: look first.
const tokensHeld = `(async () => {
  if (!(await indexedDB.databases()).some((d) => d.name === "undersigned-wallet")) return 0;
  const open = indexedDB.open("undersigned-wallet");
  const db = await new Promise((resolve, reject) => { open.onsuccess = () => resolve(open.result); open.onerror = reject; });
  if (!db.objectStoreNames.contains("entries")) return 0;
  const all = db.transaction("entries").objectStore("entries").getAll();
  return await new Promise((resolve) => { all.onsuccess = () => resolve(all.result.filter((e) => e.kind === "petition" && e.token).length); });
})()`;

const issuance: number[] = [];
const pageLoads: number[] = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    // The page after signing in starts the worker: timed from there until all tokens are held.
    await signIn(page, app.baseUrl, `staff${5 + round}@corp.example`);
    const start = performance.now();
    for (let i = 0; i < 600 && Number(await page.evaluate(tokensHeld)) < PETITIONS; i++)
      await page.waitForTimeout(50);
    issuance.push(performance.now() - start);
    const loadStart = performance.now();
    await page.goto(`${app.baseUrl}/petitions`, { waitUntil: "load" });
    pageLoads.push(performance.now() - loadStart);
    const held = Number(await page.evaluate(tokensHeld));
    if (held < PETITIONS) throw new Error(`only ${held} of ${PETITIONS} tokens after a minute`);
    await context.close();
  }
} finally {
  await browser.close();
  await app.stop();
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const rows = [
  ["a page load (/petitions), the baseline", ms(mean(pageLoads)), "1×"],
  [
    `background issuance of ${PETITIONS} petitions' tokens, after sign-in`,
    ms(mean(issuance)),
    `${(mean(issuance) / mean(pageLoads)).toFixed(1)}×`,
  ],
  ["per token (blind, sign, finalize, store)", ms(mean(issuance) / PETITIONS), ""],
];
const report = `Anonymity in Chromium, ${today()}, ${ROUNDS} rounds, ${about}\n\n${table(["step", "time", "of a page load"], rows)}\n\nIssuance runs in a Web Worker, off the page's thread: the page stays usable meanwhile.`;
console.log(report);
writeLatest("anonymity-browser", report);
process.exit(0);
