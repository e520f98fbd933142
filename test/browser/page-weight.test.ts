import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { DEMO_PAGES } from "../../bench/seeded";
import { demoApp } from "../support/demo-app";

/**
 * What the busiest pages send and run (issue 16, ADR 27): zod's form schemas reach the browser only
 * once a form is on the screen (never for a signed-out visitor), the Content-Security-Policy reports
 * nothing (zod runs jitless: its `new Function` probe was reported on every page with a form), and
 * the petition page shows its first comments with a link to the whole discussion, which works without
 * JavaScript.
 */

const demo = demoApp();
const MCI_PETITION = DEMO_PAGES[2]?.[1] ?? "";
const MCI_POLICY = DEMO_PAGES[4]?.[1] ?? "";
const SCHEMAS_CHUNK = /\/assets\/validation-schemas-[\w-]+\.js$/;

/** Records the page's CSP violations (as the browser reports them to the page) and its requests. */
async function watch(page: Page) {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (globalThis as unknown as { __violations: string[] }).__violations = seen;
    document.addEventListener("securitypolicyviolation", (event) => {
      seen.push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  const requests: string[] = [];
  const posts: string[] = [];
  page.on("request", (request) => {
    requests.push(request.url());
    if (request.method() === "POST") posts.push(request.url());
  });
  const consoleProblems: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) consoleProblems.push(message.text());
  });
  return {
    requests,
    posts,
    violations: async () => [
      ...((await page.evaluate("globalThis.__violations")) as string[]),
      ...consoleProblems,
    ],
  };
}

describe("the petition and policy pages", () => {
  it("send no form schemas to a signed-out visitor and report no CSP violation", async () => {
    const page = await demo.browser.newPage();
    const seen = await watch(page);
    const loadedSchemas: string[] = [];
    const scripts = new Set<string>();
    for (const pagePath of [MCI_PETITION, MCI_POLICY, "/", "/petitions", "/announcements"]) {
      seen.requests.length = 0;
      const response = await page.goto(`${demo.app.baseUrl}${pagePath}`, { waitUntil: "networkidle" });
      expect(response?.status(), pagePath).toBe(200);
      if (seen.requests.some((url) => SCHEMAS_CHUNK.test(url))) loadedSchemas.push(pagePath);
      for (const url of seen.requests) if (url.endsWith(".js")) scripts.add(url);
    }
    expect(loadedSchemas).toEqual([]);
    // Nor zod itself, in any chunk.
    expect(scripts.size).toBeGreaterThan(0);
    const withZod: string[] = [];
    for (const url of scripts) if ((await (await fetch(url)).text()).includes("ZodError")) withZod.push(url);
    expect(withZod).toEqual([]);
    expect(await seen.violations()).toEqual([]);
    await page.close();
  });

  it("load the schemas once a form is on the screen, validate in the browser with them, and report no CSP violation", async () => {
    const page = await demo.as("staff");
    const seen = await watch(page);
    await page.goto(`${demo.app.baseUrl}${MCI_PETITION}`, { waitUntil: "networkidle" });
    await expect.poll(() => seen.requests.filter((url) => SCHEMAS_CHUNK.test(url)).length).toBe(1);
    // Wait until the module has run (conform then validates with it rather than sending the form).
    await page.waitForFunction(() =>
      performance.getEntriesByType("resource").some((e) => e.name.includes("validation-schemas")),
    );
    await page.waitForTimeout(200);
    const form = page.locator("form#new-comment");
    await form.getByRole("button", { name: "Post comment" }).click();
    await form.getByText("Write something first").waitFor();
    // Refused in the browser: nothing was sent. (The wallet fetches the viewer's tokens in the
    // background, at a random moment: those requests are not the form's.)
    const wallet = /\/api\/(tokens|petitions\/[^/]+\/tokens|policies\/\d+\/feedback-token)$/;
    expect(seen.posts.filter((url) => !wallet.test(new URL(url).pathname))).toEqual([]);
    expect(await seen.violations()).toEqual([]);

    await page.goto(`${demo.app.baseUrl}${MCI_POLICY}`, { waitUntil: "networkidle" });
    expect(await seen.violations()).toEqual([]);
    await page.close();
  });

  it("shows the petition's first comments and links to the whole discussion, which works without JavaScript", async () => {
    const context = await demo.browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${demo.app.baseUrl}${MCI_PETITION}`);
    const comments = page.locator("#comments > ol.comment-list > li");
    const shown = await comments.count();
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThanOrEqual(5);
    const link = page.getByRole("link", { name: /Read the whole discussion/ });
    await link.click();
    await page.waitForURL(/\/discussions\/petition\/\d+/);
    await page
      .getByRole("heading", { name: /Discussion/ })
      .first()
      .waitFor();
    expect(await page.locator("#comments > ol.comment-list > li").count()).toBeGreaterThanOrEqual(shown);
    await context.close();
  });
});
