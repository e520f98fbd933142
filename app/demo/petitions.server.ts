import { eq, gte } from "drizzle-orm";
import { getDb } from "../../db/client";
import { outbox, people, petitions } from "../../db/schema";
import { rolesOf } from "../domain/identity/permissions.server";
import type { User } from "../domain/identity/sessions.server";
import { findPersonByEmail } from "../domain/people/directory.server";
import { commitAnonymousBatches } from "../domain/petitions/anonymous-signing.server";
import { createPetition } from "../domain/petitions/drafting.server";
import { closeExpiredPetitions, transitionPetition } from "../domain/petitions/lifecycle.server";
import type { Petition } from "../domain/petitions/rights.server";
import { signPetition } from "../domain/petitions/signing.server";
import { DAY_MS, HOUR_MS } from "../platform/time";
import { issuanceOf } from "../platform/token-issuance.server";
import { petitionScope } from "../platform/token-messages";
import { fetchToken, redeem } from "./anonymous-signer.server";
import { seedDemoDiscussion } from "./discussion.server";
import { seedOrganizing } from "./organizing.server";
import { seedMciPolicy, seedMciResponse } from "./response.server";
import { seededRandom } from "./seeded-random";

const at = (iso: string) => new Date(iso).getTime();

function user(email: string): User {
  const person = findPersonByEmail(getDb(), email);
  if (!person) throw new Error(`demo person ${email} is missing`);
  return { ...person, roles: rolesOf(person.id) };
}

const REASONS = [
  "My keystrokes are not training data.",
  "I type medical appointments and personal messages at work too.",
  "Nobody asked us before this started.",
  "I want to be able to pause it during 1:1s.",
  "Opt-out should be the default, not a favour.",
  "We deserve to know what is collected and for how long.",
];

/**
 * The brief's scenario, through the same domain functions as the pages: the MCI petition, opened in
 * April, ~1,600 signatures over three weeks (about a third anonymous), milestones reached when they
 * were; and a petition in every other state.
 */
