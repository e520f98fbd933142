import { randomUUID } from "node:crypto";
import { DOMParser } from "@xmldom/xmldom";
import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  completeSamlSignIn,
  deleteExpiredSamlState,
  SAML_ANSWER_LIMIT_PER_IP,
  SAML_RESPONSE_MAX_CHARS,
  SAML_START_LIMIT_PER_IP,
  SamlSignInRefused,
  serviceProviderMetadata,
  startSamlSignIn,
} from "../../app/domain/identity/saml.server";
import { sessionUser } from "../../app/domain/identity/sessions.server";
import { findPersonByEmail } from "../../app/domain/people/directory.server";
import { RateLimited } from "../../app/platform/refusal";
import { resetRateLimits } from "../../app/platform/security/rate-limits.server";
import * as acsRoute from "../../app/routes/auth.saml.acs";
import * as metadataRoute from "../../app/routes/auth.saml.metadata";
import { getDb } from "../../db/client";
import { externalIdentities, samlAssertions, samlRequests } from "../../db/schema";
import { callRoute, importSampleDirectory, thrown } from "../support/fixtures";
import { type ResponseOverrides, type SamlUser, samlIdentityProvider } from "../support/saml-idp";
import { fingerprint, fingerprintChanges } from "../support/server-database";

/**
 * The SAML 2.0 service provider against an identity provider in this process (samlify, with a
 * certificate the test made): signed answers are accepted; tampered, misaddressed, expired, replayed,
 * foreign, oversized or crafted ones are refused, and change nothing but use up the request they answer.
 */
const idp = samlIdentityProvider();
const impostor = samlIdentityProvider();
process.env.SAML_ENTRY_POINT = "https://idp.corp.example/sso";
process.env.SAML_IDP_CERT = idp.certificate;
process.env.SAML_IDP_ISSUER = idp.entityId;
process.env.COMPANY_NAME = "Corp";

const db = () => getDb();
const snapshot = () => fingerprint(db().$client);
const ACS = "http://undersigned.test:3000/auth/saml/acs";
const ENTITY = "http://undersigned.test:3000/auth/saml/metadata";
const mei: SamlUser = {
  nameId: "mei@corp.example",
  email: "mei@corp.example",
  name: "Mei Chen",
  department: "Design",
  locality: "Taipei",
  groups: ["staff"],
};

/** The app asks (an AuthnRequest kept until answered); the provider answers it. */
async function answer(user = mei, overrides: ResponseOverrides = {}, provider = idp) {
  return provider.respond(serviceProviderMetadata(), await newRequest(), user, overrides);
}

/** A sign-in started here: the id of the AuthnRequest the app sent. */
async function newRequest(): Promise<string> {
  return idp.requestId(serviceProviderMetadata(), await startSamlSignIn("/petitions"));
}

const decode = (response: string) => Buffer.from(response, "base64").toString("utf8");
const encode = (xml: string) => Buffer.from(xml, "utf8").toString("base64");
/** The request a Response says it answers. */
const answering = (samlResponse: string) => /^[^>]*\sInResponseTo="([^"]+)"/.exec(decode(samlResponse))?.[1];
const liveRequest = (id: string | undefined) =>
  id !== undefined && db().select().from(samlRequests).where(eq(samlRequests.id, id)).get() !== undefined;

/**
 * Refused, and nothing changed but the request it answers, now used up: whatever was wrong with this
 * answer, it cannot be tried again.
 */
async function refused(samlResponse: string, status = 400) {
  const requestId = answering(samlResponse);
  const live = liveRequest(requestId);
  const requests = db().select().from(samlRequests).all().length;
  const before = snapshot();
  const error = await thrown(completeSamlSignIn(samlResponse));
  expect(error).toBeInstanceOf(SamlSignInRefused);
  expect((error as SamlSignInRefused).status).toBe(status);
  expect(fingerprintChanges(before, snapshot())).toEqual(
    live ? [`saml_requests (${requests} → ${requests - 1} rows)`] : [],
  );
  expect(liveRequest(requestId)).toBe(false);
  return error as SamlSignInRefused;
}

/**
 * Counts the documents xmldom parses: node-saml parses every answer with it first (xml2js and the
 * XPath lookups come after, on what it parsed), xml-crypto parses again with it, and so do we.
 */
