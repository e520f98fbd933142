import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { queueAnnouncementEmails } from "../../../app/domain/announcements/mailing.server";
import { sendObligationReminders } from "../../../app/domain/announcements/obligations.server";
import { hideComment } from "../../../app/domain/discussion/moderation.server";
import { postComment } from "../../../app/domain/discussion/posting.server";
import { requestLink } from "../../../app/domain/identity/identity-linking.server";
import { requestSignIn } from "../../../app/domain/identity/sign-in.server";
import { sendNotificationEmails } from "../../../app/domain/notifications/digests.server";
import { setFollowing } from "../../../app/domain/notifications/follows.server";
import { findPersonByEmail } from "../../../app/domain/people/directory.server";
import { followEmailChange } from "../../../app/domain/people/email-change.server";
import { transitionPetition } from "../../../app/domain/petitions/lifecycle.server";
import { inviteOrganizer } from "../../../app/domain/petitions/organizers.server";
import { queuePetitionUpdateEmails } from "../../../app/domain/petitions/updates.server";
import { sendFeedback } from "../../../app/domain/policies/feedback.server";
import { replyToFeedback } from "../../../app/domain/policies/feedback-inbox.server";
import { createPolicy } from "../../../app/domain/policies/registry.server";
import { chooseEmailCadence } from "../../../app/platform/mail/email-preferences.server";
import { CLI_ACTOR } from "../../../app/platform/security/audit.server";
import { resetRateLimits } from "../../../app/platform/security/rate-limits.server";
import { DEFAULT_SETTINGS, updateSettings } from "../../../app/platform/site/settings.server";
import { DAY_MS } from "../../../app/platform/time";
import { MAIL_KIND_NAMES, type MailKind } from "../../../app/vocabulary/mail-kinds";
import { getDb } from "../../../db/client";
import { outbox, people } from "../../../db/schema";
import { signAs } from "../../support/anonymous";
import { answeredPetition } from "../../support/answered-petition";
import { draftPetition, makeCompany, openPetition } from "../../support/petition-fixtures";
import { readableText, strayWords, wordsPeopleWrote } from "../../support/pseudo-locale";

/**
 * Every word of every email comes from a catalog (ADR 0041): every kind of email the product sends is
 * written for recipients whose language is the pseudo-locale en-XA, where every catalog word is
 * accented; a plain Latin word left in its subject, text or HTML was written into the code — unless
 * a person wrote it (a title, a comment, a name), read from the database itself.
 */

// The company's name is the operator's (named in the system tests too); its fallback is English words.
vi.hoisted(() => {
  process.env.COMPANY_NAME = "Corp";
});

/** Kinds no code sends any more: named so that admins' counts of old emails still have a label. */
const NOT_SENT = new Set<MailKind>(["organizer.added"]);
/** Outbox rows that are not emails: posts to company chat, whose words company-chat.test.ts checks. */
const NOT_EMAIL = new Set<MailKind>(["chat.post"]);

const T0 = Date.UTC(2026, 11, 7, 9, 0); // fixed clock
const MINUTE = 60_000;

/** Every person in the directory reads en-XA (no form stores a pseudo-locale; a test may). */
const everyoneReadsPseudo = () => getDb().update(people).set({ locale: "en-XA" }).run();

updateSettings(DEFAULT_SETTINGS, [{ threshold: 5, responseRequired: true, responseDays: 14 }], CLI_ACTOR);
const company = makeCompany(30);
const { member: staff, moderator, leader } = company;
const creator = staff(0);
everyoneReadsPseudo();

