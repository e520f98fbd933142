import { describe, expect, it } from "vitest";
import { homeFeed } from "../../app/domain/petitions/home-feed.server";
import type { AnyLocale } from "../../app/i18n/locales";
import { CLI_ACTOR } from "../../app/platform/security/audit.server";
import { DEFAULT_SETTINGS, updateSettings } from "../../app/platform/site/settings.server";
import { DAY_MS, HOUR_MS, startOfDay } from "../../app/platform/time";
import * as homeRoute from "../../app/routes/_index";
import { getDb } from "../../db/client";
import { signatures } from "../../db/schema";
import { signAs } from "../support/anonymous";
import { answeredPetition } from "../support/answered-petition";
import { wordsIn } from "../support/catalog-text";
import { callRoute } from "../support/fixtures";
import { makeCompany, openPetition } from "../support/petition-fixtures";

/**
 * A colleague's home page: what is open, what awaits leadership (due dates, overdue flagged), what
 * happened to what they signed publicly or organize, and new memos. What it says of their own
 * signatures comes from their public ones alone: an anonymous signer's home says nothing of what
 * they signed, even where a legacy row still carries their id.
 */

updateSettings(DEFAULT_SETTINGS, [{ threshold: 10, responseRequired: true, responseDays: 14 }], CLI_ACTOR);
const company = makeCompany(40);
const staff = (i: number) => {
  const user = company.staff[i];
  if (!user) throw new Error(`no staff ${i}`);
  return user;
};
const english = wordsIn("en");
const T0 = startOfDay(Date.now() - 60 * DAY_MS) + 9 * HOUR_MS;
const NOW = Date.now();

// Answered and closed: staff 4, 6, 8… signed it publicly, staff 5, 7, 9… anonymously; staff 0 started it.
const answered = await answeredPetition(
  company,
  {
    petition: "Let staff opt out of keystroke logging for AI training",
    policy: "Model capability data collection",
    memo: "Our answer on keystroke logging",
    commitments: ["A pause button", "A yearly review"],
  },
  T0,
);
// Reached its milestone 60 days ago, unanswered: 14 days to respond, long past.
const overdue = openPetition(company, "Bring back the four-day week pilot");
for (let i = 0; i < 10; i++)
  await signAs("public", { petitionId: overdue.id, user: staff(20 + i), ip: null }, T0);
const fresh = openPetition(company, "Quiet rooms on every floor");
await signAs("public", { petitionId: fresh.id, user: staff(31), ip: null });

/** A pre-token anonymous signature, which kept its signer's id: the home page must never ask for it. */
const anonymousSigner = staff(5);
getDb()
  .insert(signatures)
  .values({
    petitionId: fresh.id,
    personId: anonymousSigner.id,
    visibility: "anonymous",
    ledgerSeq: 999_999,
    ledgerHash: "legacy",
  })
  .run();

describe("a colleague's home page", () => {
  it("shows what is open, most signed and newest", () => {
    const feed = homeFeed(staff(30), english, NOW);
    expect(feed.open.total).toBe(2);
    expect(feed.open.mostSigned.map((p) => p.title)).toEqual([overdue.title, fresh.title]);
    expect(feed.open.newest.map((p) => p.title)).toEqual([fresh.title, overdue.title]);
  });

  it("shows what awaits leadership, with its due date, flagged overdue", () => {
    const { awaiting } = homeFeed(staff(30), english, NOW);
    expect(awaiting).toMatchObject({ total: 1, overdue: 1 });
    expect(awaiting.petitions).toEqual([
      expect.objectContaining({
        title: overdue.title,
        threshold: 10,
        overdue: true,
        dueAt: new Date(startOfDay(T0 + 14 * DAY_MS)),
      }),
    ]);
    // Leadership is pointed to where they answer it; colleagues are not.
    expect(homeFeed(company.leader, english, NOW).answersObligations).toBe(true);
    expect(homeFeed(staff(30), english, NOW).answersObligations).toBe(false);
  });

  it("tells a public signer and the organizer what happened to the petition: the memo, its commitments, closing", () => {
    for (const [user, relation] of [
      [staff(4), "signed"],
      [staff(0), "organize"],
    ] as const) {
      const { events } = homeFeed(user, english, NOW).yours;
      const ofAnswered = events.filter((e) => e.petition.slug === answered.petition.slug);
      expect(ofAnswered.map((e) => e.text)).toEqual(
        expect.arrayContaining([
          "Closed",
          expect.stringMatching(/^Leadership responded: .*Our answer on keystroke logging/),
          expect.stringMatching(/^Commitment “A yearly review”/),
        ]),
      );
      for (const event of ofAnswered) expect(event.relation).toBe(relation);
      // Newest first.
      const days = events.map((e) => e.on?.getTime() ?? 0);
      expect(days).toEqual([...days].sort((a, b) => b - a));
    }
  });

  it("tells each reader the news in their own language", () => {
    const texts = (locale: AnyLocale) =>
      homeFeed(staff(4), wordsIn(locale), NOW)
        .yours.events.filter((e) => e.petition.slug === answered.petition.slug)
        .map((e) => e.text);
    expect(texts("de")).toEqual(
      expect.arrayContaining([
        "Geschlossen",
        expect.stringMatching(/^Die Geschäftsleitung hat geantwortet: .*„Our answer on keystroke logging“/),
      ]),
    );
    expect(texts("ja")).toEqual(expect.arrayContaining(["終了"]));
  });

  it("says nothing of what a colleague signed anonymously", () => {
    const feed = homeFeed(anonymousSigner, english, NOW);
    expect(feed.yours.events).toEqual([]);
    expect(feed.yours.following).toBe(0);
    const text = JSON.stringify(feed.yours);
    expect(text).not.toContain(answered.petition.slug);
    expect(text).not.toContain(fresh.slug);
  });

  it("lists new memos, and keeps the front page for readers who are not signed in", async () => {
    expect(homeFeed(staff(30), english, NOW).memos.map((m) => m.title)).toEqual([
      "Our answer on keystroke logging",
    ]);
    const outsider = (await (await callRoute(homeRoute, "loader", null, "/", {})).json()) as Record<
      string,
      unknown
    >;
    expect(outsider.signedIn).toBe(false);
    expect(outsider).not.toHaveProperty("feed");
    const colleague = (await (await callRoute(homeRoute, "loader", staff(4), "/", {})).json()) as Record<
      string,
      unknown
    >;
    expect(colleague).toMatchObject({ signedIn: true, name: staff(4).name });
  });
});