function countXmlParsing() {
  const parse = vi.spyOn(DOMParser.prototype, "parseFromString");
  return () => parse.mock.calls.length;
}

/** Everything written to the console meanwhile, one entry per call. */
function captureLog() {
  const lines: string[] = [];
  for (const level of ["log", "info", "warn", "error"] as const)
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(" "));
    });
  return lines;
}

// samlify's schema validator loads its WebAssembly on first use: seconds on a busy machine.
beforeAll(() => idp.warmUp(), 120_000);

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe("the SAML service provider", () => {
  it("publishes its metadata at a stable address: entity id, POST assertion consumer, signed assertions wanted", async () => {
    const response = await callRoute(metadataRoute, "loader", null, "/auth/saml/metadata", {});
    expect(response.headers.get("Content-Type")).toContain("samlmetadata+xml");
    const xml = await response.text();
    expect(xml).toContain(`entityID="${ENTITY}"`);
    expect(xml).toContain('WantAssertionsSigned="true"');
    expect(xml).toContain(`Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${ACS}"`);
  });

  it("sends an AuthnRequest to the provider and remembers only its id, until answered", async () => {
    const url = new URL(await startSamlSignIn("/petitions"));
    expect(url.origin + url.pathname).toBe("https://idp.corp.example/sso");
    expect(url.searchParams.get("RelayState")).toBe("/petitions");
    const id = await idp.requestId(serviceProviderMetadata(), url.href);
    expect(db().select().from(samlRequests).where(eq(samlRequests.id, id)).get()).toBeDefined();
  });

  it("signs in the person a signed assertion names, created with the attributes, and updates them next time", async () => {
    const result = await completeSamlSignIn(await answer());
    const person = findPersonByEmail(db(), "mei@corp.example");
    expect(person).toMatchObject({
      name: "Mei Chen",
      department: "Design",
      location: "Taipei",
      inDirectory: true,
    });
    expect(sessionUser(result.sessionToken)?.user.id).toBe(person?.id);
    expect(
      db().select().from(externalIdentities).where(eq(externalIdentities.subject, "mei@corp.example")).get(),
    ).toMatchObject({ protocol: "saml", issuer: idp.entityId, personId: person?.id });
    // The answered request is forgotten; the assertion is remembered (hashed) until it expires.
    expect(db().select().from(samlRequests).all()).toHaveLength(1); // the one from the test above
    expect(db().select().from(samlAssertions).all()).toHaveLength(1);

    await completeSamlSignIn(await answer({ ...mei, department: "Product", locality: "Tokyo" }));
    expect(findPersonByEmail(db(), "mei@corp.example")).toMatchObject({
      department: "Product",
      location: "Tokyo",
    });
  });

  it("links a directory person by the asserted email once", async () => {
    importSampleDirectory();
    const grace = findPersonByEmail(db(), "grace@corp.example");
    const result = await completeSamlSignIn(
      await answer({ nameId: "00u-grace", email: "grace@corp.example", name: "Grace Hopper" }),
    );
    expect(result.personId).toBe(grace?.id);
  });

  it("answers the POST binding at the assertion consumer with a session and the RelayState's page", async () => {
    const samlResponse = await answer();
    const response = await callRoute(
      acsRoute,
      "action",
      null,
      "/auth/saml/acs",
      {},
      {
        SAMLResponse: samlResponse,
        RelayState: "/petitions",
      },
    );
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe("/petitions");
    expect(response.headers.get("Set-Cookie")).toContain("__session=");

    const before = snapshot();
    const again = await callRoute(
      acsRoute,
      "action",
      null,
      "/auth/saml/acs",
      {},
      {
        SAMLResponse: samlResponse,
        RelayState: "https://evil.example/",
      },
    );
    expect(again.status).toBe(400);
    expect(again.headers.get("Set-Cookie") ?? "").not.toContain("__session=");
    expect(await again.text()).toContain("could not be verified");
    expect(fingerprintChanges(before, snapshot())).toEqual([]);
  });

  it("tells a German reader at the assertion consumer why an answer is refused, in German; the log line stays English", async () => {
    const samlResponse = await answer();
    await completeSamlSignIn(samlResponse);
    const log = captureLog();
    const replayed = await callRoute(
      acsRoute,
      "action",
      null,
      "/auth/saml/acs",
      {},
      { SAMLResponse: samlResponse },
      "de-CH,de;q=0.9",
    );
    expect(replayed.status).toBe(400);
    expect(await replayed.json()).toEqual({
      error:
        "Die Antwort des Identitätsanbieters konnte nicht geprüft werden (sie ist möglicherweise gefälscht, abgelaufen, bereits verwendet oder für einen anderen Dienst bestimmt). Bitte melden Sie sich erneut an.",
    });
    expect(log).toEqual(["[saml] answer refused: it answers no live request"]);
    const refusal = await thrown(completeSamlSignIn(samlResponse));
    expect((refusal as SamlSignInRefused).message).toBe(
      "The identity provider's answer could not be verified (it may be forged, expired, already used, or meant for another service). Please sign in again.",
    );
  });

  it("accepts an answer without Destination or a Response Issuer (both optional), and one with 150 groups (Entra ID's most)", async () => {
    await completeSamlSignIn(await answer(mei, { destination: null, responseIssuer: null }));
    const groups = Array.from({ length: 150 }, () => randomUUID());
    const large = await answer({ ...mei, groups });
    expect(large.length).toBeLessThan(SAML_RESPONSE_MAX_CHARS / 2);
    await completeSamlSignIn(large);
  });
});

