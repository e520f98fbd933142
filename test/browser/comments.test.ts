import type { Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { renderMarkdown } from "../../app/platform/content/markdown.server";
import { DAY_MS } from "../../app/platform/time";
import { advanceServerClock } from "../support/app-server";
import { expectNoAxeViolations } from "../support/browser";
import { demoApp } from "../support/demo-app";
import { XSS_PAYLOADS } from "../support/xss-payloads";

const HYBRID = "/petitions/keep-two-remote-days-a-week-for-everyone";
const MCI = "/petitions/let-staff-opt-out-of-keystroke-and-click-logging-for-ai";

const demo = demoApp();
const { as } = demo;

/** The <article> of the comment whose own text (not its replies') contains `text`. */
const comment = (page: Page, text: string): Locator =>
  page.locator(".comment-body", { hasText: text }).first().locator("xpath=..");

/** Marks the window; if the marker survives an action, the page was not reloaded. */
async function markWindow(page: Page) {
  await page.evaluate("window.__noReload = true");
}
const stillSamePage = async (page: Page) =>
  expect(await page.evaluate("window.__noReload === true")).toBe(true);

describe("with JavaScript", () => {
  it("posts, replies, votes and edits in place, without reloading the page", async () => {
    const page = await as("staff");
    await page.goto(`${demo.app.baseUrl}${HYBRID}`);
    await markWindow(page);
    await page.getByLabel(/Comment on/).fill("Two remote days keep our **carers** in work.");
    await page.getByRole("button", { name: "Post comment" }).click();
    const mine = comment(page, "Two remote days keep our");
    await mine.waitFor();
    expect(await mine.locator("strong").first().innerText()).toBe("Sam Staff");
    expect(await mine.locator(".comment-body strong").innerText()).toBe("carers");
    expect(await page.getByLabel(/Comment on/).inputValue()).toBe("");
    await stillSamePage(page);
    await expectNoAxeViolations(page);

    // The organizer answers: an Official reply, nested under the comment.
    const organizer = await as("union-rep");
    await organizer.goto(`${demo.app.baseUrl}${HYBRID}`);
    await markWindow(organizer);
    const target = comment(organizer, "Two remote days keep our");
    await target
      .locator(":scope > .comment-actions")
      .getByRole("link", { name: "Reply", exact: true })
      .click();
    await target.getByLabel("Reply to Sam Staff").fill("Thank you: we will quote this in our letter.");
    await target.getByRole("button", { name: "Post reply" }).click();
    const answer = comment(organizer, "we will quote this");
    await answer.waitFor();
    expect(await answer.locator(".badge", { hasText: "Official" }).count()).toBe(1);
    expect(await target.locator(".replies").count()).toBe(1);
    await stillSamePage(organizer);

    // Sam upvotes the answer, then edits their own comment.
    await page.reload();
    await markWindow(page);
    const reply = comment(page, "we will quote this");
    await reply.getByRole("button", { name: "Upvote" }).click();
    await reply.getByRole("button", { name: "Upvoted" }).waitFor();
    expect(await reply.locator(":scope > .comment-actions .comment-score").innerText()).toContain("1");
    expect(await reply.getByRole("button", { name: "Upvoted" }).getAttribute("aria-pressed")).toBe("true");
    const own = comment(page, "Two remote days keep our");
    await own.locator(":scope > .comment-actions").getByRole("link", { name: "Edit", exact: true }).click();
    const editor = own.getByLabel("Edit your comment");
    expect(await editor.inputValue()).toBe("Two remote days keep our **carers** in work.");
    await editor.fill("Two remote days keep our carers and parents in work.");
    await own.getByRole("button", { name: "Save" }).click();
    await comment(page, "carers and parents").waitFor();
    expect(await comment(page, "carers and parents").locator(":scope > .comment-meta").innerText()).toContain(
      "edited",
    );
    await stillSamePage(page);
    await expectNoAxeViolations(page);

    // A comment's own page (the link on its time) shows it with its replies.
    await comment(page, "carers and parents").locator(":scope > .comment-meta a").click();
    await page.getByRole("heading", { name: "Comment", exact: true }).waitFor();
    await page.getByRole("heading", { name: "Replies (1)" }).waitFor();
    await expectNoAxeViolations(page);
  });

  it("reports, moderates in the queue, and locks the thread", async () => {
    const staff = await as("staff");
    await staff.goto(`${demo.app.baseUrl}${HYBRID}`);
    await staff.getByLabel(/Comment on/).fill("Managers who want everyone back are dinosaurs.");
    await staff.getByRole("button", { name: "Post comment" }).click();
    await comment(staff, "are dinosaurs").waitFor();

    const reporter = await as("cto");
    await reporter.goto(`${demo.app.baseUrl}${HYBRID}`);
    const rude = comment(reporter, "are dinosaurs");
    await rude
      .locator(":scope > .comment-actions")
      .getByRole("link", { name: "Report", exact: true })
      .click();
    await rude.getByLabel("What is wrong with it?").selectOption("harassment");
    await rude.getByLabel("Note for the moderators (optional)").fill("Name-calling.");
    await rude.getByRole("button", { name: "Send report" }).click();
    await rude.getByText("You reported this").waitFor();

    const moderator = await as("trust");
    await moderator.goto(`${demo.app.baseUrl}/moderation`);
    await moderator.getByRole("link", { name: "Reported comments" }).click();
    await moderator.getByRole("heading", { name: "Reported comments" }).waitFor();
    await expectNoAxeViolations(moderator);
    const queued = comment(moderator, "are dinosaurs");
    expect(await moderator.getByText("Harassment").count()).toBeGreaterThan(0);
    expect(await moderator.locator("main").innerText()).not.toContain("Chief"); // no reporter shown
    // Hide is a button like Restore and Dismiss (a link to the comment's page without JavaScript).
    await queued
      .locator(":scope > .comment-actions")
      .getByRole("button", { name: "Hide", exact: true })
      .click();
    await queued.getByLabel("Reason (sent to the author)").fill("Please criticise the policy, not people.");
    await queued.getByRole("button", { name: "Hide comment" }).click();
    await moderator.getByText("No open reports. Well done.").waitFor();

    // Others see a placeholder; the author still sees the text and why.
    await reporter.goto(`${demo.app.baseUrl}${HYBRID}`);
    expect(await reporter.locator("#comments").innerText()).not.toContain("are dinosaurs");
    await reporter.getByText("Hidden by a moderator.").first().waitFor();
    await staff.goto(`${demo.app.baseUrl}${HYBRID}`);
    await staff.getByText(/Reason: Please criticise the policy/).waitFor();

    await moderator.goto(`${demo.app.baseUrl}${HYBRID}`);
    await moderator.locator("summary", { hasText: "Lock the discussion" }).click();
    await moderator.getByLabel("Reason (shown on the thread)").fill("Cooling off until Monday.");
    await moderator.getByRole("button", { name: "Lock", exact: true }).click();
    await moderator.getByText(/locked by a moderator: Cooling off until Monday/).waitFor();
    await staff.goto(`${demo.app.baseUrl}${HYBRID}`);
    await staff.getByText(/locked by a moderator/).waitFor();
    expect(await staff.getByRole("button", { name: "Post comment" }).count()).toBe(0);
    await moderator.getByRole("button", { name: "Unlock the discussion" }).click();
    await moderator.getByRole("button", { name: "Post comment" }).waitFor();
  });

  it("loads more replies in place and deletes a comment, leaving a placeholder", async () => {
    const page = await as("staff");
    await page.goto(`${demo.app.baseUrl}${MCI}?sort=top`);
    await expectNoAxeViolations(page);
    const more = page.getByRole("link", { name: /^Show \d+ more repl/ }).first();
    const before = await page.locator("article.comment").count();
    await markWindow(page);
    await more.click();
    await expect
      .poll(() => page.locator("article.comment").count(), { timeout: 15_000 })
      .toBeGreaterThan(before);
    await stillSamePage(page);

    await page.goto(`${demo.app.baseUrl}${HYBRID}`);
    const own = comment(page, "carers and parents");
    await own.locator(":scope > .comment-actions").getByRole("link", { name: "Delete", exact: true }).click();
    await own.getByRole("button", { name: "Delete comment" }).click();
    await page.getByText("This comment was deleted by its author.").waitFor();
    // The organizer's reply stays readable under the placeholder.
    await comment(page, "we will quote this").waitFor();
  });

  it("counts one vote per person when twenty arrive at once", async () => {
    const page = await as("cto");
    await page.goto(`${demo.app.baseUrl}${HYBRID}`);
    const id = (await comment(page, "we will quote this").getAttribute("id"))?.replace("comment-", "");
    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        fetch(`${demo.app.baseUrl}/comments/${id}`, {
          method: "POST",
          headers: { Cookie: cookie, "Content-Type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ intent: "vote", up: "1" }),
          redirect: "manual",
        }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(302));
    await page.reload();
    // Sam's vote and this one.
    expect(
      await comment(page, "we will quote this")
        .locator(":scope > .comment-actions .comment-score")
        .innerText(),
    ).toContain("2");
  });

  it("runs no script from known XSS payloads, on the page and in the sanitized HTML itself", async () => {
    const page = await as("leadership");
    const ran: string[] = [];
    page.on("dialog", (dialog) => {
      ran.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(`${demo.app.baseUrl}${HYBRID}`);
    for (const payload of XSS_PAYLOADS.slice(0, 4)) {
      await page.getByLabel(/Comment on/).fill(payload);
      await page.getByRole("button", { name: "Post comment" }).click();
      await expect.poll(() => page.getByLabel(/Comment on/).inputValue(), { timeout: 15_000 }).toBe("");
    }
    await page.reload();
    expect(await page.evaluate("window.__xss")).toBeUndefined();
    expect(await page.locator("#comments").innerText()).toContain("<script>window.__xss=1</script>");

    // Every payload's stored HTML, on a page with no CSP to lean on: still nothing runs.
    const html = XSS_PAYLOADS.map((p) => `<div class="markdown">${renderMarkdown(p)}</div>`).join("\n");
    const bare = await (await demo.browser.newContext()).newPage();
    bare.on("dialog", (dialog) => {
      ran.push(dialog.message());
      void dialog.dismiss();
    });
    await bare.setContent(`<!doctype html><html><body>${html}</body></html>`);
    await bare.locator("a").first().waitFor();
    for (const link of await bare.locator("a").all()) await link.hover();
    expect(await bare.evaluate("window.__xss")).toBeUndefined();
    expect(ran).toEqual([]);
  });
});

describe("without JavaScript", () => {
  it("posts, replies, votes, edits, reports and deletes with plain forms", async () => {
    const page = await as("staff", false);
    await page.goto(`${demo.app.baseUrl}${HYBRID}`);
    await page.getByRole("button", { name: "Post comment" }).click();
    // Empty: the server refuses it with the reason, on the discussion page.
    await page.getByText("Write something first").first().waitFor();
    await page.getByLabel(/Comment on/).fill("Plain forms work too.");
    await page
      .locator("form#new-comment")
      .getByLabel(/Post anonymously/)
      .check();
    await page.getByRole("button", { name: "Post comment" }).click();
    // Held for its thread's batch of anonymous comments: its author sees it, marked.
    await page.getByText(/Your anonymous comment is saved\. It will appear with the next batch/).waitFor();
    const mine = comment(page, "Plain forms work too.");
    expect(await mine.locator(":scope > .comment-meta").innerText()).toMatch(
      /Verified colleague[\s\S]*Anonymous[\s\S]*You[\s\S]*Not published yet/,
    );
    await mine.getByText(/Waiting for the next batch of anonymous comments \(at most 24 hours\)/).waitFor();
    // An anonymous comment sorts at its day's start (ADR 0031), below today's named ones: the others
    // open it on its own page.
    const ownPage = `${demo.app.baseUrl}/comments/${(await mine.evaluate((el) => el.closest("article")?.id ?? "")).replace("comment-", "")}`;

    await mine.locator(":scope > .comment-actions").getByRole("link", { name: "Edit", exact: true }).click();
    await mine.getByLabel("Edit your comment").fill("Plain forms work too, even edited.");
    await mine.getByRole("button", { name: "Save" }).click();
    await page.getByText("Your comment is updated.").waitFor();

    const other = await as("cto", false);
    // Not found for them until its batch publishes it: alone in its thread, with the day's leftovers
    // after midnight (the server's clock moved past it).
    await other.goto(ownPage);
    expect(await other.getByText("even edited").count()).toBe(0);
    advanceServerClock(demo.app, DAY_MS);
    for (let i = 0; i < 30 && (await other.getByText("even edited").count()) === 0; i++) {
      await other.waitForTimeout(5_000);
      await other.goto(ownPage);
    }
    const theirs = comment(other, "even edited");
    expect(await theirs.locator(":scope > .comment-meta").innerText()).not.toContain("Sam");
    await theirs.getByRole("button", { name: "Upvote" }).click();
    await other.getByText("Upvoted.").waitFor();
    await comment(other, "even edited")
      .locator(":scope > .comment-actions")
      .getByRole("link", { name: "Reply", exact: true })
      .click();
    await comment(other, "even edited")
      .getByLabel("Reply to Verified colleague")
      .fill("Agreed, from the CTO.");
    await comment(other, "even edited").getByRole("button", { name: "Post reply" }).click();
    await other.getByText("Your reply is posted.").waitFor();
    await comment(other, "even edited")
      .locator(":scope > .comment-actions")
      .getByRole("link", { name: "Report", exact: true })
      .click();
    await comment(other, "even edited").getByLabel("What is wrong with it?").selectOption("other");
    await comment(other, "even edited").getByRole("button", { name: "Send report" }).click();
    // "Other" needs a note: refused with the reason, nothing recorded.
    await other.getByText("Say what is wrong with it").waitFor();

    await page.goto(ownPage);
    const own = comment(page, "even edited");
    await own.locator(":scope > .comment-actions").getByRole("link", { name: "Delete", exact: true }).click();
    await own.getByRole("button", { name: "Delete comment" }).click();
    await page.getByText("Your comment is deleted.").waitFor();
    await page.goto(ownPage);
    await comment(page, "Agreed, from the CTO.").waitFor();

    // A moderator hides and restores, and locks and unlocks, with plain forms too.
    const moderator = await as("trust", false);
    await moderator.goto(ownPage);
    const cto = comment(moderator, "Agreed, from the CTO.");
    await cto.locator(":scope > .comment-actions").getByRole("link", { name: "Hide", exact: true }).click();
    await cto.getByRole("button", { name: "Hide comment" }).click();
    // No reason: refused on the comment's own page, with the form open and the reason beside its field.
    await moderator.getByText("Give a reason").first().waitFor();
    const again = comment(moderator, "Agreed, from the CTO.");
    expect(await again.getByLabel("Reason (sent to the author)").getAttribute("aria-invalid")).toBe("true");
    await again.getByLabel("Reason (sent to the author)").fill("Testing moderation without JavaScript.");
    await again.getByRole("button", { name: "Hide comment" }).click();
    await moderator.getByText("The comment is hidden; its author was told why.").waitFor();
    await comment(moderator, "Agreed, from the CTO.").getByRole("button", { name: "Restore" }).click();
    await moderator.getByText("The comment is visible again.").waitFor();
    await moderator.goto(`${demo.app.baseUrl}${HYBRID}`);
    await moderator.locator("summary", { hasText: "Lock the discussion" }).click();
    await moderator.getByLabel("Reason (shown on the thread)").fill("A short pause.");
    await moderator.getByRole("button", { name: "Lock", exact: true }).click();
    await moderator.getByText("The discussion is locked.").waitFor();
    await moderator.getByRole("button", { name: "Unlock the discussion" }).click();
    await moderator.getByText("The discussion is open again.").waitFor();
  });

  it("turns off reply emails from the link in one, without signing in", async () => {
    const page = await (await demo.browser.newContext({ javaScriptEnabled: false })).newPage();
    await page.goto(demo.app.mailboxUrl);
    await page
      .getByRole("row", { name: /replied to your comment/ })
      .first()
      .getByRole("link")
      .click();
    // The "Stop these emails" link of the email as colleagues see it (its HTML part, framed).
    const link = page.frameLocator("iframe").getByRole("link", { name: "Stop these emails" });
    const checked = await (await demo.browser.newContext()).newPage();
    await checked.goto((await link.getAttribute("href")) ?? "");
    await checked.getByRole("heading", { name: "Unsubscribe" }).waitFor();
    await expectNoAxeViolations(checked);
    await link.click();
    await page.getByRole("heading", { name: "Unsubscribe" }).waitFor();
    await page.getByRole("button", { name: "Unsubscribe" }).click();
    await page
      .getByText("You will no longer get emails about replies to your comments and feedback.")
      .waitFor();

    const signedIn = await as("staff");
    await signedIn.goto(`${demo.app.baseUrl}/settings`);
    await expectNoAxeViolations(signedIn);
    expect(await signedIn.getByLabel("Replies to my comments").isChecked()).toBe(false);
    await signedIn.getByLabel("Replies to my comments").check();
    // The email form's own button: the language form beside it has "Save language and time zone".
    await signedIn.getByRole("button", { name: "Save", exact: true }).click();
    await signedIn.getByText("Your email settings are saved.").waitFor();
    expect(await signedIn.getByLabel("Replies to my comments").isChecked()).toBe(true);
  });
});
