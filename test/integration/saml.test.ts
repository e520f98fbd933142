import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  completeSamlSignIn,
  deleteExpiredSamlState,
  SAML_START_LIMIT_PER_IP,
  SamlSignInRefused,
  serviceProviderMetadata,
  startSamlSignIn,
} from "../../app/domain/identity/saml.server";
import { sessionUser } from "../../app/domain/identity/sessions.server";
import { findPersonByEmail } from "../../app/domain/people/directory.server";
import { resetRateLimits } from "../../app/platform/rate-limits.server";
import { RateLimited } from "../../app/platform/refusal";
import * as acsRoute from "../../app/routes/auth.saml.acs";
import * as metadataRoute from "../../app/routes/auth.saml.metadata";
import { getDb } from "../../db/client";
import { externalIdentities, samlAssertions, samlRequests } from "../../db/schema";
import { callRoute, importSampleDirectory, thrown } from "../support/fixtures";
import { type ResponseOverrides, type SamlUser, samlIdentityProvider } from "../support/saml-idp";
import { fingerprint, fingerprintChanges } from "../support/server-database";

/**
 * The SAML 2.0 service provider against an identity provider in this process (samlify, with a
 * certificate the test made): signed answers are accepted; tampered, misaddressed, expired, replayed
 * or foreign ones are refused and change nothing.
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
  const url = await startSamlSignIn("/petitions");
  const inResponseTo = await idp.requestId(serviceProviderMetadata(), url);
  return provider.respond(serviceProviderMetadata(), inResponseTo, user, overrides);
}

async function refused(samlResponse: string) {
  const before = snapshot();
  const error = await thrown(completeSamlSignIn(samlResponse));
  expect(error).toBeInstanceOf(SamlSignInRefused);
  expect((error as SamlSignInRefused).status).toBe(400);
  expect(fingerprintChanges(before, snapshot())).toEqual([]);
}

const decode = (response: string) => Buffer.from(response, "base64").toString("utf8");
const encode = (xml: string) => Buffer.from(xml, "utf8").toString("base64");

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