describe("answers that would cost the server: bounded before any XML library reads them", () => {
  it("refuses an answer over 64 KB with 413, before any XML library reads it", async () => {
    const padded = decode(await answer()).replace(
      "</saml:Assertion>",
      `<saml:Advice>${"<a/>".repeat(20_000)}</saml:Advice></saml:Assertion>`,
    );
    const parsed = countXmlParsing();
    const error = await thrown(completeSamlSignIn(encode(padded)));
    expect(error).toBeInstanceOf(SamlSignInRefused);
    expect((error as SamlSignInRefused).status).toBe(413);
    expect(parsed()).toBe(0);
  });

  it("refuses too many elements, too deep a nesting, a DOCTYPE or a processing instruction before any XML library reads them, using up the request answered", async () => {
    const crafted = [
      (xml: string) => xml.replace("</saml:Assertion>", `${"<a/>".repeat(1_001)}</saml:Assertion>`),
      (xml: string) =>
        xml.replace("</saml:Assertion>", `${"<a>".repeat(20)}${"</a>".repeat(20)}</saml:Assertion>`),
      (xml: string) =>
        xml.replace(
          "</saml:Assertion>",
          `<a ${Array.from({ length: 51 }, (_, i) => `x${i}="1"`).join(" ")}/></saml:Assertion>`,
        ),
      (xml: string) =>
        xml.replace("<saml:Issuer>", `<!DOCTYPE x [<!ENTITY e "${"e".repeat(9)}">]><saml:Issuer>`),
      (xml: string) => xml.replace("<saml:Issuer>", "<?evil?><saml:Issuer>"),
    ];
    for (const craft of crafted) {
      const samlResponse = encode(craft(decode(await answer())));
      expect(liveRequest(answering(samlResponse))).toBe(true);
      const parsed = countXmlParsing();
      await refused(samlResponse);
      expect(parsed()).toBe(0);
      vi.restoreAllMocks();
    }
    // A DOCTYPE before the root element: refused unread (its request stays, and costs nothing more).
    const doctype = `<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>${decode(await answer())}`;
    const parsed = countXmlParsing();
    const before = snapshot();
    expect(await thrown(completeSamlSignIn(encode(doctype)))).toBeInstanceOf(SamlSignInRefused);
    expect(parsed()).toBe(0);
    expect(fingerprintChanges(before, snapshot())).toEqual([]);
  });

  it("parses an answer to a live request, and nothing of one that answers none (the seam above counts what it should)", async () => {
    let parsed = countXmlParsing();
    await completeSamlSignIn(await answer());
    expect(parsed()).toBeGreaterThan(0);
    vi.restoreAllMocks();
    const unanswerable = [
      await answer(mei, { inResponseTo: "_a-request-we-never-sent" }),
      await answer(mei, { inResponseTo: null }),
    ];
    parsed = countXmlParsing();
    for (const samlResponse of unanswerable) await refused(samlResponse);
    expect(parsed()).toBe(0);
  });

  it("uses up the request a refused answer names: the genuine answer to it is refused afterwards, whatever was wrong", async () => {
    const requestId = await newRequest();
    const genuine = await idp.respond(serviceProviderMetadata(), requestId, mei);
    await refused(encode(decode(genuine).replace(">Design<", ">Board<")));
    await refused(genuine);

    const other = await newRequest();
    await refused(await impostor.respond(serviceProviderMetadata(), other, mei));
    await refused(await idp.respond(serviceProviderMetadata(), other, mei));
  });

  it("limits the answers one address may post, refusing with 429 and Retry-After before reading them", async () => {
    resetRateLimits();
    // A frozen clock: every hit below falls in the same window, whatever the limiter.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    for (let i = 0; i < SAML_ANSWER_LIMIT_PER_IP.limit; i++) {
      const error = await thrown(completeSamlSignIn(encode("<not-saml/>"), { ip: "192.0.2.1" }));
      expect(error).toBeInstanceOf(SamlSignInRefused);
    }
    const samlResponse = await answer();
    const parsed = countXmlParsing();
    const before = snapshot();
    const error = await thrown(completeSamlSignIn(samlResponse, { ip: "192.0.2.1" }));
    expect(error).toBeInstanceOf(RateLimited);
    const response = await callRoute(
      acsRoute,
      "action",
      null,
      "/auth/saml/acs",
      {},
      { SAMLResponse: samlResponse },
    );
    expect(response.status).toBe(429);
    expect(Number(response.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(parsed()).toBe(0);
    expect(fingerprintChanges(before, snapshot())).toEqual([]);
    // Another address is not held up.
    await completeSamlSignIn(samlResponse, { ip: "192.0.2.2" });
    resetRateLimits();
  });
});

describe("SAML answers that must not sign anyone in", () => {
  it("refuses a replayed assertion, even one posted twice at once (its id is remembered until it expires)", async () => {
    const samlResponse = await answer();
    await completeSamlSignIn(samlResponse);
    await refused(samlResponse);

    // Both copies pass the InResponseTo check before either is done: the remembered id stops one.
    const twice = await answer();
    const outcomes = await Promise.allSettled([completeSamlSignIn(twice), completeSamlSignIn(twice)]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(["fulfilled", "rejected"]);
  });

  it("refuses a tampered NameID, attribute or audience (the signature no longer matches)", async () => {
    const xml = decode(await answer());
    await refused(encode(xml.replace(">mei@corp.example</saml:NameID>", ">ceo@corp.example</saml:NameID>")));
    await refused(encode(decode(await answer()).replace(">Design<", ">Board<")));
    await refused(
      encode(decode(await answer()).replace(`<saml:Audience>${ENTITY}`, "<saml:Audience>https://x")),
    );
  });

  it("refuses an assertion for another audience, or another recipient", async () => {
    await refused(await answer(mei, { audience: "https://another-app.corp.example/saml" }));
    await refused(await answer(mei, { recipient: "https://another-app.corp.example/acs" }));
  });

  it("refuses an expired assertion", async () => {
    await refused(await answer(mei, { notOnOrAfter: new Date(Date.now() - 10 * 60_000) }));
    await refused(
      await answer(mei, {
        issueInstant: new Date(Date.now() - 3 * 3_600_000),
        notOnOrAfter: new Date(Date.now() + 3_600_000),
      }),
    );
  });

  it("refuses an assertion signed by another certificate, one answering no request of ours, and one unsigned", async () => {
    await refused(await answer(mei, {}, impostor));
    await refused(await answer(mei, { inResponseTo: "_a-request-we-never-sent" }));
    await refused(await answer(mei, { inResponseTo: null }));
    const unsigned = decode(await answer()).replace(/<ds:Signature[\s\S]*?<\/ds:Signature>/g, "");
    await refused(encode(unsigned));
    await refused(encode("<not-saml/>"));
    await refused("%%% not base64");
  });

  it("refuses an assertion from another issuer, though signed with our provider's key (a multi-tenant provider signs every tenant's)", async () => {
    importSampleDirectory();
    const rogue = "https://rogue-tenant.idp.corp.example/metadata";
    const grace = {
      nameId: "00u-rogue",
      email: "grace@corp.example",
      name: "Grace Hopper",
      groups: ["admins"],
    };
    await refused(await answer(grace, { issuer: rogue }));
    // The Response names ours, the signed assertion another; or the other way round.
    await refused(await answer(grace, { issuer: rogue, responseIssuer: idp.entityId }));
    await refused(await answer(grace, { responseIssuer: rogue }));
    expect(db().select().from(externalIdentities).where(eq(externalIdentities.issuer, rogue)).all()).toEqual(
      [],
    );
  });

  it("refuses an unsolicited assertion inside a Response that answers a live request, under an http APP_URL too", async () => {
    expect(ACS.startsWith("http://")).toBe(true);
    await refused(await answer(mei, { assertionInResponseTo: null }));
    // Or one answering another live request.
    await refused(await answer(mei, { assertionInResponseTo: await newRequest() }));
  });

  it("refuses a Response that is not a Success, even carrying a signed assertion", async () => {
    for (const status of [
      "urn:oasis:names:tc:SAML:2.0:status:Responder",
      "urn:oasis:names:tc:SAML:2.0:status:Requester",
      "urn:oasis:names:tc:SAML:2.0:status:SuccessfulButNot",
    ]) {
      const error = await refused(await answer(mei, { status, statusMessage: "Authentication failed" }));
      expect(error.message).toContain("did not sign you in");
    }
  });

  it("refuses a Response addressed (Destination) to another address", async () => {
    await refused(await answer(mei, { destination: "https://another-app.corp.example/acs" }));
    await refused(await answer(mei, { destination: `${ACS}/` }));
  });

  it("refuses signatures made with RSA-SHA1 and SHA-1 digests", async () => {
    const samlResponse = await answer(mei, { sha1: true });
    expect(decode(samlResponse)).toContain("xmldsig#rsa-sha1");
    const error = await refused(samlResponse);
    expect(error.message).toContain("SHA-1");
    // A SHA-256 signature over a SHA-1 digest is refused as well (its signature breaks too: either refuses).
    await refused(encode(decode(await answer()).replace("xmlenc#sha256", "xmldsig#sha1")));
  });

  it("never writes an answer's text into the log verbatim: one bounded line per refusal", async () => {
    const forged = "\n[audit] ada@corp.example granted admin to mallory@corp.example\r\n";
    const answers = [
      await answer(mei, {
        status: "urn:oasis:names:tc:SAML:2.0:status:Responder",
        statusMessage: `${forged}${"x".repeat(10_000)}`,
      }),
      await answer(mei, { destination: `https://x.example/${forged}` }),
      await answer(mei, { responseIssuer: forged }),
      // Markup xmldom only warns about (no space between attributes): xml-crypto parses the document
      // again with xmldom's default handler, which printed the warning, attacker's text and all.
      encode(
        decode(await answer()).replace("<saml:Conditions ", '<x a="1"FORGED_LOG_LINE="1"/><saml:Conditions '),
      ),
    ];
    const log = captureLog();
    for (const samlResponse of answers) await refused(samlResponse);
    expect(log).toHaveLength(answers.length);
    for (const line of log) {
      expect(line).toMatch(/^\[saml\] answer refused: /);
      expect(line).not.toMatch(/[\r\n\u2028\u2029]/);
      expect(line.length).toBeLessThan(500);
    }
    expect(log.join(" ")).not.toContain("x".repeat(300));
  });

  it("limits how many sign-ins one address may start (each writes a request id), refusing with 429 and writing nothing", async () => {
    resetRateLimits();
    const now = Date.now();
    for (let i = 0; i < SAML_START_LIMIT_PER_IP.limit; i++) await startSamlSignIn("/", "198.51.100.7", now);
    const before = snapshot();
    const error = await thrown(startSamlSignIn("/", "198.51.100.7", now));
    expect(error).toBeInstanceOf(RateLimited);
    expect((error as RateLimited).status).toBe(429);
    expect(fingerprintChanges(before, snapshot())).toEqual([]);
    // Another address is not held up.
    await startSamlSignIn("/", "198.51.100.8", now);
    resetRateLimits();
  });

  it("forgets requests never answered and assertions past their expiry", async () => {
    await startSamlSignIn("/");
    expect(db().select().from(samlRequests).all().length).toBeGreaterThan(0);
    deleteExpiredSamlState(Date.now() + 2 * 3_600_000);
    expect(db().select().from(samlRequests).all()).toEqual([]);
    expect(db().select().from(samlAssertions).all()).toEqual([]);
  });
});
