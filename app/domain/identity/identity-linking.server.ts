import { and, eq, gt, lte } from "drizzle-orm";
import { type Executor, getDb } from "../../../db/client";
import { externalIdentities, identityLinkRequests, people, personRoles } from "../../../db/schema";
import { companyWords, getConfig } from "../../config.server";
import { renderEmail } from "../../platform/mail/email-layout.server";
import { enqueueMail } from "../../platform/mail/outbox.server";
import { wordsForRecipient } from "../../platform/mail/recipient-words.server";
import { Refusal } from "../../platform/refusal";
import { say } from "../../platform/said";
import {
  type Actor,
  actorOf,
  IDENTITY_PROVIDER_ACTOR,
  recordAudit,
  SYSTEM_ACTOR,
} from "../../platform/security/audit.server";
import { hashToken, newToken } from "../../platform/security/tokens.server";
import { absoluteUrl } from "../../platform/site/addresses.server";
import { HOUR_MS, startOfDay } from "../../platform/time";
import type { ProviderProtocol } from "../../vocabulary/identity";
import { findPersonByEmail, type Person } from "../people/directory.server";

/**
 * Linking an identity at the company's identity provider (issuer + subject: OIDC's `sub`, SAML's
 * NameID) to a person here, when the provider vouches only for an email address. A colleague with
 * no role is linked at once by a verified address, as before. Someone with more at stake is not: a
 * second account at the provider carrying an admin's address (a mistake there, or an address the
 * provider let its owner type) would otherwise become that admin here. So a new link is held when:
 *
 * - the person holds a role (any in person_roles), or the address is in ADMIN_EMAILS (a first
 *   sign-in would make them admin) — except the bootstrap: an ADMIN_EMAILS address whose person
 *   holds no role yet, while nobody is an admin at all (by provider or by link), is linked at once, so the
 *   first admin can come in through the provider;
 * - or the person is already linked to another subject of the same provider (replacing that link).
 *
 * A held link becomes a request: a one-hour link emailed to the address (through the outbox), whose
 * page's button links it ("confirm") or throws it away ("this wasn't me"); an admin may also approve
 * or refuse it on the person's admin page. Either proves what the rule asks: the owner of the
 * mailbox, or an admin, wants this account linked. Links made through the rule are audited (who,
 * the previous subject → the new one); a plain colleague's first link is not, as an exact time of a
 * first sign-in would date them beside anonymous acts (ADR 0032).
 */

export const LINK_REQUEST_TTL_MS = HOUR_MS;

/** The provider's account that asks to be linked. */
export type ProviderAccount = {
  protocol: ProviderProtocol;
  issuer: string;
  subject: string;
  /** The provider's name for the account (shown to whoever confirms). */
  name?: string | null;
};

/** A link request that is gone, or a link that can no longer be made: 4xx, nothing changed. */
export class LinkRequestRefused extends Refusal {}

/**
 * A sign-in whose link is held for confirmation (403): the request was recorded and its email
 * queued, which is why it is thrown after the sign-in's transaction has committed.
 */
export class LinkConfirmationNeeded extends Refusal {
  static for(email: string, replacing: boolean): LinkConfirmationNeeded {
    return new LinkConfirmationNeeded(
      say(replacing ? "identity.refusal.link.confirmReplacing" : "identity.refusal.link.confirmNew", {
        email,
        ...companyWords(),
      }),
      403,
    );
  }
}

export type LinkDecision = { hold: false; bootstrap: boolean } | { hold: true; replaces: string | null };

function linkAtProvider(exec: Executor, personId: number, account: ProviderAccount) {
  return exec
    .select()
    .from(externalIdentities)
    .where(
      and(
        eq(externalIdentities.personId, personId),
        eq(externalIdentities.protocol, account.protocol),
        eq(externalIdentities.issuer, account.issuer),
      ),
    )
    .get();
}

