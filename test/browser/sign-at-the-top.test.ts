import type { Locator, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { findPublicPetition } from "../../app/domain/petitions/api.server";
import { expectNoAxeViolations } from "../support/browser";
import { post } from "../support/comments";
import { demoApp } from "../support/demo-app";
import { userByEmail } from "../support/petition-fixtures";
import { closeDb, useServerDatabase } from "../support/server-database";

/**
 * The count and the sign box come first on a petition's page, at a desktop's width and a phone's, even
 * under a long discussion; on a phone a Sign bar brings the reader back to the box once it has
 * scrolled away; a petition collecting co-sponsors shows its button as high. Axe clean.
 */

const demo = demoApp();
const { as } = demo;
const HYBRID = "/petitions/keep-two-remote-days-a-week-for-everyone";
const QUIET = "/petitions/create-quiet-zones-on-every-open-plan-floor";
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/** Whether the whole element lies inside the viewport as the page is scrolled now. */
const whollyOnScreen = (locator: Locator) =>
  locator.evaluate((el) => {
    const box = el.getBoundingClientRect();
    return box.top >= 0 && box.bottom <= window.innerHeight && box.height > 0;
  });

/** Whether any of the element is inside the viewport. */
const partlyOnScreen = (locator: Locator) =>
  locator.evaluate((el) => {
    const box = el.getBoundingClientRect();
    return box.bottom > 0 && box.top < window.innerHeight && box.height > 0;
  });

async function open(page: Page, path: string, size: { width: number; height: number }) {
  // A missing element fails its step, rather than the whole test's time.
  page.setDefaultTimeout(20_000);
  await page.setViewportSize(size);
  await page.goto(`${demo.app.baseUrl}${path}`);
  await page.getByRole("heading", { level: 1 }).waitFor();
}

/** The worst case for the first screen: the page hydrated, and the banner offering this device's step shown. */
async function withDeviceBanner(page: Page) {
  await page.getByRole("region", { name: "Anonymous signing on this device" }).waitFor();
}

const signButton = (page: Page) => page.getByRole("button", { name: "Sign", exact: true });
const signBar = (page: Page) => page.locator(".sign-bar");

beforeAll(async () => {
  // A long discussion, as on a busy petition: five long comments, each longer than a phone's screen.
  useServerDatabase(demo.app);
  const petition = findPublicPetition(HYBRID.split("/").at(-1) ?? "");
  if (!petition) throw new Error("the seeded open petition is missing");
  const paragraph =
    "Two remote days let me take my children to school and still do a full day's work without the commute eating into it. ".repeat(
      12,
    );
  for (const account of ["organizer", "union-rep", "admin", "moderator", "leadership"]) {
    await post(petition.id, userByEmail(`${account}@undersigned.test`), paragraph);
  }
  closeDb();
});

describe("the count and the sign box come first", () => {
  it("at 1280×800 the count and the Sign button are on the first screen, beside the text", async () => {
    const page = await as("staff");
    await open(page, HYBRID, DESKTOP);
    await withDeviceBanner(page);
    await expect.poll(() => whollyOnScreen(page.locator(".big-count"))).toBe(true);
    expect(await whollyOnScreen(signButton(page))).toBe(true);
    // The text is beside it, not pushed below.
    expect(await partlyOnScreen(page.getByRole("heading", { name: "What we ask" }))).toBe(true);
    // No Sign bar at this width: the box stays in view beside the text.
    await page.mouse.wheel(0, 4000);
    expect(await signBar(page).isVisible()).toBe(false);
    await expectNoAxeViolations(page);
    await page.close();
  });

  it("on a 390×844 phone the count and the Sign button are on the first screen; text and discussion come after", async () => {
    const page = await as("staff");
    await open(page, HYBRID, PHONE);
    await withDeviceBanner(page);
    expect(await whollyOnScreen(page.locator(".big-count"))).toBe(true);
    expect(await whollyOnScreen(signButton(page))).toBe(true);
    const signTop = await signButton(page).evaluate((el) => el.getBoundingClientRect().top);
    const textTop = await page
      .getByRole("heading", { name: "What we ask" })
      .evaluate((el) => el.getBoundingClientRect().top);
    expect(textTop).toBeGreaterThan(signTop);
    // The limit of anonymity is one sentence on the form; the rest is one click away.
    await page.getByText(/Its limit: whoever watches the network or this server/).waitFor();
    const more = page.locator("summary", { hasText: "How anonymous signing works" });
    expect(await page.getByText(/It protects you from anyone who later holds the database/).isVisible()).toBe(
      false,
    );
    await expectNoAxeViolations(page);
    await more.click();
    await page.getByText(/It protects you from anyone who later holds the database/).waitFor();
    await expectNoAxeViolations(page);
    await page.close();
  });
});

describe("the phone's Sign bar", () => {
  for (const javaScript of [true, false]) {
    it(`shows once the sign box has scrolled away, and its link brings the box back (${javaScript ? "with" : "without"} JavaScript)`, async () => {
      const page = await as("staff", javaScript);
      await open(page, HYBRID, PHONE);
      // On the first screen the sign box is there: no bar over it.
      expect(await partlyOnScreen(signBar(page))).toBe(false);
      // Down in the discussion the box is out of view, and the bar is at the screen's bottom.
      await page.locator("#comments").evaluate((el) => el.scrollIntoView());
      expect(await partlyOnScreen(page.locator("#sign-box"))).toBe(false);
      const bar = signBar(page);
      await expect.poll(() => whollyOnScreen(bar)).toBe(true);
      const box = await bar.boundingBox();
      expect(Math.round((box?.y ?? 0) + (box?.height ?? 0))).toBe(PHONE.height);
      expect(await bar.innerText()).toMatch(/[\d,]+ signatures/);
      if (javaScript) await expectNoAxeViolations(page);
      await bar.getByRole("link", { name: "Sign", exact: true }).click();
      await page.waitForURL(/#sign-box$/);
      await expect
        .poll(() => whollyOnScreen(page.getByRole("heading", { name: "Sign this petition" })))
        .toBe(true);
      // At the very end the bar rests in its own place: the last comment is not under it.
      await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
      const lastComment = page.locator("#comments .comment").last();
      const commentBottom = await lastComment.evaluate((el) => el.getBoundingClientRect().bottom);
      const barTop = await bar.evaluate((el) => el.getBoundingClientRect().top);
      expect(commentBottom).toBeLessThanOrEqual(barTop);
      await page.close();
    });
  }

  it("asks a signed-out reader to sign in, and is not there for who has signed or cannot sign", {
    timeout: 180_000,
  }, async () => {
    const context = await demo.browser.newContext({ viewport: PHONE });
    const reader = await context.newPage();
    await open(reader, HYBRID, PHONE);
    await reader.locator("#comments").evaluate((el) => el.scrollIntoView());
    const toSignIn = signBar(reader).getByRole("link", { name: "Sign in to sign" });
    await expect.poll(() => whollyOnScreen(toSignIn)).toBe(true);
    expect(new URL((await toSignIn.getAttribute("href")) ?? "", demo.app.baseUrl).pathname).toBe("/sign-in");
    await expectNoAxeViolations(reader);
    await context.close();

    // A closed petition takes no signatures: no bar.
    const page = await as("staff");
    await open(page, "/petitions/bring-back-bicycle-parking-at-the-berlin-office", PHONE);
    expect(await signBar(page).count()).toBe(0);
    await page.close();

    // Once signed, the bar is gone, and the receipt says in words where the signature stands.
    const signer = await as("staff", false);
    await open(signer, HYBRID, PHONE);
    await signer.getByLabel("Sign with my name").check();
    await signer.getByLabel("I have not signed this petition anonymously on another device").check();
    await signButton(signer).click();
    await signer.getByRole("heading", { name: "You signed publicly" }).waitFor();
    expect(
      await signer.getByText(/Thank you for signing: yours is the [\d,]+(st|nd|rd|th) entry/).count(),
    ).toBe(1);
    const receipt = signer.locator(".receipt");
    expect(await receipt.innerText()).toMatch(
      /Your signature is the [\d,]+(st|nd|rd|th) entry in this petition's public record\. Anyone can check/,
    );
    // The hash is there for who verifies, behind "How to check it".
    expect(await receipt.locator("code").first().isVisible()).toBe(false);
    expect(await signBar(signer).count()).toBe(0);
    await signer.close();
  });
});

describe("co-sponsoring comes first too", () => {
  for (const [name, size] of [
    ["desktop", DESKTOP],
    ["phone", PHONE],
  ] as const) {
    it(`shows the Co-sponsor button on the first screen (${name})`, async () => {
      const page = await as("staff");
      await open(page, QUIET, size);
      await withDeviceBanner(page);
      expect(await whollyOnScreen(page.getByRole("button", { name: "Co-sponsor this petition" }))).toBe(true);
      await expectNoAxeViolations(page);
      await page.close();
    });
  }
});
