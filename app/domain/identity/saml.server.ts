import { type CacheItem, type CacheProvider, SAML, ValidateInResponseTo } from "@node-saml/node-saml";
import { eq, lte } from "drizzle-orm";
import { type Executor, getDb } from "../../../db/client";
import { samlAssertions, samlRequests } from "../../../db/schema";
import { getConfig, type SamlConfig } from "../../config.server";
import { Refusal } from "../../platform/refusal";
import { logText } from "../../platform/runtime/log-text";
import { type Said, say } from "../../platform/said";
import { enforceRateLimits } from "../../platform/security/rate-limits.server";
import { hashToken } from "../../platform/security/tokens.server";
import { scanXml, type XmlBounds } from "../../platform/security/xml-bounds.server";
import { absoluteUrl } from "../../platform/site/addresses.server";
import { HOUR_MS } from "../../platform/time";
import {
  claimList,
  claimText,
  type ProviderSignInResult,
  signInWithProvider,
} from "./provider-sign-in.server";
import { type EnvelopeProblem, responseEnvelopeProblem } from "./saml-envelope.server";

/**
 * A SAML 2.0 service provider (@node-saml/node-saml): SP metadata, AuthnRequests by the redirect
 * binding, responses at the assertion consumer by the POST binding. docs/identity.md lists what an
 * answer must be; in short: small and plain enough to parse cheaply, answering a live request of ours
 * (used up by the first answer, accepted or not), a Success from our identity provider addressed to
 * us, with an assertion signed (SHA-2) by the configured certificate, from the configured issuer, for
 * our audience and assertion consumer, in answer to that same request, unexpired, and accepted once.
 */

export const SAML_REQUEST_TTL_MS = 10 * 60_000;
/** An assertion older than this is refused whatever its NotOnOrAfter says; also how long ids are kept at most. */
const MAX_ASSERTION_AGE_MS = HOUR_MS;

/** Text taken from an answer, for a refusal's one log line: escaped, and short enough that several fit. */
const fromAnswer = (text: string) => logText(text, 120);

export class SamlSignInRefused extends Refusal {}

export const samlAcsUrl = () => absoluteUrl("/auth/saml/acs");

function requireSaml(): SamlConfig {
  const config = getConfig().saml;
  if (!config) throw new SamlSignInRefused(say("identity.refusal.saml.notConfigured"), 404);
  return config;
}

/** node-saml's record of the requests it sends, in SQLite (several processes may answer). */
class RequestStore implements CacheProvider {
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
  async getAsync(): Promise<string | null> {
    return null;
  }
  async removeAsync(key: string | null): Promise<string | null> {
    return key;
  }
}

/**
 * At the assertion consumer node-saml asks about the one request the answer names, which this
 * answer has already taken out of saml_requests (claimRequest): it knows that one and no other.
 */
class AnsweredRequest implements CacheProvider {
  constructor(
    private readonly id: string,
    private readonly createdAt: number,
  ) {}
  async saveAsync(): Promise<CacheItem | null> {
    throw new Error("no request is sent while an answer is checked");
  }
  async getAsync(key: string): Promise<string | null> {
    return key === this.id ? new Date(this.createdAt).toISOString() : null;
  }
  async removeAsync(key: string | null): Promise<string | null> {
    return key;
  }
}

/**
 * Takes the request out of saml_requests before anything checks the answer, so each request is
 * answered once, accepted or not: a refused answer cannot be tried again with another forgery, and
 * two copies posted at once cannot both get past this point. When it was sent; null if unknown or expired.
 */
function claimRequest(id: string, now: number): number | null {
  const row = getDb()
    .delete(samlRequests)
    .where(eq(samlRequests.id, id))
    .returning({ expiresAt: samlRequests.expiresAt })
    .get();
  if (!row || row.expiresAt.getTime() <= now) return null;
  return row.expiresAt.getTime() - SAML_REQUEST_TTL_MS;
}