function holdsRole(exec: Executor, personId: number): boolean {
  return !!exec
    .select({ role: personRoles.role })
    .from(personRoles)
    .where(eq(personRoles.personId, personId))
    .limit(1)
    .get();
}

/** Whether anyone is an admin yet, linked to a provider or not (one who signs in by link counts). */
function anyAdmin(exec: Executor): boolean {
  return !!exec
    .select({ personId: personRoles.personId })
    .from(personRoles)
    .where(eq(personRoles.role, "admin"))
    .limit(1)
    .get();
}

/**
 * The rule (see above) for an account the app has not seen, whose verified address is `email`,
 * held by `person` (undefined: nobody yet).
 */
export function decideLink(
  exec: Executor,
  person: Person | undefined,
  email: string,
  account: ProviderAccount,
): LinkDecision {
  const previous = person ? linkAtProvider(exec, person.id, account) : undefined;
  if (previous) return { hold: true, replaces: previous.subject };
  const roleHolder = person ? holdsRole(exec, person.id) : false;
  const adminEmail = getConfig().adminEmails.includes(email);
  if (!roleHolder && !adminEmail) return { hold: false, bootstrap: false };
  if (adminEmail && !roleHolder && !anyAdmin(exec)) return { hold: false, bootstrap: true };
  return { hold: true, replaces: null };
}

/**
 * Links the account to the person (replacing their link to another subject of the same provider),
 * and forgets the person's other requests for that provider. `audit` says who allowed it and how;
 * null for a colleague's plain first link (not audited, see above).
 */
export function linkIdentity(
  exec: Executor,
  person: { id: number; email: string },
  account: ProviderAccount,
  audit: { actor: Actor; by: string } | null,
): void {
  const previous = linkAtProvider(exec, person.id, account);
  if (previous) exec.delete(externalIdentities).where(eq(externalIdentities.id, previous.id)).run();
  exec
    .insert(externalIdentities)
    .values({
      personId: person.id,
      protocol: account.protocol,
      issuer: account.issuer,
      subject: account.subject,
    })
    .run();
  exec
    .delete(identityLinkRequests)
    .where(and(eq(identityLinkRequests.email, person.email), eq(identityLinkRequests.issuer, account.issuer)))
    .run();
  if (!audit) return;
  recordAudit(
    exec,
    audit.actor,
    "identity.link",
    { type: "person", id: person.id },
    {
      email: person.email,
      protocol: account.protocol,
      issuer: account.issuer,
      from: previous?.subject ?? null,
      to: account.subject,
      by: audit.by,
    },
  );
}

/** Links made at once for the bootstrap admin are audited as the system's. */
export const BOOTSTRAP_LINK = { actor: SYSTEM_ACTOR, by: "ADMIN_EMAILS, no admin yet" } as const;

/**
 * A held link (inside the sign-in's transaction): records the request and emails its link to the
 * address. An unexpired request for the same account stands: nothing more is sent, so repeating the
 * sign-in does not fill the mailbox.
 */
