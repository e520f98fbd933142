import type { Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { expectNoAxeViolations } from "../support/browser";
import { demoApp } from "../support/demo-app";

/** The seeded petition with the long, much-upvoted discussion. */
const MCI = "/petitions/let-staff-opt-out-of-keystroke-and-click-logging-for-ai";
/** Each width with a poster of its own: posting is limited to five comments a minute a person. */
const WIDTHS = [
  { name: "desktop", width: 1280, height: 800, poster: "staff" },
  { name: "phone", width: 390, height: 844, poster: "union-rep" },
] as const;

const demo = demoApp();
const { as } = demo;

async function at(page: Page, width: number, height: number) {
  await page.setViewportSize({ width, height });
  return page;
}

/** The <article> of the comment whose own text (not its replies') contains `text`. */
const comment = (page: Page, text: string): Locator =>
  page.locator(".comment-body", { hasText: text }).first().locator("xpath=..");

/** Whether the element is inside the viewport, at least in part. */
const onScreen = (locator: Locator) =>
  locator.evaluate((el) => {
    const box = el.getBoundingClientRect();
    return box.bottom > 0 && box.top < window.innerHeight;
  });

describe("a colleague's new comment", () => {
  for (const { name, width, height, poster } of WIDTHS) {
    it(`is on screen after posting under the Top sort, named or anonymous, with JavaScript and without (${name})`, async () => {
      for (const javaScript of [true, false]) {
        const page = await at(await as(poster, javaScript), width, height);
        for (const anonymous of [false, true]) {
          await page.goto(`${demo.app.baseUrl}${MCI}?sort=top#comments`);
          const text = `Posted ${anonymous ? "anonymously" : "by name"} at ${name} width, ${javaScript ? "with" : "without"} JavaScript.`;
          await page.getByLabel(/Comment on/).fill(text);
          if (anonymous)
            await page
              .locator("form#new-comment")
              .getByLabel(/Post anonymously/)
              .check();
          await page.getByRole("button", { name: "Post comment" }).click();
          const mine = comment(page, text);
          await mine.waitFor();
          await page.waitForURL(/sort=newest#comment-\d+$/);
          await expect.poll(() => onScreen(mine)).toBe(true);
          // The comment the page was sent to is outlined (:target without JavaScript, a class with it).
          expect(await mine.evaluate((el) => getComputedStyle(el).outlineStyle)).toBe("solid");
          if (anonymous) {
            // Waiting for its batch, seen by its author alone, said so plainly.
            expect(await mine.locator(":scope > .comment-meta").innerText()).toMatch(
              /Verified colleague[\s\S]*You[\s\S]*Not published yet/,
            );
          }
        }
        if (javaScript) await expectNoAxeViolations(page);
        await page.close();
      }
    });
  }

  it("has its anonymity choices laid out under their boxes on a phone, not in a narrow column", async () => {
    const page = await at(await as("staff"), 390, 844);
    await page.goto(`${demo.app.baseUrl}${MCI}#comments`);
    const form = page.locator("form#new-comment");
    const formWidth = await form.evaluate((el) => el.getBoundingClientRect().width);
    for (const label of [/Post anonymously/, /email me replies/]) {
      const box = await form.getByText(label).evaluate((el) => el.getBoundingClientRect().width);
      expect(box).toBeGreaterThan(formWidth * 0.75);
    }
    const hint = await form.getByText(/The platform remembers it is yours/).boundingBox();
    const choice = await form.getByText(/Post anonymously/).boundingBox();
    expect(hint && choice && hint.y).toBeGreaterThan((choice?.y ?? 0) + (choice?.height ?? 0) - 1);
    await expectNoAxeViolations(page);
    await page.close();
  });
});

describe("a reporting campaign", () => {
  for (const { name, width, height } of WIDTHS) {
    it(`leaves a popular comment visible pending review, first in the queue with its age, controls alike (${name})`, async () => {
      const reader = await at(await as("organizer"), width, height);
      await reader.goto(`${demo.app.baseUrl}${MCI}?sort=top#comments`);
      const top = reader.locator("#comments .comment-list > li > .comment").first();
      const id = await top.getAttribute("id");
      const text = (await top.locator(":scope > .comment-body").innerText()).slice(0, 40);
      expect(
        Number((await top.locator(":scope > .comment-actions .comment-score").innerText()).match(/\d+/)?.[0]),
      ).toBeGreaterThan(3);

      // Three colleagues report the most-upvoted comment (the number that hides an unvoted one).
      for (const reporter of ["staff", "cto", "admin"]) {
        const page = await at(await as(reporter), width, height);
        await page.goto(`${demo.app.baseUrl}/comments/${id?.replace("comment-", "")}`);
        const target = page.locator(`#${id}`);
        if ((await target.getByText("You reported this").count()) === 0) {
          await target
            .locator(":scope > .comment-actions")
            .getByRole("link", { name: "Report", exact: true })
            .click();
          await target.getByLabel("What is wrong with it?").selectOption("off_topic");
          await target.getByRole("button", { name: "Send report" }).click();
          await target.getByText("You reported this").waitFor();
        }
        await page.close();
      }
      await reader.reload();
      const still = comment(reader, text);
      await still.waitFor();
      expect(await still.getAttribute("class")).toContain("comment-visible");

      const moderator = await at(await as("trust"), width, height);
      await moderator.goto(`${demo.app.baseUrl}/moderation/comments`);
      const first = moderator.locator("main .comment-list > li").first();
      expect(await first.locator(`#${id}`).count()).toBe(1);
      expect(await first.locator(".urgency").innerText()).toMatch(/^Urgent: reported by enough colleagues/);
      expect(await first.locator(".meta").first().innerText()).toMatch(/^Waiting (under an hour|\d+ hours?)/);
      // Hide, Restore and Dismiss are the same kind of control: buttons.
      const actions = first.locator(`#${id} > .comment-actions`);
      await actions.getByRole("button", { name: "Hide", exact: true }).waitFor();
      await actions.getByRole("button", { name: "Dismiss reports" }).waitFor();
      expect(await actions.getByRole("link", { name: "Hide" }).count()).toBe(0);
      await expectNoAxeViolations(moderator);
      await actions.getByRole("button", { name: "Dismiss reports" }).click();
      await expect.poll(() => moderator.locator(`main #${id}`).count()).toBe(0);
      await moderator.close();
      await reader.close();
    });
  }
});

describe("the Policies list", () => {
  for (const { name, width, height } of WIDTHS) {
    it(`says the version in force that each policy's page says (${name})`, async () => {
      const page = await at(await as("staff"), width, height);
      await page.goto(`${demo.app.baseUrl}/policies`);
      const card = page.locator(".card", { hasText: "Model Capability Initiative" }).first();
      const listed = (await card.locator(".meta").innerText()).match(/Version (\d+) in force/)?.[1];
      await expectNoAxeViolations(page);
      await card.getByRole("link").first().click();
      await page.getByRole("heading", { level: 1 }).waitFor();
      expect(listed).toBeDefined();
      expect(await page.locator("main").innerText()).toMatch(new RegExp(`[Vv]ersion ${listed}\\b`));
      expect(Number(listed)).toBeGreaterThan(1);
      await page.close();
    });
  }
});

describe("the memo form", () => {
  it("shows its commitment inputs at full height, not as slivers", async () => {
    const page = await at(await as("leadership"), 1280, 800);
    await page.goto(`${demo.app.baseUrl}/announcements/new`);
    const heights = await page
      .locator("main input:not([type]), main input[type='text']")
      .evaluateAll((inputs) => inputs.map((input) => input.getBoundingClientRect().height));
    expect(heights.length).toBeGreaterThan(0);
    for (const height of heights) expect(height).toBeGreaterThan(30);
    await page.close();
  });
});