function serviceProvider(config: SamlConfig, store: CacheProvider): SAML {
  return new SAML({
    callbackUrl: samlAcsUrl(),
    entryPoint: config.entryPoint,
    issuer: config.spEntityId,
    audience: config.spEntityId,
    idpCert: config.idpCert,
    idpIssuer: config.idpIssuer,
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
 * connecting address: generously, as a whole office may sign in at nine from one address. Answers are
 * limited alike: each is checked at some cost (below), and one sign-in posts one answer.
 */
export const SAML_START_LIMIT_PER_IP = { limit: 300, windowMs: 15 * 60_000 };
export const SAML_ANSWER_LIMIT_PER_IP = { limit: 300, windowMs: 15 * 60_000 };

/**
 * The largest SAMLResponse (base64) accepted. A signed assertion with a handful of attributes is
 * 4–8 KB of base64; Entra ID sends at most 150 groups (past that, a link to Graph instead), about
 * 10 KB more. 64 KB (48 KB of XML) leaves room for several times that, and bounds what the XML
 * libraries are given: beyond some thousands of elements their cost grows steeply (issue 22: 46 KB of
 * crafted XML cost 1.6 s of CPU, 132 KB 11.5 s).
 */
export const SAML_RESPONSE_MAX_CHARS = 64 * 1024;

/**
 * What a real response stays far within: about 40 elements plus one per attribute value, at most 8
 * deep (Response, Assertion, Signature, SignedInfo, Reference, Transforms, Transform,
 * InclusiveNamespaces), up to a dozen attributes an element (namespace declarations included). At
 * these bounds a crafted response costs node-saml tens of milliseconds (docs/benchmarks.md).
 */
export const SAML_XML_BOUNDS: XmlBounds = {
  maxNodes: 1_000,
  maxAttributes: 3_000,
  maxAttributesPerElement: 50,
  maxDepth: 20,
};

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
      "identity.refusal.tooManyAttempts",
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

function childList(node: XmlNode | undefined, name: string): XmlNode[] {
  const children = node?.[name];
  return Array.isArray(children) ? (children as XmlNode[]) : [];
}

const child = (node: XmlNode | undefined, name: string): XmlNode | undefined => childList(node, name)[0];

/** Refuses an answer, writing why to the log: in our words, with any text of the answer made log-safe. */
function refuse(reason: string, message: Said, status: 400 | 413 = 400): never {
  console.error(`[saml] answer refused: ${reason}`);
  throw new SamlSignInRefused(message, status);
}

const NOT_VERIFIED = say("identity.refusal.saml.notVerified");
const OTHER_BROWSER = say("identity.refusal.saml.otherBrowser");
const UNSOLICITED = say("identity.refusal.saml.unsolicited");

function envelopeRefusal(problem: EnvelopeProblem): never {
  switch (problem.kind) {
    case "malformed":
      return refuse(`not well-formed XML (${fromAnswer(problem.detail)})`, NOT_VERIFIED);
    case "not-a-response":
      return refuse("not a SAML Response", NOT_VERIFIED);
    case "destination":
      return refuse(
        `addressed to ${fromAnswer(problem.destination)}`,
        say("identity.refusal.saml.otherAddress"),
      );
    case "issuer":
      return refuse(`from another issuer, ${fromAnswer(problem.issuer)}`, NOT_VERIFIED);
    case "status":
      return refuse(
        `the provider answered ${fromAnswer(problem.status)}: ${fromAnswer(problem.message) || "no message"}`,
        say("identity.refusal.saml.notSignedIn"),
      );
    case "algorithm":
      return refuse(
        `signed with ${fromAnswer(problem.algorithm) || "no algorithm"}`,
        say("identity.refusal.saml.weakSignature"),
      );
  }
}

/**
 * Step 2, at the assertion consumer: the POSTed SAMLResponse is verified; the person is signed in
 * through signInWithProvider, in whose transaction the assertion id is remembered (a second use is
 * refused). The cheap checks come first, so what a stranger can post costs little: the rate limit,
 * the size, a linear scan of the XML, the request it answers (taken out, so used up, whatever follows),
 * the Response around the assertion; only then node-saml and the signature.
 */
export async function completeSamlSignIn(
  samlResponse: string,
  {
    ip = null,
    browserRequestId,
  }: {
    /** The connecting address, for the rate limit; null: not limited (tests, tools). */
    ip?: string | null;
    /**
     * The request id this browser's cookie names, where the web layer can bind answers to browsers
     * (https): the answer must be to that request (null: the browser started none). Undefined: not bound.
     */
    browserRequestId?: string | null;
  } = {},
  now = Date.now(),
): Promise<ProviderSignInResult> {
  const config = requireSaml();
  if (ip) {
    await enforceRateLimits(
      [[`saml-answer:ip:${ip}`, SAML_ANSWER_LIMIT_PER_IP]],
      "identity.refusal.tooManyAttempts",
      now,
    );
  }
  if (samlResponse.length > SAML_RESPONSE_MAX_CHARS)
    refuse(`${samlResponse.length} characters`, say("identity.refusal.saml.tooLarge"), 413);
  const xml = Buffer.from(samlResponse, "base64").toString("utf8");
  const scan = scanXml(xml, SAML_XML_BOUNDS);
  const inResponseTo = scan.rootAttributes?.get("InResponseTo");
  // Used up here, before the answer is judged: one request, one try.
  const requestSentAt = inResponseTo ? claimRequest(inResponseTo, now) : null;
  if (scan.problem) refuse(`its XML: ${scan.problem}`, NOT_VERIFIED);
  if (!inResponseTo) refuse("unsolicited (no InResponseTo)", UNSOLICITED);
  if (requestSentAt === null) refuse("it answers no live request", NOT_VERIFIED);
  // Under https, bound to the browser: the request must be the one this browser started.
  if (browserRequestId !== undefined && inResponseTo !== browserRequestId)
    refuse("it answers a request another browser started", OTHER_BROWSER);

  const acs = samlAcsUrl();
  const envelope = responseEnvelopeProblem(xml, { destination: acs, issuer: config.idpIssuer });
  if (envelope) envelopeRefusal(envelope);

  let profile: Awaited<ReturnType<SAML["validatePostResponseAsync"]>>["profile"];
  try {
    ({ profile } = await serviceProvider(
      config,
      new AnsweredRequest(inResponseTo, requestSentAt),
    ).validatePostResponseAsync({ SAMLResponse: samlResponse }));
  } catch (error) {
    refuse(fromAnswer(error instanceof Error ? error.message : String(error)), NOT_VERIFIED);
  }
  if (!profile?.nameID) refuse("no NameID", say("identity.refusal.saml.namesNobody"));

  // The signed assertion as node-saml parsed it from what was signed (children are arrays).
  const assertion = (profile.getAssertion?.() as { Assertion?: XmlNode } | undefined)?.Assertion;
  const assertionId = assertion?.$?.ID;
  if (!assertionId) refuse("the assertion has no ID", NOT_VERIFIED);
  // node-saml checks the issuer on logout messages only (issue 22).
  if (profile.issuer?.trim() !== config.idpIssuer)
    refuse(`the assertion's issuer is ${fromAnswer(profile.issuer ?? "missing")}`, NOT_VERIFIED);
  // Every confirmation, not only the one node-saml picked: for our address, answering this request.
  // (node-saml accepts one naming no request at all inside a Response that names a live one.)
  const confirmations = childList(child(assertion, "Subject"), "SubjectConfirmation").map((c) =>
    child(c, "SubjectConfirmationData"),
  );
  if (!confirmations.length) refuse("the assertion has no subject confirmation", NOT_VERIFIED);
  for (const data of confirmations) {
    if (data?.$?.Recipient !== acs)
      refuse(
        `the assertion's Recipient is ${fromAnswer(data?.$?.Recipient ?? "missing")}`,
        say("identity.refusal.saml.assertionOtherAddress"),
      );
    if (!data.$.InResponseTo) refuse("unsolicited assertion (no InResponseTo)", UNSOLICITED);
    if (data.$.InResponseTo !== inResponseTo) refuse("the assertion answers another request", NOT_VERIFIED);
  }
  const conditions = child(assertion, "Conditions");
  const expiries = [...confirmations.map((data) => data?.$?.NotOnOrAfter), conditions?.$?.NotOnOrAfter]
    .map((value) => (value ? Date.parse(value) : Number.NaN))
    .filter((value) => !Number.isNaN(value));
  if (!expiries.length) refuse("the assertion has no expiry", NOT_VERIFIED);
  const expiresAt = Math.min(Math.max(...expiries), now + MAX_ASSERTION_AGE_MS) + 60_000;

  const names = getConfig().claims;
  const attributes = (profile.attributes ?? {}) as Record<string, unknown>;
  const emailFormat = profile.nameIDFormat?.endsWith(":emailAddress");
  const email = claimText(attributes[names.email]) ?? (emailFormat ? profile.nameID : null);
  const issuer = config.idpIssuer;
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
    (tx) => rememberAssertion(tx, `${issuer} ${assertionId}`, expiresAt),
  );
}

function rememberAssertion(tx: Executor, id: string, expiresAt: number): void {
  const inserted = tx
    .insert(samlAssertions)
    .values({ idHash: hashToken(id), expiresAt: new Date(expiresAt) })
    .onConflictDoNothing()
    .run();
  if (inserted.changes === 0) refuse("the assertion was used already", say("identity.refusal.saml.used"));
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
