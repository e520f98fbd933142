import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { expectNoAxeViolations } from "../support/browser";
import { demoApp } from "../support/demo-app";

/**
 * A colleague's journeys on the seeded company, at a desktop's width and a phone's, axe clean: the
 * signed-in home, one search across every state, public signers' names for colleagues only (counts
 * for everyone), and the organizer dashboard's bars.
 */

const demo = demoApp();
const { as } = demo;
const MCI = "/petitions/let-staff-opt-out-of-keystroke-and-click-logging-for-ai";
const MCI_TITLE = "Let staff opt out of keystroke and click logging for AI training";
const WIDTHS = [
  { name: "desktop", width: 1280, height: 800 },
  { name: "phone", width: 390, height: 844 },
] as const;

/** The page's main content fits its width: nothing to scroll sideways. */
async function expectNoSidewaysScroll(page: Page) {
  const overflow = await page.evaluate(() => {
    const main = document.querySelector("main") ?? document.body;
    return main.scrollWidth - main.clientWidth;
  });
  expect(overflow).toBeLessThanOrEqual(1);
}

describe.each(WIDTHS)("at $width px ($name)", ({ width, height }) => {
  it("a staff member's home shows what is open, what awaits leadership, their news and new memos", async () => {
    const page = await as("staff");
    await page.setViewportSize({ width, height });
    await page.goto(`${demo.app.baseUrl}/`);
    await page.getByRole("heading", { name: "Welcome back, Sam Staff", level: 1 }).waitFor();
    for (const name of [
      "Open for signatures",
      "Awaiting leadership's response",
      "What happened to what you signed or started",
      "New memos from leadership",
    ])
      await page.getByRole("heading", { name, level: 2 }).waitFor();
    const open = page.getByRole("region", { name: "Open for signatures" });
    await open.getByRole("link", { name: "Keep two remote days a week for everyone" }).first().waitFor();
    const memos = page.getByRole("region", { name: "New memos from leadership" });
    await memos.getByRole("link", { name: "Our answer on keystroke and click logging" }).waitFor();
    // Anonymous signatures are the browser's to know: the page says so, and where to look.
    const yours = page.getByRole("region", { name: "What happened to what you signed or started" });
    await yours.getByRole("link", { name: "My anonymous signing" }).waitFor();
    // Not the signed-out front page's cards.
    expect(await page.getByRole("heading", { name: "Sign, verified" }).count()).toBe(0);
    await expectNoSidewaysScroll(page);
    await expectNoAxeViolations(page);

    // The organizer hears what happened to the petition they started.
    const organizer = await as("organizer");
    await organizer.setViewportSize({ width, height });
    await organizer.goto(`${demo.app.baseUrl}/`);
    const news = organizer.getByRole("region", { name: "What happened to what you signed or started" });
    await news
      .getByText(/Leadership responded|Commitment|Closed/)
      .first()
      .waitFor();
    expect(await news.innerText()).toContain(MCI_TITLE);
    await expectNoAxeViolations(organizer);
  });

  it("search finds a responded petition from the default tab, with its state, and the tabs narrow it", async () => {
    const page = await as("staff");
    await page.setViewportSize({ width, height });
    await page.goto(`${demo.app.baseUrl}/petitions`);
    await page.getByLabel("Search every petition").fill("keystroke");
    await page.getByRole("button", { name: "Show" }).click();
    await page.getByText(/petitions? match(es)? “keystroke” in every state/).waitFor();
    const result = page.locator(".petition-list > li", { hasText: MCI_TITLE });
    await result.waitFor();
    expect(await result.innerText()).toMatch(/Closed/);
    expect(await result.innerText()).toMatch(/Responded/);
    // The rejected duplicate is found too, labelled as such.
    const duplicate = page.locator(".petition-list > li", { hasText: "Stop recording what we type" });
    expect(await duplicate.innerText()).toMatch(/Rejected/);
    await expectNoSidewaysScroll(page);
    await expectNoAxeViolations(page);
    // Narrowed to the Responded tab, the search keeps its words.
    await page.getByRole("link", { name: /^Responded \(1\)$/ }).click();
    await page.getByText("1 petition matches “keystroke” in Responded").waitFor();
    expect(await page.locator(".petition-list > li").count()).toBe(1);
    await expectNoAxeViolations(page);

    // A hand-edited address is a page in words, through the error boundary.
    const response = await page.goto(`${demo.app.baseUrl}/petitions?list=bogus`);
    expect(response?.status()).toBe(400);
    await page.getByRole("heading", { name: "That request was not understood" }).waitFor();
    const text = await page.locator("main").innerText();
    expect(text).toContain("list “bogus”");
    expect(text).not.toMatch(/Invalid option|expected one of/);
    await expectNoAxeViolations(page);
  });

  it("a signed-out reader sees how many signed, and only colleagues see who", async () => {
    const context = await demo.browser.newContext({ viewport: { width, height } });
    const outsider = await context.newPage();
    await outsider.goto(`${demo.app.baseUrl}${MCI}/signers`);
    await outsider.getByRole("heading", { name: "Signers", level: 1 }).waitFor();
    const text = await outsider.locator("main").innerText();
    expect(text).toMatch(/[\d,]+ signed publicly\. [\d,]+ signed anonymously/);
    expect(await outsider.locator("table").count()).toBe(0);
    await outsider.getByRole("link", { name: "sign in", exact: true }).waitFor();
    await expectNoAxeViolations(outsider);

    const colleague = await as("staff");
    await colleague.setViewportSize({ width, height });
    await colleague.goto(`${demo.app.baseUrl}${MCI}/signers`);
    const rows = colleague.locator("table tbody tr");
    await rows.first().waitFor();
    const names = (await rows.locator("td:first-child").allInnerTexts()).slice(0, 5);
    expect(names.length).toBeGreaterThan(0);
    // None of the names a colleague reads reached the signed-out reader.
    for (const name of names) expect(text).not.toContain(name);
    await expectNoAxeViolations(colleague);
    await context.close();
  });

  it("the organizer dashboard shows each group's share of its colleagues as bars, and charts that fit", async () => {
    const organizer = await as("organizer");
    await organizer.setViewportSize({ width, height });
    await organizer.goto(`${demo.app.baseUrl}${MCI}/dashboard`);
    await organizer.getByRole("heading", { name: "Dashboard", level: 1 }).waitFor();
    // The MCI petition is closed: when, not "Today (UTC) 0".
    const stats = await organizer.locator(".stats").innerText();
    expect(stats).toMatch(/Closed/);
    expect(stats).not.toMatch(/Today/);
    const body = await organizer.locator("main").innerText();
    expect(body.split("Every milestone has been reached.").length - 1).toBeLessThanOrEqual(1);

    for (const title of ["By department", "By location"]) {
      const region = organizer.getByRole("region", { name: title });
      const rows = region.locator(".share-bar-row");
      expect(await rows.count()).toBeGreaterThan(0);
      let sum = 0;
      for (const figure of await region.locator(".share-bar-figure").allInnerTexts()) {
        // "340 of 1,210 · 28%": never fewer than 5 signers in a row.
        const signers = Number(figure.split(" ")[0]?.replace(/,/g, ""));
        expect(signers).toBeGreaterThanOrEqual(5);
        expect(figure).toMatch(/^[\d,]+ of [\d,]+ · \d+%$/);
        sum += signers;
      }
      const total = (await region.getByText(/public signers in all/).innerText()).split(" ")[0] ?? "";
      expect(sum).toBe(Number(total.replace(/,/g, "")));
      // Each bar is as wide as the others' track: drawn, and inside the card.
      const bar = await rows.first().locator("svg").boundingBox();
      const card = await region.boundingBox();
      expect(bar?.width ?? 0).toBeGreaterThan(40);
      expect((bar?.x ?? 0) + (bar?.width ?? 0)).toBeLessThanOrEqual((card?.x ?? 0) + (card?.width ?? 0));
    }

    // One chart of each kind is on screen, the one drawn for this width; its date labels are
    // readable (at least 9 px tall) and inside the chart, the first and the last included.
    const chart = organizer.getByRole("img", { name: /Total signatures over time/ });
    expect(await chart.count()).toBe(1);
    const box = await chart.boundingBox();
    const labels = chart.locator("text.chart-label");
    const dates = await labels.evaluateAll((nodes) =>
      nodes
        .filter((n) => /[A-Z][a-z]{2}/.test(n.textContent ?? ""))
        .map((n) => {
          const r = n.getBoundingClientRect();
          return { text: n.textContent, left: r.left, right: r.right, height: r.height };
        }),
    );
    expect(dates.length).toBeGreaterThanOrEqual(2);
    for (const date of dates) {
      expect(date.text).toMatch(/^\d{1,2} [A-Z][a-z]{2}/);
      expect(date.height).toBeGreaterThanOrEqual(9);
      expect(date.left).toBeGreaterThanOrEqual((box?.x ?? 0) - 0.5);
      expect(date.right).toBeLessThanOrEqual((box?.x ?? 0) + (box?.width ?? 0) + 0.5);
    }
    await expectNoSidewaysScroll(organizer);
    await expectNoAxeViolations(organizer);
  });
});

describe("without JavaScript", () => {
  it("searches every state from the default tab", async () => {
    const page = await as("staff", false);
    await page.goto(`${demo.app.baseUrl}/petitions`);
    await page.getByLabel("Search every petition").fill("keystroke");
    await page.getByRole("button", { name: "Show" }).click();
    await page.locator(".petition-list > li", { hasText: MCI_TITLE }).waitFor();
  });
});
