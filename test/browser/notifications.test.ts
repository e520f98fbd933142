import { eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { setFollowing } from "../../app/domain/notifications/follows.server";
import { listPetitions } from "../../app/domain/petitions/reads.server";
import { postPetitionUpdate } from "../../app/domain/petitions/updates.server";
import { getDb } from "../../db/client";
import { people, petitions } from "../../db/schema";
import { serverTime } from "../support/app-server";
import { expectNoAxeViolations } from "../support/browser";
import { demoApp } from "../support/demo-app";
import { userByEmail } from "../support/petition-fixtures";
import { closeDb, useServerDatabase } from "../support/server-database";

/**
 * The notification list: a colleague follows a petition by name, its organizer posts an update, and
 * the header counts it; the list shows it, and marking it read takes it off the count. A browser
 * that follows a petition on its own (as an anonymous signer's does) makes exactly the requests of a
 * browser that follows nothing: its news comes from the one public feed every page reads alike.
 */
const demo = demoApp();
/** Not a React hook, whatever its name says: it points this process at the server's database. */
const openServerDatabase = useServerDatabase;

let planted: { id: number; slug: string; title: string } | null = null;

/** An open petition of the demo with a fresh update from its creator (once); the staff account follows it by name. */
function plantNews(): { id: number; slug: string; title: string } {
  if (planted) return planted;
  openServerDatabase(demo.app);
  try {
    const petition = listPetitions({ list: "open", sort: "newest", page: 1 }).petitions[0];
    if (!petition) throw new Error("the demo has no open petition");
    const creator = getDb()
      .select({ email: people.email })
      .from(petitions)
      .innerJoin(people, eq(people.id, petitions.creatorId))
      .where(eq(petitions.id, petition.id))
      .get();
    if (!creator) throw new Error("no creator");
    postPetitionUpdate(
      petition.id,
      "We meet the works council on Tuesday.",
      userByEmail(creator.email),
      serverTime(demo.app),
    );
    setFollowing(userByEmail("staff@undersigned.test").id, petition.id, true, serverTime(demo.app));
    planted = { id: petition.id, slug: petition.slug, title: petition.title };
    return planted;
  } finally {
    closeDb();
  }
}

const headerLink = (page: Page) => page.locator("header a.header-notifications");
const unreadIn = async (page: Page) =>
  Number(
    (await headerLink(page)
      .locator(".badge")
      .textContent()
      .catch(() => "0")) ?? 0,
  );

describe("the notification list", { timeout: 200_000 }, () => {
  it("counts the unread in the header, shows them, and marking one read takes it off the count", async () => {
    const petition = plantNews();
    const page = await demo.reading("staff", { locale: "en" });
    await page.goto(`${demo.app.baseUrl}/petitions`);
    await headerLink(page).locator(".badge").waitFor();
    const before = await unreadIn(page);
    expect(before).toBeGreaterThanOrEqual(1);
    expect(await page.getByRole("link", { name: `Notifications ${before} new` }).count()).toBe(1);

    await headerLink(page).click();
    await page.getByRole("heading", { name: "Notifications", level: 1 }).waitFor();
    const line = page.locator(".notification-list li", { hasText: petition.title }).filter({
      hasText: "Update from the organizers",
    });
    expect(await line.getByText("New", { exact: true }).count()).toBe(1);
    expect(await line.getByText("you follow it").count()).toBe(1);
    await expectNoAxeViolations(page);

    await line.getByRole("button", { name: "Mark as read" }).click();
    await page.getByText("Marked one notification as read.").waitFor();
    expect(await line.getByText("New", { exact: true }).count()).toBe(0);
    expect(await unreadIn(page)).toBe(before - 1);
    await page.context().close();
  });
});

describe("following on this device only", { timeout: 200_000 }, () => {
  it("makes the same requests as a browser that follows nothing, and shows the petition's news from the public feed", async () => {
    const petition = plantNews();
    const visit = async (follow: boolean) => {
      const page = await demo.reading(null, { locale: "en" });
      const requests: string[] = [];
      const cookies: string[] = [];
      page.on("request", (request) => {
        const url = new URL(request.url());
        if (url.origin !== new URL(demo.app.baseUrl).origin) return;
        requests.push(`${request.method()} ${url.pathname}${url.search}`);
        if (url.pathname === "/api/news" && request.headers().cookie) cookies.push(url.pathname);
      });
      await page.goto(`${demo.app.baseUrl}/petitions/${petition.slug}`);
      const button = page.getByRole("button", { name: "Follow on this device only" });
      await button.waitFor();
      // Both pages settle alike first (the petition's digest, link discovery): only the click differs.
      await page.waitForLoadState("networkidle");
      if (follow) {
        await button.click();
        await page.getByRole("button", { name: "Stop following on this device" }).waitFor();
      }
      await page.waitForLoadState("networkidle");
      await page.goto(`${demo.app.baseUrl}/notifications`);
      await page.getByRole("heading", { name: "Followed on this device" }).waitFor();
      await page.locator(".notification-list, p.muted").last().waitFor();
      await page.waitForLoadState("networkidle");
      const shown = await page.locator(".notification-list li", { hasText: petition.title }).count();
      // Which requests, not how often: Remix asks for its route manifest again when a render
      // happens to land between two discoveries, in either browser.
      const seen = [...new Set(requests)].sort();
      // Opening the petition from the list says nothing of where the click came from.
      let referer: string | undefined;
      if (shown) {
        const opened = page.waitForRequest((r) => r.isNavigationRequest() && r.url().includes("/petitions/"));
        await page
          .locator(".notification-list li", { hasText: petition.title })
          .first()
          .getByRole("link", { name: petition.title })
          .click();
        referer = (await opened).headers().referer;
        await page.getByRole("heading", { name: petition.title, level: 1 }).waitFor();
      }
      await page.context().close();
      return { requests: seen, cookies, shown, referer };
    };
    const follower = await visit(true);
    const other = await visit(false);
    expect(follower.shown).toBeGreaterThanOrEqual(1);
    expect(other.shown).toBe(0);
    expect(follower.requests).toContain("GET /api/news");
    expect(follower.requests).toEqual(other.requests);
    expect(follower.requests.every((r) => r.startsWith("GET "))).toBe(true);
    expect(follower.cookies).toEqual([]);
    expect(follower.referer).toBeUndefined();
  });
});
