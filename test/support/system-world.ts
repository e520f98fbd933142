import { eq } from "drizzle-orm";
import { afterAll, beforeAll } from "vitest";
import { type LocalIdp, startLocalIdp } from "../../app/demo/local-idp";
import { publishAnnouncement, saveAnnouncement } from "../../app/domain/announcements/lifecycle.server";
import { hideComment, setThreadLock } from "../../app/domain/discussion/moderation.server";
import { postComment } from "../../app/domain/discussion/posting.server";
import { reportComment } from "../../app/domain/discussion/reactions.server";
import { LinkConfirmationNeeded } from "../../app/domain/identity/identity-linking.server";
import { grantRole, rolesOf } from "../../app/domain/identity/permissions.server";
import { signInWithProvider } from "../../app/domain/identity/provider-sign-in.server";
import { createScimToken } from "../../app/domain/identity/scim-tokens.server";
import type { User } from "../../app/domain/identity/sessions.server";
import { completeSignIn, requestSignIn } from "../../app/domain/identity/sign-in.server";
import { findPersonByEmail, setPersonActive } from "../../app/domain/people/directory.server";
import { importDirectory } from "../../app/domain/people/directory-import.server";
import { transitionPetition } from "../../app/domain/petitions/lifecycle.server";
import type { Petition } from "../../app/domain/petitions/rights.server";
import { createPolicy, type Policy } from "../../app/domain/policies/registry.server";
import { enqueueMail } from "../../app/platform/mail/outbox.server";
import { CLI_ACTOR } from "../../app/platform/security/audit.server";
import { resetRateLimits } from "../../app/platform/security/rate-limits.server";
import type { EmailTopic } from "../../app/vocabulary/email-topics";
import type { PetitionState } from "../../app/vocabulary/petitions";
import type { Role as PersonRole } from "../../app/vocabulary/roles";
import { getDb } from "../../db/client";
import { identityLinkRequests, outbox } from "../../db/schema";
import { signAs } from "./anonymous";
import { type AppServer, freePort, startAppServer } from "./app-server";
import { publishAnonymousComments } from "./comment-batches";
import { draftPetition, makeCompany } from "./petition-fixtures";
import { samlIdentityProvider } from "./saml-idp";
import { closeDb, type DatabaseWatch, settle, useServerDatabase, watchDatabase } from "./server-database";

/** The roles every suite acts as; "signedOut" has no session. */
export const ROLES = ["signedOut", "staff", "otherOrganizer", "moderator", "leadership", "admin"] as const;
export type Role = (typeof ROLES)[number];

let made = 0;
const unique = () => ++made;

const withRoles = (user: User): User => ({ ...user, roles: rolesOf(user.id) });

/**
 * A small company with someone in every role and one of everything that actions act on, made through
 * the domain functions on the server's database (see useServerDatabase). `make` builds fresh targets,
 * so a test that changes one (an allowed action) leaves the next test's untouched.
 */
