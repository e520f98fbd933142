import { type CacheItem, type CacheProvider, SAML, ValidateInResponseTo } from "@node-saml/node-saml";
import { and, eq, gt, lte } from "drizzle-orm";
import { type Executor, getDb } from "../../../db/client";
import { samlAssertions, samlRequests } from "../../../db/schema";
import { getConfig, type SamlConfig } from "../../config.server";
import { absoluteUrl } from "../../platform/addresses.server";
import { enforceRateLimits } from "../../platform/rate-limits.server";
import { Refusal } from "../../platform/refusal";
import { HOUR_MS } from "../../platform/time";
import { hashToken } from "../../platform/tokens.server";
import {
  claimList,
  claimText,
  type ProviderSignInResult,
  signInWithProvider,
} from "./provider-sign-in.server";

/**
 * A SAML 2.0 service provider (@node-saml/node-saml): SP metadata, AuthnRequests by the redirect
 * binding, responses at the assertion consumer by the POST binding. Assertions must be signed by the
 * configured certificate, for our audience and assertion consumer (Recipient), unexpired, in answer
 * to a request this server sent (InResponseTo), and each is accepted once: its id is kept (hashed)
 * until it expires.
 */

export const SAML_REQUEST_TTL_MS = 10 * 60_000;
/** An assertion older than this is refused whatever its NotOnOrAfter says; also how long ids are kept at most. */
const MAX_ASSERTION_AGE_MS = HOUR_MS;

export class SamlSignInRefused extends Refusal {}

export const samlAcsUrl = () => absoluteUrl("/auth/saml/acs");

function requireSaml(): SamlConfig {
  const config = getConfig().saml;
  if (!config)
    throw new SamlSignInRefused("Sign-in with a SAML identity provider is not configured here.", 404);
  return config;
}

/**
 * node-saml's record of the requests it sent, in SQLite (several processes may answer). Removals are
 * only noted: they happen in the sign-in's transaction, so a refused response removes nothing.
 */
class RequestStore implements CacheProvider {
  readonly answered: string[] = [];
  readonly saved: string[] = [];
  constructor(private readonly now: number) {}
  async saveAsync(key: string, value: string): Promise<CacheItem | null> {
    this.saved.push(key);
    getDb()
      .insert(samlRequests)
      .values({ id: key, expiresAt: new Date(this.now + SAML_REQUEST_TTL_MS) })
      .onConflictDoNothing()
      .run();
    return { value, createdAt: this.now };
  }
  async getAsync(key: string): Promise<string | null> {
    const row = getDb()
      .select()
      .from(samlRequests)
      .where(and(eq(samlRequests.id, key), gt(samlRequests.expiresAt, new Date(this.now))))
      .get();
    return row ? new Date(row.expiresAt.getTime() - SAML_REQUEST_TTL_MS).toISOString() : null;
  }
  async removeAsync(key: string | null): Promise<string | null> {
    if (key) this.answered.push(key);
    return key;
  }
}

function serviceProvider(config: SamlConfig, store: CacheProvider): SAML {
  return new SAML({
    callbackUrl: samlAcsUrl(),
    entryPoint: config.entryPoint,
    issuer: config.spEntityId,
    audience: config.spEntityId,
    idpCert: config.idpCert,
    idpIssuer: config.idpIssuer ?? undefined,
    wantAssertionsSigned: true,
    // Okta signs both; Entra ID and ADFS sign the assertion by default: the assertion is what counts.
    wantAuthnResponseSigned: false,
    validateInResponseTo: ValidateInResponseTo.always,
    requestIdExpirationPeriodMs: SAML_REQUEST_TTL_MS,
    maxAssertionAgeMs: MAX_ASSERTION_AGE_MS,
    acceptedClockSkewMs: 60_000,
    cacheProvider: store,
    identifierFormat: null,
    disableRequestedAuthnContext: true,
    signatureAlgorithm: "sha256",
    digestAlgorithm: "sha256",
  });
}

/** The SP metadata the identity provider's administrator loads (entity id, ACS, signed assertions wanted). */
export function serviceProviderMetadata(): string {
  const config = requireSaml();
  return serviceProvider(config, new RequestStore(Date.now())).generateServiceProviderMetadata(null, null);
}

/**
 * Starting a SAML sign-in writes a row (the request's id) for anyone who asks, so it is limited per
 * connecting address: generously, as a whole office may sign in at nine from one address.
 */
export const SAML_START_LIMIT_PER_IP = { limit: 300, windowMs: 15 * 60_000 };

/**
 * Step 1: an AuthnRequest (its id kept until answered or expired); RelayState carries where to go
 * after. The request's id is returned too, for the web layer to bind the answer to this browser.
 */
export async function beginSamlSignIn(
  redirectTo: string,
  ip: string | null = null,
  now = Date.now(),
): Promise<{ url: string; requestId: string }> {
  const config = requireSaml();
  if (ip) {
    await enforceRateLimits(
      [[`saml-start:ip:${ip}`, SAML_START_LIMIT_PER_IP]],
      (wait) => `Too many sign-in attempts from this network. Please wait ${wait} and try again.`,
      now,
    );
  }
  const store = new RequestStore(now);
  const url = await serviceProvider(config, store).getAuthorizeUrlAsync(redirectTo, undefined, {});
  const requestId = store.saved[0];
  if (!requestId) throw new Error("node-saml kept no request id");
  return { url, requestId };
}

