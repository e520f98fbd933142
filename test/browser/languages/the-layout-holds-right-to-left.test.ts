import { describe, expect, it } from "vitest";
import { expectNoAxeViolations } from "../../support/browser";
import { demoApp } from "../../support/demo-app";

/**
 * The layout holds right to left (ADR 0041): in the pseudo-locale en-XB every page is `dir="rtl"`,
 * and at a phone's width and a desktop's nothing runs off the side (no sideways scrolling), the
 * header's menu opens inside the screen, and axe finds nothing.
 */
const demo = demoApp();
const PAGES = [
  "/",
  "/petitions",
  "/petitions/keep-two-remote-days-a-week-for-everyone",
  "/petitions/new",
  "/policies",
  "/announcements",
  "/settings",
  "/my/petitions",
];

describe("right to left (en-XB)", () => {
  for (const viewport of [
    { width: 390, height: 844 },
    { width: 1280, height: 800 },
  ])
    it(`at ${viewport.width}px every main page is right to left, fits the screen's width, and is axe clean`, async () => {
      const page = await demo.reading("staff", { locale: "en-XB", viewport });
      for (const path of PAGES) {
        await page.goto(`${demo.app.baseUrl}${path}`);
        await page.getByRole("heading", { level: 1 }).first().waitFor();
        expect(await page.evaluate(() => document.documentElement.dir), path).toBe("rtl");
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, path).toBeLessThanOrEqual(0);
        await expectNoAxeViolations(page);
      }
      if (viewport.width < 600) {
        await page.locator(".nav-narrow summary").click();
        const panel = await page.locator(".nav-narrow .header-menu-panel").boundingBox();
        expect(panel?.x ?? -1).toBeGreaterThanOrEqual(0);
        expect((panel?.x ?? 0) + (panel?.width ?? 0)).toBeLessThanOrEqual(viewport.width);
      }
      await page.context().close();
    });
});