export async function seedDemoPetitions(): Promise<string[]> {
  const db = getDb();
  const staff = db
    .select({ email: people.email })
    .from(people)
    .where(eq(people.active, true))
    .all()
    .map((p) => p.email)
    .filter((e) => !/^(admin|moderator|leadership|cto|trust)@/.test(e));
  const moderator = user("moderator@undersigned.test");
  const organizer = user("organizer@undersigned.test");
  const rep = user("union-rep@undersigned.test");
  const next = seededRandom(1500);
  const firstOutboxId = (db.select({ id: outbox.id }).from(outbox).all().at(-1)?.id ?? 0) + 1;

  const sponsorsFor = (petition: Petition, from: number, when: number, count = 3) => {
    transitionPetition(
      petition.id,
      { action: "submit" },
      user(petition.creatorId === organizer.id ? organizer.email : rep.email),
      when,
    );
    for (let i = 0; i < count; i++) {
      transitionPetition(
        petition.id,
        { action: "co-sponsor" },
        user(staff[from + i] ?? ""),
        when + (i + 1) * HOUR_MS,
      );
    }
  };
  /**
   * `count` signatures in time order (the ledger and the milestone times follow real order),
   * front-loaded: most people sign in the first days. Returns how many were made.
   */
  const signMany = async (
    petition: Petition,
    count: number,
    start: number,
    spanMs: number,
    offset: number,
    reasons: readonly string[] = [],
  ) => {
    const times = Array.from({ length: count }, () => start + Math.floor(spanMs * next() ** 1.8)).sort(
      (a, b) => a - b,
    );
    let signed = 0;
    for (const [i, when] of times.entries()) {
      const signer = user(staff[(offset + i) % staff.length] ?? "");
      if (signer.id === petition.creatorId) continue;
      const anonymous = next() < 0.34;
      const reason =
        reasons.length && next() < 0.06 ? reasons[Math.floor(next() * reasons.length)] : undefined;
      const wantsUpdates = next() < 0.1;
      const ip = `10.${Math.floor(next() * 255)}.${Math.floor(next() * 255)}.${Math.floor(next() * 255)}`;
      // Anonymous signers sign through the protocol: a blind token, redeemed without a session, counted
      // in the petition's batches. Public ones sign with their name, without a token (no JavaScript).
      if (anonymous) {
        await redeem(await fetchToken(petition, signer, when), { reason, at: when });
        await commitAnonymousBatches(when);
      } else {
        await signPetition(
          { noAnonymousSignature: true, petitionId: petition.id, user: signer, reason, wantsUpdates, ip },
          when,
        );
      }
      signed++;
    }
    // The last batch, whatever its size: the demo's history is over.
    await commitAnonymousBatches(times.at(-1) ?? start, petition.id);
    return signed;
  };

  // The story: a policy in force from April; the petition against it, created and opened in early
  // April, signed over three weeks; leadership's answer in June.
  const leader = user("leadership@undersigned.test");
  const mciPolicy = seedMciPolicy(leader);
  const mci = createPetition(
    {
      title: "Let staff opt out of keystroke and click logging for AI training",
      summary:
        "Give every member of staff a simple way to opt out of the Model Capability Initiative's keystroke and click logging, and to pause it at any time.",
      body: `In April the company started logging our **keystrokes and mouse clicks** to train its AI models (the *Model Capability Initiative*).

We were not consulted, and the logging covers everything we type at work:

- personal messages and medical appointments,
- passwords typed into the wrong field,
- conversations with HR and our representatives.

We ask leadership to:

1. let any member of staff **opt out** of the programme;
2. let anyone **pause** the logging when they need privacy;
3. publish what is collected, how long it is kept and who can see it.

> "I don't mind helping build better tools. I do mind not being asked." — a colleague who asked not to be named`,
      category: "Privacy",
      policyId: mciPolicy.id,
    },
    organizer,
    at("2026-04-01T09:00:00Z"),
  );
  sponsorsFor(mci, 10, at("2026-04-01T10:00:00Z"));
  transitionPetition(mci.id, { action: "approve" }, moderator, at("2026-04-03T08:30:00Z"));
  const mciSignatures = await signMany(mci, 1_600, at("2026-04-03T09:00:00Z"), 21 * DAY_MS, 20, REASONS);
  seedMciResponse(mci, mciPolicy, leader);
  const discussionSize = await seedDemoDiscussion(
    mci,
    {
      staff: staff.slice(20, 420).map(user),
      organizer,
      leader,
      moderator,
    },
    at("2026-04-03T09:30:00Z"),
    21 * DAY_MS,
  );

  // Open now, a few weeks in.
  const hybrid = createPetition(
    {
      title: "Keep two remote days a week for everyone",
      summary:
        "Keep the current hybrid policy of two remote days a week instead of the proposed full return to the office.",
      body: "The proposed return to the office ignores long commutes and caring duties. Two remote days have worked well for three years: **keep them**.",
      category: "Hybrid work",
    },
    rep,
    at("2026-11-02T09:00:00Z"),
  );
  sponsorsFor(hybrid, 40, at("2026-11-02T10:00:00Z"));
  transitionPetition(hybrid.id, { action: "approve" }, moderator, at("2026-11-04T09:00:00Z"));
  await signMany(hybrid, 230, at("2026-11-04T10:00:00Z"), 24 * DAY_MS, 300);

  // Closed: ran its 90 days last year.
  const parking = createPetition(
    {
      title: "Bring back bicycle parking at the Berlin office",
      summary: "Restore the bicycle parking that was removed when the Berlin office was refurbished.",
      body: "Since the refurbishment there is nowhere safe to leave a bicycle. Please bring back covered bicycle parking.",
      category: "Facilities",
    },
    rep,
    at("2026-01-10T09:00:00Z"),
  );
  sponsorsFor(parking, 60, at("2026-01-10T10:00:00Z"));
  transitionPetition(parking.id, { action: "approve" }, moderator, at("2026-01-12T09:00:00Z"));
  await signMany(parking, 140, at("2026-01-12T10:00:00Z"), 60 * DAY_MS, 900);

  // Rejected as a duplicate of the MCI petition.
  const duplicate = createPetition(
    {
      title: "Stop recording what we type for the AI project",
      summary: "End the keystroke logging programme for AI training altogether.",
      body: "The keystroke logging programme should end. It records everything we type at work without our consent.",
    },
    rep,
    at("2026-04-05T09:00:00Z"),
  );
  sponsorsFor(duplicate, 70, at("2026-04-05T10:00:00Z"));
  transitionPetition(
    duplicate.id,
    {
      action: "reject",
      reason: "duplicate",
      note: "Please sign the petition about opting out of keystroke logging instead.",
    },
    moderator,
    at("2026-04-06T09:00:00Z"),
  );

  // Awaiting moderation, collecting co-sponsors, and a draft.
  const lunch = createPetition(
    {
      title: "Publish the salary bands for every role",
      summary: "Publish the salary band of every role internally, as the law will soon require.",
      body: "Pay transparency helps close unexplained pay gaps. Publish the bands for every role on the intranet.",
      category: "Pay",
    },
    organizer,
    at("2026-11-20T09:00:00Z"),
  );
  sponsorsFor(lunch, 80, at("2026-11-20T10:00:00Z"));
  const quiet = createPetition(
    {
      title: "Create quiet zones on every open-plan floor",
      summary: "Set aside a quiet zone with no calls or meetings on every open-plan floor.",
      body: "Open-plan floors are loud. A quiet zone on each floor would help everyone who needs to concentrate.",
      category: "Facilities",
    },
    rep,
    at("2026-11-24T09:00:00Z"),
  );
  transitionPetition(quiet.id, { action: "submit" }, rep, at("2026-11-24T09:30:00Z"));
  transitionPetition(quiet.id, { action: "co-sponsor" }, user(staff[90] ?? ""), at("2026-11-24T11:00:00Z"));
  createPetition(
    {
      title: "Let staff choose their own laptop operating system",
      summary: "Let staff choose between the supported operating systems when their laptop is replaced.",
      body: "Some of us work faster on another operating system. Let us choose among the ones IT already supports.",
    },
    organizer,
    at("2026-11-27T09:00:00Z"),
  );

  const organizingLines = await seedOrganizing({
    mci,
    parking,
    policy: mciPolicy,
    organizer,
    rep,
    owner: leader,
    staff: staff.slice(500, 900).map(user),
  });

  // Every signed-in colleague's browser fetches its tokens in the background, whether or not they
  // sign: so the list of whom a token was issued to is not the list of anonymous signers (and the
  // number issued is more than the number redeemed).
  let issued = 0;
  for (const petition of db.select().from(petitions).where(eq(petitions.state, "open")).all()) {
    const during = (petition.openedAt?.getTime() ?? Date.now()) + DAY_MS;
    for (const email of staff) {
      if (next() > 0.6) continue;
      const colleague = user(email);
      if (issuanceOf(db, petitionScope(petition.id), colleague.id)) continue;
      await fetchToken(petition, colleague, during);
      issued++;
    }
  }
  closeExpiredPetitions();
  // The demo's history happened long ago: its emails count as delivered, so none goes out if SMTP is
  // configured later.
  db.update(outbox).set({ status: "sent", sentAt: new Date() }).where(gte(outbox.id, firstOutboxId)).run();

  return [
    `MCI petition: ${mciSignatures.toLocaleString("en")} signatures (about a third anonymous), closed after 90 days; a discussion of ${discussionSize} comments besides the signers' reasons.`,
    "Other petitions: open, closed, rejected, awaiting moderation, collecting co-sponsors, draft.",
    `Anonymous signatures through blind tokens; ${issued.toLocaleString("en")} more tokens issued in colleagues' browsers on open petitions.`,
    ...organizingLines,
  ];
}