export async function buildWorld() {
  resetRateLimits();
  const company = makeCompany(20);
  const [owner, otherOrganizer, staff, author, adminPerson, moderatorOrganizer, policyOwner, ...extras] =
    company.staff;
  if (!owner || !otherOrganizer || !staff || !author || !adminPerson || !moderatorOrganizer || !policyOwner)
    throw new Error("the company is too small");
  grantRole(owner.id, "organizer", CLI_ACTOR);
  grantRole(otherOrganizer.id, "organizer", CLI_ACTOR);
  grantRole(adminPerson.id, "admin", CLI_ACTOR);
  grantRole(moderatorOrganizer.id, "moderator", CLI_ACTOR);
  const people = {
    staff: withRoles(staff),
    otherOrganizer: withRoles(otherOrganizer),
    moderator: withRoles(company.moderator),
    leadership: withRoles(company.leader),
    admin: withRoles(adminPerson),
    /** Creates the petitions below: their "owner". */
    owner: withRoles(owner),
    /** A moderator who co-sponsors every petition below: a moderator with a stake in them. */
    moderatorOrganizer: withRoles(moderatorOrganizer),
    /** Writes the comments below. */
    author: withRoles(author),
    /** Owns the policy below (a plain member of staff). */
    policyOwner: withRoles(policyOwner),
    /** Co-sponsors every petition below (with the moderator-organizer and one more): no organizer. */
    coSponsor: withRoles(extras[0] as User),
  };
  const [sponsorA, sponsorB, ...signers] = extras;
  if (!sponsorA || !sponsorB || signers.length < 4) throw new Error("the company is too small");

  const make = {
    /** A person in the directory with no role, for actions on people. */
    person(): User {
      const email = `person${unique()}@corp.example`;
      importDirectory(`email,name,department,location\n${email},Person ${made},Sales,Berlin\n`, CLI_ACTOR);
      const person = findPersonByEmail(getDb(), email);
      if (!person) throw new Error("import failed");
      return { ...person, roles: [] };
    },

    /** A petition by `creator` (the owner), co-sponsored by the moderator-organizer and two others. */
    petition(state: PetitionState | "hidden", creator: User = people.owner): Petition {
      resetRateLimits();
      const petition = draftPetition(creator, `Petition number ${unique()} about the office`);
      if (state === "draft") return petition;
      transitionPetition(petition.id, { action: "submit" }, creator);
      if (state === "collecting") return petition;
      for (const sponsor of [people.moderatorOrganizer, sponsorA, sponsorB])
        transitionPetition(petition.id, { action: "co-sponsor" }, sponsor);
      if (state === "awaiting_moderation") return petition;
      if (state === "rejected")
        return transitionPetition(petition.id, { action: "reject", reason: "off_topic" }, people.moderator);
      let current = transitionPetition(petition.id, { action: "approve" }, people.moderator);
      if (state === "hidden")
        current = transitionPetition(
          petition.id,
          { action: "hide", reason: "Under review" },
          people.moderator,
        );
      if (state === "closed" || state === "archived")
        current = transitionPetition(petition.id, { action: "close" }, people.moderator);
      if (state === "archived")
        current = transitionPetition(petition.id, { action: "archive" }, people.moderator);
      return current;
    },

    /** A draft (made with make.petition("draft")) taken through its co-sponsors to moderation. */
    toModeration(petition: Petition): void {
      resetRateLimits();
      transitionPetition(petition.id, { action: "submit" }, people.owner);
      for (const sponsor of [people.moderatorOrganizer, sponsorA, sponsorB])
        transitionPetition(petition.id, { action: "co-sponsor" }, sponsor);
    },

    async sign(
      petition: Petition,
      signer: User,
      visibility: "public" | "anonymous" = "public",
    ): Promise<void> {
      resetRateLimits();
      await signAs(visibility, { petitionId: petition.id, user: signer, ip: null });
    },

    /** A comment by the author on an open petition's discussion; an anonymous one published by its batch. */
    async comment(
      petition: Petition = make.petition("open"),
      by: User = people.author,
      anonymous = false,
    ): Promise<number> {
      resetRateLimits();
      const id = await postComment(
        { type: "petition", id: petition.id },
        { body: `Comment ${unique()}`, anonymous },
        by,
      );
      if (anonymous) publishAnonymousComments();
      return id;
    },

    async hiddenComment(): Promise<number> {
      const id = await make.comment();
      hideComment(id, "Not about the petition", people.moderator);
      return id;
    },

    async reportedComment(): Promise<number> {
      const id = await make.comment();
      await reportComment(id, { reason: "spam" }, signers[0] ?? sponsorA);
      return id;
    },

    lockedPetition(): Petition {
      const petition = make.petition("open");
      setThreadLock(
        { type: "petition", id: petition.id },
        { locked: true, reason: "Cooling off" },
        people.moderator,
      );
      return petition;
    },

    announcement(state: "draft" | "published") {
      const title = `Announcement number ${unique()}`;
      const draft = saveAnnouncement(
        null,
        {
          title,
          body: "Leadership has read the petition and answers it here.",
          responses: [],
          commitments: [{ text: "Publish the numbers", status: "planned" }],
        },
        people.leadership,
      );
      return state === "draft" ? draft : publishAnnouncement(draft.id, people.leadership);
    },

    policy(): Policy {
      return createPolicy(
        {
          title: `Policy number ${unique()}`,
          summary: "How the office is run.",
          body: "The office opens at eight and closes at eight.",
          changeSummary: "First version",
          effectiveAt: new Date(Date.now() - 30 * 24 * 3_600_000),
          ownerEmails: people.policyOwner.email,
        },
        people.leadership,
      );
    },

    /** An email that failed for good, as the sender leaves it. */
    failedEmail(): number {
      const id = enqueueMail(getDb(), {
        kind: "petition.open",
        to: "someone@corp.example",
        subject: "Your petition is open",
        text: "It is open.",
        html: "<p>It is open.</p>",
      });
      getDb()
        .update(outbox)
        .set({ status: "failed", attempts: 8, lastError: "550 no such user" })
        .where(eq(outbox.id, id))
        .run();
      return id;
    },

    /**
     * A failed email to a hidden recipient, queued yesterday: retried by its kind and day. (Not a
     * commenter's: the forgetting job deletes those once delivered or failed.)
     */
    failedHiddenEmail(): { kind: "feedback.reply"; day: string } {
      const yesterday = Date.now() - 24 * 3_600_000;
      const id = enqueueMail(
        getDb(),
        {
          kind: "feedback.reply",
          to: "someone@corp.example",
          subject: "A reply to your feedback",
          text: "A reply.",
          html: "<p>A reply.</p>",
        },
        yesterday,
      );
      getDb()
        .update(outbox)
        .set({ status: "failed", attempts: 8, lastError: "550 no such user" })
        .where(eq(outbox.id, id))
        .run();
      return { kind: "feedback.reply", day: new Date(yesterday).toISOString().slice(0, 10) };
    },

    /** A fresh sign-in link's token for `email`, read from the outbox as a person reads their email. */
    async signInToken(email: string = make.person().email): Promise<string> {
      resetRateLimits();
      await requestSignIn({ email, ip: null });
      return make.lastSignInToken(email);
    },

    /** The token of the last sign-in link emailed to `email` (by the server or by us). */
    lastSignInToken(email: string): string {
      const message = getDb()
        .select({ text: outbox.textBody })
        .from(outbox)
        .where(eq(outbox.toAddress, email))
        .all()
        .at(-1);
      const token = /token=([A-Za-z0-9_-]+)/.exec(message?.text ?? "")?.[1];
      if (!token) throw new Error(`no sign-in link for ${email}`);
      return token;
    },

    /** Someone admitted by an allowed email domain, signed in once, who has not chosen a name yet. */
    async newcomer(): Promise<User> {
      const email = `newcomer${unique()}@partner.example`;
      const result = completeSignIn(await make.signInToken(email));
      if (!result.ok) throw new Error("the newcomer could not sign in (ALLOWED_EMAIL_DOMAINS?)");
      const person = findPersonByEmail(getDb(), email);
      if (!person) throw new Error("no newcomer");
      return { ...person, roles: [] };
    },

    /**
     * New people in the five roles, replacing those above: the server's rate limits count per person
     * (five comments a minute), so a second pass over every action acts as other people.
     */
    freshRoleAccounts(): void {
      const withNew = (...roles: PersonRole[]): User => {
        const person = make.person();
        for (const role of roles) grantRole(person.id, role, CLI_ACTOR);
        return withRoles(person);
      };
      people.staff = withNew();
      people.otherOrganizer = withNew("organizer");
      make.petition("open", people.otherOrganizer);
      people.moderator = withNew("moderator");
      people.leadership = withNew("leadership");
      people.admin = withNew("admin");
    },

    grantOrganizer(person: User): void {
      grantRole(person.id, "organizer", CLI_ACTOR);
    },

    /**
     * A role holder whom a new account at the company's SAML provider asked to be connected to: held
     * by the linking rule, its request waiting. Its id, its person and the emailed link's token.
     */
    linkRequest(): { person: User; requestId: number; token: string } {
      const person = make.person();
      make.grantOrganizer(person);
      const identity = {
        protocol: "saml" as const,
        issuer: systemSaml.entityId,
        subject: `new-account-${unique()}`,
        email: person.email,
        emailVerified: true,
        groups: [],
      };
      try {
        signInWithProvider(identity);
        throw new Error("the sign-in was not held");
      } catch (error) {
        if (!(error instanceof LinkConfirmationNeeded)) throw error;
      }
      const request = getDb()
        .select({ id: identityLinkRequests.id })
        .from(identityLinkRequests)
        .where(eq(identityLinkRequests.subject, identity.subject))
        .get();
      if (!request) throw new Error("no link request");
      return { person, requestId: request.id, token: make.lastSignInToken(person.email) };
    },

    deactivatedPerson(): User {
      const person = make.person();
      setPersonActive(person.id, false, CLI_ACTOR);
      return person;
    },

    topic: "comment-replies" as EmailTopic,
  };

  // One of each, for the fuzzer's real ids.
  const petitions = {
    draft: make.petition("draft"),
    collecting: make.petition("collecting"),
    awaiting: make.petition("awaiting_moderation"),
    open: make.petition("open"),
    closed: make.petition("closed"),
    rejected: make.petition("rejected"),
    archived: make.petition("archived"),
    hidden: make.petition("hidden"),
    others: make.petition("open", people.otherOrganizer),
  };
  for (const [i, signer] of signers.entries())
    await make.sign(petitions.open, signer, i % 3 ? "public" : "anonymous");
  await make.sign(petitions.open, people.staff);
  const comments = {
    plain: await make.comment(petitions.open),
    anonymous: await make.comment(petitions.open, people.author, true),
    byStaff: await make.comment(petitions.open, people.staff),
    hidden: await make.hiddenComment(),
    reported: await make.reportedComment(),
  };
  const announcements = { draft: make.announcement("draft"), published: make.announcement("published") };

  return {
    people,
    make,
    petitions,
    comments,
    announcements,
    policy: make.policy(),
    failedEmail: make.failedEmail(),
    /** People without a role, for actions on people (never the role accounts, whose sessions tests use). */
    pool: [make.person(), make.person(), make.person()],
  };
}
export type World = Awaited<ReturnType<typeof buildWorld>>;