export function requestLink(
  exec: Executor,
  request: { email: string; person: Person | undefined; account: ProviderAccount; replaces: string | null },
  now: number,
): void {
  const { email, person, account } = request;
  const same = and(
    eq(identityLinkRequests.email, email),
    eq(identityLinkRequests.issuer, account.issuer),
    eq(identityLinkRequests.subject, account.subject),
  );
  exec
    .delete(identityLinkRequests)
    .where(and(same, lte(identityLinkRequests.expiresAt, new Date(now))))
    .run();
  if (exec.select({ id: identityLinkRequests.id }).from(identityLinkRequests).where(same).get()) return;
  const token = newToken();
  exec
    .insert(identityLinkRequests)
    .values({
      tokenHash: hashToken(token),
      email,
      protocol: account.protocol,
      issuer: account.issuer,
      subject: account.subject,
      accountName: account.name ?? null,
      expiresAt: new Date(now + LINK_REQUEST_TTL_MS),
    })
    .run();
  const company = companyWords();
  const url = absoluteUrl(`/sign-in/link?${new URLSearchParams({ token })}`);
  // The provider's name for the account stays out of the email (whoever made the account chose it);
  // the page the link opens shows it.
  // In the language of the person the address belongs to, else the company's.
  const { t } = wordsForRecipient(person ?? null);
  const message = renderEmail({
    paragraphs: [
      person?.name
        ? t("server.email.signIn.helloName", { name: person.name })
        : t("server.email.signIn.hello"),
      t(request.replaces ? "server.email.link.replaces" : "server.email.link.new", { ...company, email }),
      t("server.email.link.ifYou"),
      t("server.email.link.expires"),
    ],
    action: { label: t("server.email.link.action"), url },
    t,
  });
  enqueueMail(
    exec,
    {
      kind: "identity.link",
      to: email,
      subject: t("server.email.link.subject", company),
      sensitive: true,
      ...message,
    },
    now,
  );
  recordAudit(
    exec,
    IDENTITY_PROVIDER_ACTOR,
    "identity.link-request",
    person ? { type: "person", id: person.id } : undefined,
    {
      email,
      protocol: account.protocol,
      issuer: account.issuer,
      from: request.replaces,
      to: account.subject,
    },
  );
}

type LinkRequest = typeof identityLinkRequests.$inferSelect;

const live = (now: number) => gt(identityLinkRequests.expiresAt, new Date(now));

function requestByToken(exec: Executor, token: string, now: number): LinkRequest | undefined {
  return exec
    .select()
    .from(identityLinkRequests)
    .where(and(eq(identityLinkRequests.tokenHash, hashToken(token)), live(now)))
    .get();
}

export type LinkRequestView = {
  email: string;
  accountName: string | null;
  subject: string;
  company: ReturnType<typeof companyWords>;
  /** Whether it would replace the person's link to another account of that provider. */
  replacing: boolean;
};

/** For the emailed link's page: reads, never uses (mail scanners open links with GET). */
export function peekLinkRequest(token: string, now = Date.now()): LinkRequestView | null {
  const request = requestByToken(getDb(), token, now);
  if (!request) return null;
  const person = findPersonByEmail(getDb(), request.email);
  return {
    email: request.email,
    accountName: request.accountName,
    subject: request.subject,
    company: companyWords(),
    replacing: !!person && !!linkAtProvider(getDb(), person.id, request),
  };
}

const GONE = say("identity.link.expired");

/** Makes the link a request asked for (its person, found by address now, made when there is none). */
function completeRequest(
  tx: Executor,
  request: LinkRequest,
  allowedBy: (person: Person) => Actor,
  by: string,
  now: number,
): Person {
  const company = companyWords();
  const taken = tx
    .select({ personId: externalIdentities.personId })
    .from(externalIdentities)
    .where(
      and(eq(externalIdentities.issuer, request.issuer), eq(externalIdentities.subject, request.subject)),
    )
    .get();
  if (taken) throw new LinkRequestRefused(say("identity.refusal.link.taken", company), 409);
  let person = findPersonByEmail(tx, request.email);
  if (person && !person.active) {
    throw new LinkRequestRefused(say("identity.refusal.deactivated"), 403);
  }
  // An ADMIN_EMAILS address nobody holds yet: the person the provider's sign-in would have made.
  person ??= tx
    .insert(people)
    .values({
      email: request.email,
      inDirectory: true,
      createdAt: new Date(startOfDay(now)),
      updatedAt: new Date(startOfDay(now)),
    })
    .returning()
    .get();
  tx.delete(identityLinkRequests).where(eq(identityLinkRequests.id, request.id)).run();
  linkIdentity(tx, person, request, { actor: allowedBy(person), by });
  return person;
}

/**
 * The emailed link's "confirm": its holder owns the mailbox, which is what linking by email asks. The
 * account is linked; nobody is signed in here (the provider's sign-in does that next).
 */