/** Every kind of email, each caused as people cause it. */
async function sendEveryKind() {
  // Drafted, co-sponsored, approved: moderators, then organizers hear of it.
  const petition = openPetition(company, "Quiet rooms on every floor", { at: T0 });
  // One colleague follows it with an email for each piece of news, another in a daily digest.
  setFollowing(staff(25).id, petition.id, true, T0);
  chooseEmailCadence(staff(26).id, "daily", T0);
  setFollowing(staff(26).id, petition.id, true, T0);
  // Five public signatures cross the milestone: organizers, leadership and the signers hear of it.
  for (let i = 4; i < 9; i++)
    await signAs(
      "public",
      { petitionId: petition.id, user: staff(i), wantsUpdates: true, ip: null },
      T0 + i * MINUTE,
    );
  // Leadership is reminded before the response is due, then told it is overdue.
  sendObligationReminders(T0 + 12 * DAY_MS);
  sendObligationReminders(T0 + 15 * DAY_MS);
  inviteOrganizer(petition.id, staff(10).email, creator, T0);
  transitionPetition(
    petition.id,
    { action: "request-close", reason: "The new floor plan already has them." },
    creator,
    T0 + DAY_MS,
  );
  transitionPetition(
    petition.id,
    { action: "declare-victory", note: "Thank you all." },
    creator,
    T0 + 2 * DAY_MS,
  );

  const rejected = draftPetition(creator, "A second quiet-room petition", T0);
  transitionPetition(rejected.id, { action: "submit" }, creator, T0);
  for (const sponsor of [staff(1), staff(2), staff(3)])
    transitionPetition(rejected.id, { action: "co-sponsor" }, sponsor, T0);
  transitionPetition(rejected.id, { action: "reject", reason: "duplicate" }, moderator, T0);

  // Answered by a memo, its organizers' update posted, closed.
  await answeredPetition(
    company,
    {
      petition: "Let staff opt out of keystroke logging",
      policy: "Model capability data collection",
      memo: "Our answer on keystroke logging",
      commitments: ["A pause button", "A yearly review"],
    },
    T0,
  );
  queueAnnouncementEmails(T0 + 30 * DAY_MS);
  queuePetitionUpdateEmails(T0 + 30 * DAY_MS);

  // A reply to a comment, and a comment hidden by a moderator.
  resetRateLimits();
  const subject = { type: "petition" as const, id: petition.id };
  const comment = await postComment(subject, { body: "Which floors first?", anonymous: false }, staff(4));
  const reply = await postComment(
    null,
    { body: "The third.", anonymous: false, parentId: comment },
    staff(5),
  );
  hideComment(reply, "Off topic", moderator);

  // A policy owner's reply to feedback.
  const owner = staff(20);
  const policy = createPolicy(
    {
      title: "Keystroke logging policy",
      summary: "What is logged and why.",
      ownerTeam: "AI Platform",
      ownerEmails: owner.email,
      body: "Everything typed is logged.",
      changeSummary: "First",
      effectiveAt: new Date(T0 - DAY_MS),
    },
    leader,
    T0,
  );
  const feedback = await sendFeedback(
    policy.id,
    { body: "Too much is logged.", anonymous: false },
    staff(21),
    T0,
  );
  replyToFeedback(feedback, "Thank you, we are looking at it.", owner, T0);

  // Signing in: a link, a company sign-in to confirm, an address changed.
  resetRateLimits();
  await requestSignIn({ email: staff(22).email, ip: null }, T0);
  const person = findPersonByEmail(getDb(), staff(23).email);
  requestLink(
    getDb(),
    {
      email: staff(23).email,
      person,
      account: { protocol: "oidc", issuer: "https://login.corp.example", subject: "x-23" },
      replaces: null,
    },
    T0,
  );
  const moved = staff(24);
  followEmailChange(
    getDb(),
    { ...moved, locale: "en-XA", timeZone: null },
    { from: moved.email, to: "moved@corp.example" },
    CLI_ACTOR,
    "directory",
    {},
    T0,
  );
  // The followers' news: each piece for one, the first day's digest for the other.
  sendNotificationEmails(T0 + 2 * DAY_MS);
}

describe("in the pseudo-locale en-XA", () => {
  it("every kind of email says only words from the catalogs, in its subject, text and HTML", async () => {
    await sendEveryKind();
    const written = wordsPeopleWrote({ except: ["outbox"] });
    const rows = getDb().select().from(outbox).where(eq(outbox.withheld, false)).all();
    const failing = new Map<string, string[]>();
    for (const row of rows) {
      const stray = strayWords(
        [row.subject, ...row.textBody.split("\n"), ...readableText(row.htmlBody)],
        written,
      );
      if (stray.length) failing.set(row.kind, [...new Set([...(failing.get(row.kind) ?? []), ...stray])]);
    }

    const sent = new Set(rows.map((row) => row.kind));
    expect({
      missing: MAIL_KIND_NAMES.filter(
        (kind) => !NOT_SENT.has(kind) && !NOT_EMAIL.has(kind) && !sent.has(kind),
      ),
      notFromCatalogs: Object.fromEntries([...failing].map(([kind, words]) => [kind, words.slice(0, 20)])),
    }).toEqual({ missing: [], notFromCatalogs: {} });
  });
});
