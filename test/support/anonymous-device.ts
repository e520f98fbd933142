import type { Page } from "playwright-core";
import { expect } from "vitest";

/**
 * A device's side of anonymous signing, through the real pages (issue 23): the step that gets a
 * device ready (set up, shown the recovery code once) and its first full background run.
 */

type RunState = { completedAt: number | null; done: number; total: number } | null;

/** What this device's background run recorded (IndexedDB), read as the person's browser would. */
export const runState = (page: Page) =>
  page.evaluate(`(async () => {
    const open = indexedDB.open("undersigned-device");
    const db = await new Promise((resolve, reject) => { open.onsuccess = () => resolve(open.result); open.onerror = reject; });
    if (!db.objectStoreNames.contains("state")) return null;
    const get = db.transaction("state").objectStore("state").get("run");
    return await new Promise((resolve) => { get.onsuccess = () => resolve(get.result ?? null); });
  })()`) as Promise<RunState>;

/** Waits for this device's background run to complete (every open petition asked for). */
export async function runCompleted(page: Page) {
  for (let i = 0; i < 120; i++) {
    const run = await runState(page);
    if (run?.completedAt) return run;
    await page.waitForTimeout(500);
  }
  throw new Error("the background run did not complete");
}

/** Sets up anonymous signing on the device of `page` (signed in); returns the recovery code shown. */
export async function setUpAnonymousSigning(page: Page, baseUrl: string): Promise<string> {
  await page.goto(`${baseUrl}/my/anonymous-signing`);
  await page.getByRole("button", { name: "Set up anonymous signing" }).click();
  await page.getByRole("heading", { name: "Anonymous signing is set up on this device" }).waitFor();
  const code = (await page.locator(".recovery-code").textContent()) ?? "";
  expect(code).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{6}$/);
  await runCompleted(page);
  return code;
}
