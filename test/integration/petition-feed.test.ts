import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { FEED_IDS_STABLE_SINCE } from "../../app/domain/petitions/feed.server";
import { findPetition } from "../../app/domain/petitions/reads.server";
import { petitionTimeline } from "../../app/domain/petitions/timeline.server";
import { CLI_ACTOR } from "../../app/platform/security/audit.server";
import { petitionUrl } from "../../app/platform/site/addresses.server";
import {
  DEFAULT_SETTINGS,
  getMilestoneDefaults,
  updateSettings,
} from "../../app/platform/site/settings.server";
import { DAY_MS, HOUR_MS, startOfDay } from "../../app/platform/time";
import * as feedRoute from "../../app/routes/petitions.$slug.feed[.]atom";
import { getDb } from "../../db/client";
import { siteSettings } from "../../db/schema";
import { answeredPetition } from "../support/answered-petition";
import { atomProblems, entryIds, isIri } from "../support/atom-feeds";
import { callRoute } from "../support/fixtures";
import { makeCompany } from "../support/petition-fixtures";

/**
 * A petition's Atom feed, whose entry ids readers de-duplicate by: every id an IRI (RFC 3987), none
 * shared, the feed valid against RFC 4287's grammar (libxml2), and the ids readers already hold kept.
 * The story is told in hostile words: Unicode, markup, quotes, emoji, long texts — the ids were once
 * cut from the percent-encoded text, 4 of 17 of them inside an escape.
 */

// A milestone that asks for a response: its event reads "Reached 10 signatures — leadership must respond".
updateSettings(DEFAULT_SETTINGS, [{ threshold: 10, responseRequired: true, responseDays: 14 }], CLI_ACTOR);
const company = makeCompany(30);
/** The story starts at nine, some sixty days ago: computed, so no test compares a fixed date with today. */
const T0 = startOfDay(Date.now() - 60 * DAY_MS) + 9 * HOUR_MS;
/** Stable ids since a time after every event here (the petition opened today): the ids of before. */
const AFTER_ALL = Number.MAX_SAFE_INTEGER;

let story: Awaited<ReturnType<typeof answeredPetition>>;
let slug = "";
let url = "";
beforeAll(async () => {
  story = await answeredPetition(
    company,
    {
      petition: `Données «personnelles» <b>&amp;</b> "quotes" & 'apostrophes' 🚀 ${"ß".repeat(30)}`,
      policy: "Données «personnelles» & <modèles> — 2026 🚀",
      memo: `Réponse: “${"é".repeat(40)}” <script>alert(1)</script> & more`,
      commitments: [
        `Opt-out-toggles-Überall “controls” © for 30 minutes, ‘quoted’ ${"ü".repeat(20)}`,
        `🚀🚀🚀 <i>long</i> & ${"x".repeat(250)}`,
      ],
    },
    T0,
  );
  slug = story.petition.slug;
  url = petitionUrl(slug);
});

/** The time from which event ids are made of stable data (the migration sets it to when it ran). */
function stableIdsSince(at: number) {
  getDb()
    .insert(siteSettings)
    .values({ key: FEED_IDS_STABLE_SINCE, value: at })
    .onConflictDoUpdate({ target: siteSettings.key, set: { value: at } })
    .run();
}

const feed = async () =>
  (
    await callRoute(feedRoute, "loader", null, `/petitions/${slug}/feed.atom`, {
      slug,
    })
  ).text();

/** The ids events had before they were made of stable data: what readers of the feed hold. */
function previousIds(): string[] {
  const row = findPetition(slug);
  if (!row) throw new Error("no petition");
  // (The organizers' updates were listed twice, as an event too: now once, by their own id.)
  return petitionTimeline(row)
    .filter((e) => !e.text.startsWith("Petition created") && e.text !== "Update from the organizers")
    .map((e) => `${url}#event-${e.at.getTime()}-${encodeURIComponent(e.text).slice(0, 40)}`);
}

describe("a petition's Atom feed", () => {
  it("knows from when event ids are stable: the migration recorded when it ran", () => {
    const row = getDb().select().from(siteSettings).where(eq(siteSettings.key, FEED_IDS_STABLE_SINCE)).get();
    expect(row?.value).toBeGreaterThan(T0);
  });

  it("told in hostile words, once gave events ids that were not IRIs, or the same id to two events", () => {
    const ids = previousIds();
    expect(ids.filter((id) => !isIri(id)).length).toBeGreaterThanOrEqual(2);
    expect(new Set(ids).size).toBeLessThan(ids.length);
  });

  it.each([
    ["events from before stable ids", AFTER_ALL],
    ["events since stable ids", 0],
  ])("gives every entry an IRI of its own and validates as Atom: %s", async (_, since) => {
    stableIdsSince(since);
    const xml = await feed();
    expect(atomProblems(xml)).toBeNull();
    const ids = entryIds(xml);
    // Opened, the milestone, the response, the policy version, three commitment changes, the update, closed.
    expect(ids.length).toBeGreaterThanOrEqual(8);
    expect(ids.filter((id) => !isIri(id))).toEqual([]);
    for (const id of ids) expect(() => new URL(id)).not.toThrow();
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("keeps the ids readers hold for events from before stable ids, where those were IRIs", async () => {
    stableIdsSince(AFTER_ALL);
    const ids = entryIds(await feed());
    const previous = previousIds();
    const kept = previous.filter((id, i) => isIri(id) && previous.indexOf(id) === i);
    expect(kept.length).toBeGreaterThanOrEqual(4);
    for (const id of kept) expect(ids).toContain(id);
  });

  it("names events since by what they are, so editing a title changes no id", async () => {
    stableIdsSince(0);
    const before = entryIds(await feed());
    for (const id of before)
      expect(id).toMatch(
        /#(opened|milestone-10|response-\d+|policy-version-\d+|commitment-update-\d+|update-\d+|closed)$/,
      );
    story.retitleMemo("Our answer, retitled — “ß” & <b>", T0 + 14 * DAY_MS);
    const xml = await feed();
    expect(xml).toContain("Our answer, retitled — “ß” &amp; &lt;b&gt;");
    expect(entryIds(xml)).toEqual(before);
  });

  it("says its own words in the company's language, and keeps every id when that changes", async () => {
    for (const since of [AFTER_ALL, 0]) {
      stableIdsSince(since);
      const english = await feed();
      const milestones = getMilestoneDefaults();
      updateSettings({ ...DEFAULT_SETTINGS, defaultLocale: "de" }, milestones, CLI_ACTOR);
      try {
        const german = await feed();
        expect(german).toContain("<title>Neuigkeit von den Organisatoren</title>");
        expect(german).not.toContain("Update from the organizers");
        expect(entryIds(german)).toEqual(entryIds(english));
      } finally {
        updateSettings(DEFAULT_SETTINGS, milestones, CLI_ACTOR);
      }
    }
  });
});