/** Step 1, when the caller needs only the provider's address. */
export async function startSamlSignIn(redirectTo: string, ip: string | null = null, now = Date.now()) {
  return (await beginSamlSignIn(redirectTo, ip, now)).url;
}

type XmlNode = { $?: Record<string, string>; _?: string } & { [child: string]: XmlNode[] | unknown };

function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  const children = node?.[name];
  return Array.isArray(children) ? (children[0] as XmlNode | undefined) : undefined;
}

function refuse(message: string): never {
  throw new SamlSignInRefused(message, 400);
}

/**
 * Step 2, at the assertion consumer: the POSTed SAMLResponse is verified; the person is signed in
 * through signInWithProvider, in whose transaction the assertion id is remembered (a second use is
 * refused) and the answered request forgotten.
 */
export async function completeSamlSignIn(
  samlResponse: string,
  now = Date.now(),
  /**
   * The request id this browser's cookie names, where the web layer can bind answers to browsers
   * (https): the answer must be to that request (null: the browser started none). Undefined: not bound.
   */
  browserRequestId?: string | null,
): Promise<ProviderSignInResult> {
  const config = requireSaml();
  const store = new RequestStore(now);
  let profile: Awaited<ReturnType<SAML["validatePostResponseAsync"]>>["profile"];
  try {
    ({ profile } = await serviceProvider(config, store).validatePostResponseAsync({
      SAMLResponse: samlResponse,
    }));
  } catch (error) {
    console.error(`[saml] response refused: ${error instanceof Error ? error.message.slice(0, 120) : "?"}`);
    refuse(
      "The identity provider's answer could not be verified (it may be forged, expired, already used, or meant for another service). Please sign in again.",
    );
  }
  if (!profile?.nameID) refuse("The identity provider's answer names nobody.");

  // The signed assertion as node-saml parsed it (the root element's children are arrays).
  const assertion = (profile.getAssertion?.() as { Assertion?: XmlNode } | undefined)?.Assertion;
  const assertionId = assertion?.$?.ID;
  const confirmation = child(
    child(child(assertion, "Subject"), "SubjectConfirmation"),
    "SubjectConfirmationData",
  );
  const conditions = child(assertion, "Conditions");
  if (!assertionId) refuse("The identity provider's assertion has no id.");
  // node-saml has checked that it answers a request of ours; bound, it must be this browser's.
  if (
    browserRequestId !== undefined &&
    (!browserRequestId || confirmation?.$?.InResponseTo !== browserRequestId)
  )
    refuse(
      "This answer is for a sign-in started in another browser, or longer than ten minutes ago. Please sign in again.",
    );
  if (confirmation?.$?.Recipient !== samlAcsUrl())
    refuse("The identity provider's assertion is meant for another address.");
  const expiries = [confirmation?.$?.NotOnOrAfter, conditions?.$?.NotOnOrAfter]
    .map((value) => (value ? Date.parse(value) : Number.NaN))
    .filter((value) => !Number.isNaN(value));
  if (!expiries.length) refuse("The identity provider's assertion has no expiry.");
  const expiresAt = Math.min(Math.max(...expiries), now + MAX_ASSERTION_AGE_MS) + 60_000;

  const names = getConfig().claims;
  const attributes = (profile.attributes ?? {}) as Record<string, unknown>;
  const emailFormat = profile.nameIDFormat?.endsWith(":emailAddress");
  const email = claimText(attributes[names.email]) ?? (emailFormat ? profile.nameID : null);
  const issuer = profile.issuer;
  return signInWithProvider(
    {
      protocol: "saml",
      issuer,
      subject: profile.nameID,
      email,
      // Asserted and signed by the company's identity provider.
      emailVerified: true,
      name: claimText(attributes[names.name]),
      department: claimText(attributes[names.department], 100),
      location: claimText(attributes[names.location], 100),
      groups: claimList(attributes[names.groups]),
    },
    now,
    (tx) => {
      rememberAssertion(tx, `${issuer} ${assertionId}`, expiresAt);
      for (const id of store.answered) tx.delete(samlRequests).where(eq(samlRequests.id, id)).run();
    },
  );
}

function rememberAssertion(tx: Executor, id: string, expiresAt: number): void {
  const inserted = tx
    .insert(samlAssertions)
    .values({ idHash: hashToken(id), expiresAt: new Date(expiresAt) })
    .onConflictDoNothing()
    .run();
  if (inserted.changes === 0)
    refuse("This answer from the identity provider was used already. Please sign in again.");
}

/** The sweeper's part: requests never answered and assertions past their expiry are forgotten. */
export function deleteExpiredSamlState(now = Date.now()): number {
  const db = getDb();
  return (
    db
      .delete(samlRequests)
      .where(lte(samlRequests.expiresAt, new Date(now)))
      .run().changes +
    db
      .delete(samlAssertions)
      .where(lte(samlAssertions.expiresAt, new Date(now)))
      .run().changes
  );
}
