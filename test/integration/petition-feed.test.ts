import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { updateCommitment } from "../../app/domain/announcements/commitments.server";
import { announcementInputSchema } from "../../app/domain/announcements/forms";
import { publishAnnouncement, saveAnnouncement } from "../../app/domain/announcements/lifecycle.server";
import type { User } from "../../app/domain/identity/sessions.server";
import { FEED_IDS_STABLE_SINCE } from "../../app/domain/petitions/feed.server";
import { transitionPetition } from "../../app/domain/petitions/lifecycle.server";
import { findPetition } from "../../app/domain/petitions/reads.server";
import { petitionTimeline } from "../../app/domain/petitions/timeline.server";
import { postPetitionUpdate } from "../../app/domain/petitions/updates.server";
import { policyInputSchema } from "../../app/domain/policies/forms";
import { createPolicy } from "../../app/domain/policies/registry.server";
import { petitionUrl } from "../../app/platform/addresses.server";
import { CLI_ACTOR } from "../../app/platform/audit.server";
import { DEFAULT_SETTINGS, updateSettings } from "../../app/platform/settings.server";
import { DAY_MS } from "../../app/platform/time";
import * as feedRoute from "../../app/routes/petitions.$slug.feed[.]atom";
import { getDb } from "../../db/client";
import { commitments, siteSettings } from "../../db/schema";
import { signAs } from "../support/anonymous";
import { atomProblems, entryIds, isIri } from "../support/atom-feeds";
import { callRoute } from "../support/fixtures";
import { makeCompany, openPetition } from "../support/petition-fixtures";

/**
 * A petition's Atom feed, whose entry ids readers de-duplicate by: every id an IRI (RFC 3987), none
 * shared, the feed valid against RFC 4287's grammar (libxml2), and the ids readers already hold kept.
 * The story is told in hostile words: Unicode, markup, quotes, emoji, long texts — the ids were once
 * cut from the percent-encoded text, 4 of 17 of them inside an escape.
 */

// A milestone that asks for a response: its event reads "Reached 10 signatures — leadership must respond".
updateSettings(DEFAULT_SETTINGS, [{ threshold: 10, responseRequired: true, responseDays: 14 }], CLI_ACTOR);
const company = makeCompany(30);
const staff = (i: number): User => {
  const user = company.staff[i];
  if (!user) throw new Error(`no staff ${i}`);
  return user;
};
const { leader, moderator } = company;
const T0 = Date.UTC(2026, 3, 1, 9);
/** Stable ids since a time after every event here (the petition opened today): the ids of before. */
const AFTER_ALL = Number.MAX_SAFE_INTEGER;

const petition = openPetition(
  company,
  `Données «personnelles» <b>&amp;</b> "quotes" & 'apostrophes' 🚀 ${"ß".repeat(30)}`,
);
const url = petitionUrl(petition.slug);
let announcementId = 0;
let policyId = 0;
const announcementTitle = `Réponse: “${"é".repeat(40)}” <script>alert(1)</script> & more`;

beforeAll(async () => {
  for (let i = 0; i < 10; i++)
    await signAs(
      i % 2 ? "anonymous" : "public",
      { petitionId: petition.id, user: staff(4 + i), ip: null },
      T0 + i * 60_000,
    );
  const policy = createPolicy(
    policyInputSchema.parse({
      title: "Données «personnelles» & <modèles> — 2026 🚀",
      summary: "What is collected to train models, and how to limit it.",
      body: "Keystrokes and clicks are collected on all company devices.",
      effectiveAt: new Date(T0 - 30 * DAY_MS).toISOString(),
      ownerEmails: leader.email,
    }),
    leader,
    T0 - 30 * DAY_MS,
  );
  policyId = policy.id;
  const memo = saveAnnouncement(null, memoInput(announcementTitle, policy.id), leader, T0 + 10 * DAY_MS);
  announcementId = memo.id;
  publishAnnouncement(memo.id, leader, T0 + 12 * DAY_MS);
  const [, second] = getDb().select().from(commitments).where(eq(commitments.announcementId, memo.id)).all();
  if (!second) throw new Error("no commitment");
  // Two changes to one commitment in a day: the old ids gave both the same id.
  updateCommitment(second.id, { status: "done" }, leader, T0 + 13 * DAY_MS);
  updateCommitment(second.id, { status: "in_progress" }, leader, T0 + 13 * DAY_MS + 3_600_000);
  postPetitionUpdate(
    petition.id,
    "Thank you — **ten** of you already. Ünïcödé & <b>markup</b>.",
    staff(0),
    T0 + 15 * DAY_MS,
  );
  transitionPetition(petition.id, { action: "close" }, moderator, T0 + 20 * DAY_MS);
});

function memoInput(title: string, policy: number) {
  return announcementInputSchema.parse({
    title,
    body: "We have listened. Staff may now pause collection for up to 30 minutes at a time.",
    responses: [{ petitionId: String(petition.id), stance: "partially_accepted" }],
    policyId: String(policy),
    policyBody: "Keystrokes and clicks are collected. Staff may pause collection for up to 30 minutes.",
    policyChangeSummary: "Pause for up to 30 minutes",
    policyEffectiveAt: new Date(T0 + 20 * DAY_MS).toISOString(),
    commitments: [
      {
        text: `Opt-out-toggles-Überall “controls” © for 30 minutes, ‘quoted’ ${"ü".repeat(20)}`,
        status: "in_progress",
      },
      { text: `🚀🚀🚀 <i>long</i> & ${"x".repeat(250)}`, status: "planned" },
    ],
  });
}

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
    await callRoute(feedRoute, "loader", null, `/petitions/${petition.slug}/feed.atom`, {
      slug: petition.slug,
    })
  ).text();

/** The ids events had before they were made of stable data: what readers of the feed hold. */
function previousIds(): string[] {
  const row = findPetition(String(petition.id));
  if (!row) throw new Error("no petition");
  // (The organizers' updates were listed twice, as an event too: now once, by their own id.)
  return petitionTimeline(row)
    .filter((e) => !e.text.startsWith("Petition created") && e.text !== "Update from the organizers")
    .map((e) => `${url}#event-${e.at.getTime()}-${encodeURIComponent(e.text).slice(0, 40)}`);
}

describe("a petition's Atom feed", () => {
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
    saveAnnouncement(
      announcementId,
      memoInput("Our answer, retitled — “ß” & <b>", policyId),
      leader,
      T0 + 14 * DAY_MS,
    );
    const xml = await feed();
    expect(xml).toContain("Our answer, retitled — “ß” &amp; &lt;b&gt;");
    expect(entryIds(xml)).toEqual(before);
  });
});
