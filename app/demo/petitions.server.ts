import { eq, gte } from "drizzle-orm";
import { getDb } from "../../db/client";
import { outbox, people, petitions } from "../../db/schema";
import { walletCheckOf } from "../browser/derived-tokens";
import { forgetAnonymousAuthors } from "../domain/discussion/forgetting.server";
import { rolesOf } from "../domain/identity/permissions.server";
import type { User } from "../domain/identity/sessions.server";
import { findPersonByEmail } from "../domain/people/directory.server";
import { createWallet } from "../domain/people/wallets.server";
import { commitAnonymousBatches } from "../domain/petitions/anonymous-signing.server";
import { createPetition } from "../domain/petitions/drafting.server";
import { closeExpiredPetitions, transitionPetition } from "../domain/petitions/lifecycle.server";
import type { Petition } from "../domain/petitions/rights.server";
import { signPetition } from "../domain/petitions/signing.server";
import { retireOldFeedbackKeys } from "../domain/policies/anonymous-feedback.server";
import { checkpointAfterForgetting } from "../platform/runtime/forgetting.server";
import { DAY_MS, HOUR_MS } from "../platform/time";
import { fetchToken, type HeldToken, redeem, walletSecretOf } from "./anonymous-signer.server";
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
export async function seedDemoPetitions(demoAccounts: ReadonlySet<string>): Promise<string[]> {
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
  // Background issuance as the product does it: a colleague who uses the platform has a device that
  // holds their wallet, and each visit's run fetches every open petition's token, whatever they mean
  // to sign. So a token is issued on a colleague's first visit after a petition opens — a day that
  // says nothing about signing — and an anonymous signer signs on a later visit (or the same one).
  // Demo accounts use no wallet in the seed: they sign publicly from any browser, and anonymously
  // after setting up anonymous signing on their device (the seed prints how).
  const colleagues = staff.filter((email) => !demoAccounts.has(email) && next() < 0.9);
  const visitsOf = new Map<string, number[]>();
  const SEED_FROM = at("2026-01-01T08:00:00Z");
  const visits = (email: string): number[] => {
    let list = visitsOf.get(email);
    if (!list) {
      list = [];
      // Every few days (on average four), at a working hour.
      for (let t = SEED_FROM + next() * 4 * DAY_MS; t < Date.now(); t += (0.5 + next() * 7) * DAY_MS) {
        list.push(t - (t % DAY_MS) + (8 + Math.floor(next() * 10)) * HOUR_MS + Math.floor(next() * HOUR_MS));
      }
      visitsOf.set(email, list);
    }
    return list;
  };
  const visitAtOrAfter = (email: string, from: number, before: number) =>
    visits(email).find((t) => t >= from && t < before);
  let issued = 0;
  let wallets = 0;
  const withWallet = new Set<string>();
  /** The tokens colleagues' devices hold (the seed's stand-in for each device's wallet). */
  const held = new Map<string, HeldToken>();
  /** Every colleague's run after the petition opened (until `until`) fetches its token. */
  const issueInRuns = async (petition: Petition, until: number) => {
    const fresh = db.select().from(petitions).where(eq(petitions.id, petition.id)).get();
    const openedAt = fresh?.openedAt?.getTime() ?? Date.now();
    const runs = colleagues
      .map((email) => ({ email, at: visitAtOrAfter(email, openedAt, until) }))
      .filter((r): r is { email: string; at: number } => r.at !== undefined)
      .sort((a, b) => a.at - b.at);
    for (const run of runs) {
      const colleague = user(run.email);
      if (!withWallet.has(run.email)) {
        createWallet(colleague.id, await walletCheckOf(walletSecretOf(colleague.id)), run.at);
        withWallet.add(run.email);
        wallets++;
      }
      held.set(`${petition.id}:${run.email}`, await fetchToken(petition, colleague, run.at));
      issued++;
    }
  };
  /**
   * `count` signatures in time order (the ledger and the milestone times follow real order),
   * front-loaded: most people sign in the first days. Signers are colleagues whose devices fetched the
   * petition's token in a run before they sign; an anonymous one signs on a visit, and a public one
   * spends their token publicly, as their device does. Returns how many were made.
   */
  const signMany = async (
    petition: Petition,
    count: number,
    start: number,
    spanMs: number,
    offset: number,
    reasons: readonly string[] = [],
  ) => {
    const end = start + spanMs;
    await issueInRuns(petition, end);
    const plans: Array<{
      signer: User;
      when: number;
      anonymous: boolean;
      reason?: string;
      wantsUpdates: boolean;
      ip: string;
    }> = [];
    const planned = new Set<string>();
    for (let i = 0; i < count; i++) {
      const email = colleagues[(offset + i) % colleagues.length] ?? "";
      const signer = user(email);
      const intended = start + Math.floor(spanMs * next() ** 1.8);
      const anonymous = next() < 0.34;
      const reason =
        reasons.length && next() < 0.06 ? reasons[Math.floor(next() * reasons.length)] : undefined;
      const wantsUpdates = next() < 0.1;
      const ip = `10.${Math.floor(next() * 255)}.${Math.floor(next() * 255)}.${Math.floor(next() * 255)}`;
      if (signer.id === petition.creatorId || planned.has(email)) continue;
      planned.add(email);
      const when = visitAtOrAfter(email, intended, end);
      if (when === undefined) continue;
      plans.push({ signer, when, anonymous, reason, wantsUpdates, ip });
    }
    plans.sort((a, b) => a.when - b.when);
    let signed = 0;
    for (const { signer, when, anonymous, reason, wantsUpdates, ip } of plans) {
      const token = held.get(`${petition.id}:${signer.email}`);
      // Anonymous signers sign through the protocol: their token, redeemed without a session, counted
      // in the petition's batches at fixed boundaries (each signature is a scheduler tick here).
      if (anonymous && token) {
        await redeem(token, { reason, at: when });
      } else {
        await signPetition(
          {
            petitionId: petition.id,
            user: signer,
            reason,
            wantsUpdates,
            ip,
            ...(token
              ? { token: { message: token.message, signature: token.signature } }
              : { noAnonymousSignature: true }),
          },
          when,
        );
      }
      await commitAnonymousBatches(when);
      signed++;
    }
    // The days after: the scheduler's ticks release what is still held (the day's leftovers).
    await commitAnonymousBatches(end + DAY_MS);
    await commitAnonymousBatches(end + 2 * DAY_MS);
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
  const mciSignatures = await signMany(mci, 1_720, at("2026-04-03T09:00:00Z"), 21 * DAY_MS, 20, REASONS);
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

  // Open petitions: every colleague's runs since they opened, up to now.
  for (const petition of db.select().from(petitions).where(eq(petitions.state, "open")).all()) {
    await issueInRuns(petition, Date.now());
  }
  closeExpiredPetitions();
  // The demo's history happened long ago: its emails count as delivered, so none goes out if SMTP is
  // configured later.
  db.update(outbox).set({ status: "sent", sentAt: new Date() }).where(gte(outbox.id, firstOutboxId)).run();
  // What the first start's scheduler forgets (authors of old anonymous comments, old feedback keys),
  // forgotten now: the seeded file holds no more than a running platform would.
  forgetAnonymousAuthors();
  retireOldFeedbackKeys();
  checkpointAfterForgetting();

  return [
    `MCI petition: ${mciSignatures.toLocaleString("en")} signatures (about a third anonymous), closed after 90 days; a discussion of ${discussionSize} comments besides the signers' reasons.`,
    "Other petitions: open, closed, rejected, awaiting moderation, collecting co-sponsors, draft.",
    `Anonymous signatures through blind tokens: ${wallets.toLocaleString("en")} colleagues' devices fetched ${issued.toLocaleString("en")} in background runs on the days they visited, whether or not they signed.`,
    'Demo accounts sign publicly from any browser. To sign anonymously, sign in and choose "Set up anonymous signing" (My account → Anonymous signing on this device); keep the recovery code it shows to unlock a second browser.',
    ...organizingLines,
  ];
}
