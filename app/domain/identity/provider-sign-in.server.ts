import { and, eq, ne } from "drizzle-orm";
import { type Executor, getDb } from "../../../db/client";
import { externalIdentities, people } from "../../../db/schema";
import { companyWords } from "../../config.server";
import { normalizeEmail } from "../../platform/mail/email-address";
import { Refusal } from "../../platform/refusal";
import { say } from "../../platform/said";
import { IDENTITY_PROVIDER_ACTOR } from "../../platform/security/audit.server";
import { startOfDay } from "../../platform/time";
import type { ProviderProtocol } from "../../vocabulary/identity";
import { findPersonByEmail, type Person } from "../people/directory.server";
import { followEmailChange } from "../people/email-change.server";
import {
  BOOTSTRAP_LINK,
  decideLink,
  LinkConfirmationNeeded,
  linkIdentity,
  requestLink,
} from "./identity-linking.server";
import { syncProviderRoles } from "./permissions.server";
import { createSession } from "./sessions.server";
import { recordFirstSignIn } from "./sign-in.server";

/**
 * Sign-in through the company's identity provider (OIDC or SAML), once the protocol module has
 * verified the response: who the provider says this is, as claims (OIDC) or attributes (SAML).
 */
export type ProviderIdentity = {
  protocol: ProviderProtocol;
  /** The OpenID Provider's issuer, or the SAML IdP's entity id. */
  issuer: string;
  /** `sub`, or the SAML NameID: who the person is at the provider, for good. */
  subject: string;
  email: string | null;
  /** Only a verified address may link the provider's identity to a person already in the directory. */
  emailVerified: boolean;
  /** Each claim left undefined was not sent and changes nothing; a value replaces the directory's. */
  name?: string | null;
  department?: string | null;
  location?: string | null;
  /** The groups (or role claim values) the provider sent, for IDP_ROLE_GROUPS. */
  groups: string[];
};

/** A verified response that still may not sign in (deactivated, no verified email…): 403, nothing changed. */
export class ProviderSignInRefused extends Refusal {}

export type ProviderSignInResult = {
  sessionToken: string;
  personId: number;
  needsName: boolean;
};

/** A claim's value as the text a column holds (trimmed, bounded), null for empty, undefined when absent. */
export function claimText(value: unknown, max = 200): string | null | undefined {
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  if (first === null || first === undefined) return null;
  if (typeof first !== "string" && typeof first !== "number") return undefined;
  const text = String(first).trim().slice(0, max);
  return text || null;
}

/** A groups claim as a list of strings (one value or many). */
export function claimList(value: unknown): string[] {
  const values = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return values.filter((v): v is string => typeof v === "string").slice(0, 500);
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function linkedPerson(exec: Executor, identity: ProviderIdentity): Person | undefined {
  return exec
    .select({ person: people })
    .from(externalIdentities)
    .innerJoin(people, eq(people.id, externalIdentities.personId))
    .where(
      and(eq(externalIdentities.issuer, identity.issuer), eq(externalIdentities.subject, identity.subject)),
    )
    .get()?.person;
}

const deactivated = () => new ProviderSignInRefused(say("identity.refusal.deactivated"), 403);

/**
 * Finds the person by (issuer, subject). On the first sign-in of an account it links the person the
 * directory holds under the verified email, or creates them — by the linking rule
 * (identity-linking.server.ts): a role holder's address (or ADMIN_EMAILS', past the bootstrap), or a
 * person linked to another subject of this provider, is not linked here but held for confirmation
 * (a request and its email are recorded, and LinkConfirmationNeeded thrown once they are committed).
 * Then updates name, email, department and location from the claims, lets the provider give and
 * take the roles it manages, and opens a session — one transaction, so a refusal leaves no person,
 * link or session behind. Writes no exact time of its own beyond the session's (and the first
 * sign-in's, as the emailed link does): a person it creates or updates is dated by day.
 */
export function signInWithProvider(
  identity: ProviderIdentity,
  now = Date.now(),
  /** The protocol's own bookkeeping (a SAML assertion id remembered), first in the same transaction. */
  consume?: (tx: Executor) => void,
): ProviderSignInResult {
  const company = companyWords();
  const email = identity.email && EMAIL.test(identity.email) ? normalizeEmail(identity.email) : null;
  const outcome = getDb().transaction(
    (tx): ProviderSignInResult | { held: { email: string; replacing: boolean } } => {
      consume?.(tx);
      let person = linkedPerson(tx, identity);
      if (!person) {
        if (!email || !identity.emailVerified) {
          throw new ProviderSignInRefused(say("identity.refusal.noVerifiedEmail", company), 403);
        }
        person = findPersonByEmail(tx, email);
        if (person && !person.active) throw deactivated();
        const decision = decideLink(tx, person, email, identity);
        if (decision.hold) {
          requestLink(tx, { email, person, account: identity, replaces: decision.replaces }, now);
          return { held: { email, replacing: decision.replaces !== null } };
        }
        person ??= tx
          .insert(people)
          .values({
            email,
            inDirectory: true,
            createdAt: new Date(startOfDay(now)),
            updatedAt: new Date(startOfDay(now)),
          })
          .returning()
          .get();
        linkIdentity(tx, person, identity, decision.bootstrap ? BOOTSTRAP_LINK : null);
      }
      if (!person.active) throw deactivated();
      person = updateFromClaims(tx, person, identity, email, now);
      recordFirstSignIn(tx, person, now);
      syncProviderRoles(tx, person, identity.groups);
      const sessionToken = createSession(tx, person.id, now, identity.protocol);
      return { sessionToken, personId: person.id, needsName: !person.name };
    },
    { behavior: "immediate" },
  );
  if ("held" in outcome) throw LinkConfirmationNeeded.for(outcome.held.email, outcome.held.replacing);
  return outcome;
}

function updateFromClaims(
  tx: Executor,
  person: Person,
  identity: ProviderIdentity,
  email: string | null,
  now: number,
): Person {
  const changes: Partial<Person> = {};
  if (identity.name !== undefined && identity.name !== null && identity.name !== person.name)
    changes.name = identity.name;
  if (identity.department !== undefined && identity.department !== person.department)
    changes.department = identity.department;
  if (identity.location !== undefined && identity.location !== person.location)
    changes.location = identity.location;
  // A changed verified address follows the provider, unless another person holds it already.
  if (email && identity.emailVerified && email !== person.email) {
    const taken = tx
      .select({ id: people.id })
      .from(people)
      .where(and(eq(people.email, email), ne(people.id, person.id)))
      .get();
    if (!taken) changes.email = email;
  }
  if (!person.inDirectory) changes.inDirectory = true;
  if (!Object.keys(changes).length) return person;
  // Dated by day: an exact time here would say when this person signed in.
  const updated = tx
    .update(people)
    .set({ ...changes, updatedAt: new Date(startOfDay(now)) })
    .where(eq(people.id, person.id))
    .returning()
    .get();
  // Before this sign-in's own session is made: every other one ends, and the old address is told.
  if (updated.email !== person.email)
    followEmailChange(
      tx,
      updated,
      { from: person.email, to: updated.email },
      IDENTITY_PROVIDER_ACTOR,
      "signIn",
      { protocol: identity.protocol },
      now,
    );
  return updated;
}
