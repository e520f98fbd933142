import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { signPetition } from "../../app/domain/petitions/signing.server";
import { catalogFor } from "../../app/i18n/catalogs.server";
import { formatterOf } from "../../app/i18n/format";
import { intlFor } from "../../app/i18n/translate";
import { resetRateLimits } from "../../app/platform/security/rate-limits.server";
import { MINUTE_MS } from "../../app/platform/time";
import * as petitionRoute from "../../app/routes/petitions.$slug._index";
import * as invalidateRoute from "../../app/routes/petitions.$slug.invalidate";
import { getDb } from "../../db/client";
import { people } from "../../db/schema";
import { callRoute } from "../support/fixtures";
import { makeCompany, openPetition } from "../support/petition-fixtures";

const company = makeCompany(20);

/** A colleague's own language and zone, as their settings keep them. */
function speaks(user: { id: number }, locale: string, timeZone: string) {
  getDb().update(people).set({ locale, timeZone }).where(eq(people.id, user.id)).run();
}

type PageData = {
  title: string;
  petition: { closesAt: string | null };
  timeline: Array<{ text: string }>;
};

async function pageFor(user: { id: number }, slug: string): Promise<PageData> {
  const response = await callRoute(petitionRoute, "loader", user, `/petitions/${slug}`, { slug });
  expect(response.status).toBe(200);
  return (await response.json()) as PageData;
}

describe("a petition's page in its reader's words", () => {
  it("tells its story in German and in Japanese, and gives its closing time to the minute, for the reader's zone", async () => {
    const petition = openPetition(company, "Quiet hours for the open-plan floors");
    const [german, japanese] = [company.member(10), company.member(11)];
    speaks(german, "de", "Europe/Berlin");
    speaks(japanese, "ja", "Asia/Singapore");

    const de = await pageFor(german, petition.slug);
    expect(de.timeline.map((e) => e.text)).toEqual(["Petition erstellt", "Zur Unterschrift eröffnet"]);
    const ja = await pageFor(japanese, petition.slug);
    expect(ja.timeline.map((e) => e.text)).toEqual(["請願が作成されました", "署名の受付を開始しました"]);
    expect(ja.title).toBe(`${petition.title} · Undersigned`);

    // The closing time is a moment that matters: the page gets it to the minute (not the UTC day),
    // and writes it in the reader's zone, named.
    const closesAt = petition.closesAt?.getTime() ?? 0;
    expect(new Date(ja.petition.closesAt ?? 0).getTime()).toBe(closesAt - (closesAt % MINUTE_MS));
    const singapore = formatterOf(intlFor("ja", "Asia/Singapore", catalogFor("ja")));
    const shown = singapore.dateTime(ja.petition.closesAt);
    const hour = new Date(closesAt + 8 * 3_600_000).getUTCHours();
    expect(shown).toContain(`${String(hour).padStart(2, "0")}:`);
    expect(shown).toMatch(/GMT\+8|SGT/);
  });

  it("reads the invalidation window's times as UTC, as its fields say, whatever zone the server runs in", async () => {
    const petition = openPetition(company, "Let staff opt out of badge tracking");
    const at = Date.now();
    // The fields' wall times, as a moderator types them in UTC (a day, "T", hours and minutes).
    const wall = (ms: number) => new Date(ms).toISOString().slice(0, 16);
    for (const i of [4, 5, 6, 7, 8, 9]) {
      resetRateLimits();
      const user = company.member(i);
      await signPetition({ noAnonymousSignature: true, petitionId: petition.id, user, ip: "192.0.2.10" }, at);
    }
    const zone = process.env.TZ;
    // A server in New York would have read "10:00" as 15:00 UTC, and found none of them.
    process.env.TZ = "America/New_York";
    try {
      const response = await callRoute(
        invalidateRoute,
        "action",
        company.moderator,
        `/petitions/${petition.slug}/invalidate`,
        { slug: petition.slug },
        { intent: "preview", from: wall(at - 30 * MINUTE_MS), to: wall(at + 30 * MINUTE_MS) },
      );
      expect(await response.json()).toMatchObject({ matched: 6 });
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });
});