export function confirmLinkRequest(
  token: string,
  now = Date.now(),
): { email: string; company: ReturnType<typeof companyWords> } {
  return getDb().transaction(
    (tx) => {
      const request = requestByToken(tx, token, now);
      if (!request) throw new LinkRequestRefused(GONE, 400);
      const person = completeRequest(tx, request, actorOf, "emailed confirmation", now);
      return { email: person.email, company: companyWords() };
    },
    { behavior: "immediate" },
  );
}

/** The emailed link's "this wasn't me": the request is thrown away (audited). */
export function refuseLinkRequestByToken(token: string, now = Date.now()): void {
  getDb().transaction(
    (tx) => {
      const request = tx
        .delete(identityLinkRequests)
        .where(and(eq(identityLinkRequests.tokenHash, hashToken(token)), live(now)))
        .returning()
        .get();
      if (!request) throw new LinkRequestRefused(GONE, 400);
      const person = findPersonByEmail(tx, request.email);
      recordRefusal(tx, person ? actorOf(person) : SYSTEM_ACTOR, request, person, "emailed link");
    },
    { behavior: "immediate" },
  );
}

function recordRefusal(
  tx: Executor,
  actor: Actor,
  request: LinkRequest,
  person: Person | undefined,
  by: string,
): void {
  recordAudit(tx, actor, "identity.link-refuse", person ? { type: "person", id: person.id } : undefined, {
    email: request.email,
    protocol: request.protocol,
    issuer: request.issuer,
    to: request.subject,
    by,
  });
}

/** The unexpired requests to link an account to this person's address (the admin person page). */
export function pendingLinkRequests(email: string, now = Date.now()) {
  return getDb()
    .select({
      id: identityLinkRequests.id,
      protocol: identityLinkRequests.protocol,
      issuer: identityLinkRequests.issuer,
      subject: identityLinkRequests.subject,
      accountName: identityLinkRequests.accountName,
      expiresAt: identityLinkRequests.expiresAt,
    })
    .from(identityLinkRequests)
    .where(and(eq(identityLinkRequests.email, email), live(now)))
    .orderBy(identityLinkRequests.id)
    .all();
}

/** A request to this person's address, still open: or a refusal saying it is gone. */
function openRequest(tx: Executor, requestId: number, personId: number, now: number) {
  const person = tx.select().from(people).where(eq(people.id, personId)).get();
  const request = tx
    .select()
    .from(identityLinkRequests)
    .where(and(eq(identityLinkRequests.id, requestId), live(now)))
    .get();
  if (!person || !request || request.email !== person.email)
    throw new LinkRequestRefused(say("identity.refusal.link.answered"), 404);
  return { person, request };
}

/** An admin approves a request on the person's page: the account is linked, the admin audited as who allowed it. */
export function approveLinkRequest(
  requestId: number,
  personId: number,
  admin: Actor,
  now = Date.now(),
): void {
  getDb().transaction(
    (tx) => {
      const { request } = openRequest(tx, requestId, personId, now);
      completeRequest(tx, request, () => admin, "admin approval", now);
    },
    { behavior: "immediate" },
  );
}

/** An admin refuses a request on the person's page: it is thrown away, its emailed link with it. */
export function refuseLinkRequest(requestId: number, personId: number, admin: Actor, now = Date.now()): void {
  getDb().transaction(
    (tx) => {
      const { person, request } = openRequest(tx, requestId, personId, now);
      tx.delete(identityLinkRequests).where(eq(identityLinkRequests.id, request.id)).run();
      recordRefusal(tx, admin, request, person, "admin");
    },
    { behavior: "immediate" },
  );
}

/** The minute scheduler's part: an expired request (an address and when it tried) is gone within a minute. */
export function deleteExpiredLinkRequests(now = Date.now()): number {
  return getDb()
    .delete(identityLinkRequests)
    .where(lte(identityLinkRequests.expiresAt, new Date(now)))
    .run().changes;
}
