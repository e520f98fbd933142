import type { Browser, BrowserContext, Page } from "playwright-core";
import { expectNoAxeViolations } from "./browser";

/** Asks for a link on the sign-in page, the way a person does. */
export async function requestLink(page: Page, baseUrl: string, email: string, check = false) {
  await page.goto(`${baseUrl}/sign-in`);
  if (check) await expectNoAxeViolations(page);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await page.getByRole("heading", { name: "Check your email" }).waitFor();
}

/** Where a server answers: the app, and its dev mailbox on a port of its own (no SMTP configured). */
export type AppAddresses = { baseUrl: string; mailboxUrl: string };

/** Signs in through the pages, reading the link from the dev mailbox (no SMTP configured). */
export async function signInViaDevMailbox(page: Page, app: AppAddresses, email: string, check = false) {
  await requestLink(page, app.baseUrl, email, check);
  await page.goto(app.mailboxUrl);
  if (check) await expectNoAxeViolations(page);
  await page.getByRole("row", { name: email }).first().getByRole("link").click();
  await page.getByRole("heading", { name: "Your sign-in link for Undersigned" }).waitFor();
  if (check) await expectNoAxeViolations(page);
  // The email's button, in its HTML part as colleagues see it (a sandboxed frame): a click opens
  // the link outside the frame.
  await page.frameLocator("iframe").getByRole("link", { name: "Sign in to Undersigned" }).click();
  await page.getByRole("heading", { name: "Finish signing in" }).waitFor();
  if (check) await expectNoAxeViolations(page);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByText("You are signed in.").waitFor();
  // No vitest here: docs/screenshots (scripts/screenshots.ts) signs in the same way.
  const signOut = await page.getByRole("button", { name: "Sign out" }).count();
  if (signOut !== 1) throw new Error(`signed in, yet ${signOut} Sign out buttons on the page`);
}

/**
 * `as(name)`: a page in a browser context signed in as `email(name)` — one context per person and
 * JavaScript setting, signed in once and reused across a file's steps.
 */
export function signedInAs(
  getBrowser: () => Browser,
  getApp: () => AppAddresses,
  email: (name: string) => string,
): (name: string, javaScriptEnabled?: boolean) => Promise<Page> {
  const contexts = new Map<string, BrowserContext>();
  return async (name, javaScriptEnabled = true) => {
    const key = `${name}:${javaScriptEnabled}`;
    let context = contexts.get(key);
    if (!context) {
      context = await getBrowser().newContext({ javaScriptEnabled });
      contexts.set(key, context);
      const page = await context.newPage();
      await signInViaDevMailbox(page, getApp(), email(name));
      return page;
    }
    return context.newPage();
  };
}
