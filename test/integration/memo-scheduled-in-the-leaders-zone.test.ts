import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { saveAnnouncement } from "../../app/domain/announcements/lifecycle.server";
import { findAnnouncement } from "../../app/domain/announcements/reads.server";
import { catalogFor } from "../../app/i18n/catalogs.server";
import { formatterOf } from "../../app/i18n/format";
import { intlFor } from "../../app/i18n/translate";
import { HOUR_MS } from "../../app/platform/time";
import * as announcementRoute from "../../app/routes/announcements.$slug._index";
import { getDb } from "../../db/client";
import { people } from "../../db/schema";
import { readOutcome } from "../support/action-routes";
import { callRoute } from "../support/fixtures";
import { makeCompany } from "../support/petition-fixtures";

/**
 * A memo's schedule is a datetime-local field, which carries no zone: the page names the reader's zone
 * beside it and posts that zone with it, and the action reads the time in it. A leader in New York who
 * schedules 09:00 means 09:00 in New York — which a colleague in Singapore reads as 22:00 their time.
 */
const company = makeCompany(6);

// 7 January next year: in winter New York is UTC−5 and Singapore UTC+8 all year.
const year = new Date().getUTCFullYear() + 1;
const wall = `${year}-01-07T09:00`;
const nineInNewYork = Date.UTC(year, 0, 7, 9 + 5);

function draft(title: string) {
  return saveAnnouncement(
    null,
    { title, body: "A memo to be published at a time its author chose.", responses: [], commitments: [] },
    company.leader,
  );
}

const schedule = (slug: string, fields: Record<string, string>) =>
  callRoute(
    announcementRoute,
    "action",
    company.leader,
    `/announcements/${slug}`,
    { slug },
    { intent: "schedule", publishAt: wall, ...fields },
  );

const shownIn = (timeZone: string, at: Date | number) =>
  formatterOf(intlFor("en", timeZone, catalogFor("en"))).dateTime(at);

describe("a memo's schedule", () => {
  it("is read in the zone the page named beside the field, and every colleague sees that instant in their own zone", async () => {
    const memo = draft("Office moves in January");
    const outcome = await readOutcome(await schedule(memo.slug, { timeZone: "America/New_York" }));
    expect(outcome.status).toBe(302);
    expect(findAnnouncement(memo.slug)?.publishAt?.getTime()).toBe(nineInNewYork);
    // The confirmation names the leader's own time; before this change the field was read as UTC (09:00Z).
    expect(outcome.flash?.message).toContain(shownIn("America/New_York", nineInNewYork));
    expect(shownIn("America/New_York", nineInNewYork)).toMatch(/09:00/);
    expect(shownIn("Asia/Singapore", nineInNewYork)).toMatch(/22:00/);
    expect(shownIn("UTC", nineInNewYork)).toMatch(/14:00 UTC/);
  });

  it("without a zone posted, is read in the reader's own zone (their setting)", async () => {
    getDb().update(people).set({ timeZone: "Asia/Singapore" }).where(eq(people.id, company.leader.id)).run();
    try {
      const memo = draft("Singapore hours for the help desk");
      expect((await schedule(memo.slug, {})).status).toBe(302);
      expect(findAnnouncement(memo.slug)?.publishAt?.getTime()).toBe(nineInNewYork - 13 * HOUR_MS);
    } finally {
      getDb().update(people).set({ timeZone: null }).where(eq(people.id, company.leader.id)).run();
    }
  });

  it("ignores a posted zone that is no zone, and refuses a time that is on no clock, changing nothing", async () => {
    const memo = draft("A memo with a strange schedule");
    expect((await schedule(memo.slug, { timeZone: "Mars/Olympus_Mons" })).status).toBe(302);
    // The company's default zone (UTC in tests) stands in for a zone that does not exist.
    expect(findAnnouncement(memo.slug)?.publishAt?.getTime()).toBe(nineInNewYork - 5 * HOUR_MS);
    const other = draft("A memo for the thirtieth of February");
    const impossible = await schedule(other.slug, { publishAt: `${year}-02-30T09:00` });
    expect(impossible.status).toBe(400);
    expect(findAnnouncement(other.slug)?.state).toBe("draft");
  });
});