/** The person acting as `role` (null when signed out). */
export function personFor(world: World, role: Role): User | null {
  return role === "signedOut" ? null : world.people[role];
}

/** The domain for people admitted without being in the directory (the welcome page's newcomers). */
const ALLOWED_DOMAIN = { ALLOWED_EMAIL_DOMAINS: "partner.example" };

/** The company's identity providers the system app signs in with: a SAML one (samlify), and an OIDC one. */
export const systemSaml = samlIdentityProvider();
const OIDC_CLIENT = { id: "undersigned-system", secret: "system-suite-secret" };

/** The SCIM bearer token of the system world's provisioning client (made in buildWorld). */
let scimToken = "";
export const systemScimToken = () => scimToken;

/**
 * For a system test file: the built server on a fresh database holding the world above, this
 * process attached to the same file, and a watch on it. Started before the file's tests.
 */
export function systemApp() {
  const state: { app?: AppServer; world?: World; watch?: DatabaseWatch; idp?: LocalIdp } = {};
  beforeAll(async () => {
    const port = await freePort();
    const appUrl = `http://127.0.0.1:${port}`;
    state.idp = await startLocalIdp({
      clientId: OIDC_CLIENT.id,
      clientSecret: OIDC_CLIENT.secret,
      redirectUris: [`${appUrl}/auth/oidc/callback`],
      postLogoutRedirectUris: [`${appUrl}/`],
      accounts: [],
    });
    const env = {
      ...ALLOWED_DOMAIN,
      COMPANY_NAME: "Corp",
      OIDC_ISSUER: state.idp.issuer,
      OIDC_CLIENT_ID: OIDC_CLIENT.id,
      OIDC_CLIENT_SECRET: OIDC_CLIENT.secret,
      SAML_ENTRY_POINT: "https://idp.corp.example/sso",
      SAML_IDP_CERT: systemSaml.certificate,
      SAML_IDP_ISSUER: systemSaml.entityId,
    };
    state.app = await startAppServer(env, { port });
    useServerDatabase(state.app, env);
    state.world = await buildWorld();
    scimToken = createScimToken("system suites", CLI_ACTOR).token;
    // samlify's schema validator loads its WebAssembly on first use (seconds): once, here, not
    // between two requests of a suite (an idle keep-alive connection may close meanwhile).
    await systemSaml.warmUp();
    await settle();
    state.watch = watchDatabase(state.app.databasePath);
  });
  afterAll(async () => {
    state.watch?.close();
    closeDb();
    await state.app?.stop();
    await state.idp?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (!value) throw new Error("the system app is not started (use it inside tests)");
    return value;
  };
  return {
    get app() {
      return started(state.app);
    },
    get world() {
      return started(state.world);
    },
    get watch() {
      return started(state.watch);
    },
  };
}
