import Database from "better-sqlite3";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type AppServer, freePort, startAppServer } from "../support/app-server";
import { expectNoAxeViolations, launchBrowser } from "../support/browser";
import {
  type Pysaml2Colleague,
  type Pysaml2Idp,
  type Pysaml2Mode,
  startPysaml2Idp,
} from "../support/pysaml2-idp";

/**
 * Sign-in through a SAML identity provider nobody here wrote: pysaml2 (Debian's python3-pysaml2,
 * signing with xmlsec1) in its own process, the built app on a copy of the seeded demo company, in
 * Chromium. A colleague of the demo company signs in; then the answers a hostile or broken provider
 * sends are each refused with a plain message and no session.
 */
let idp: Pysaml2Idp;
let app: AppServer;
let browser: Browser;

/** Sam Staff of the demo company; the provider knows them by a persistent id, and by another name. */
const SAM: Pysaml2Colleague = {
  subject: "pysaml2-0042-sam",
  email: "staff@undersigned.test",
  name: "Samantha Staff",
  department: "Research",
  location: "Lisbon",
};

function query<T>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(app.databasePath, { readonly: true });
  try {
    return db.prepare<unknown[], T>(sql).all(...params);
  } finally {
    db.close();
  }
}
const person = (email: string) =>
  query<{ id: number; name: string; department: string | null; location: string | null }>(
    "select id, name, department, location from people where email = ?",
    email,
  )[0];
const identities = (personId: number) =>
  query<{ issuer: string; subject: string }>(
    "select issuer, subject from external_identities where person_id = ? and protocol = 'saml'",
    personId,
  );
const samlSessions = (personId: number) =>
  query<{ n: number }>(
    "select count(*) as n from sessions where person_id = ? and method = 'saml'",
    personId,
  )[0]?.n ?? 0;

beforeAll(async () => {
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  idp = await startPysaml2Idp(appUrl);
  app = await startAppServer(
    {
      APP_URL: appUrl,
      SAML_ENTRY_POINT: idp.ssoUrl,
      SAML_IDP_CERT: idp.certificate,
      SAML_IDP_ISSUER: idp.entityId,
      ...idp.claims,
    },
    { port, dataFrom: inject("demoDataDir") },
  );
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await idp?.stop();
});

/**
 * What the browser posts to the assertion consumer (pysaml2's form submits itself): the response's
 * XML, and the status the app answered with.
 */
async function postedToConsumer(page: Page, navigate: () => Promise<unknown>) {
  const consumer = page.waitForResponse(
    (response) => response.url() === `${app.baseUrl}/auth/saml/acs` && response.request().method() === "POST",
  );
  await navigate();
  const response = await consumer;
  const posted = new URLSearchParams(response.request().postData() ?? "").get("SAMLResponse") ?? "";
  return { status: response.status(), xml: Buffer.from(posted, "base64").toString("utf8") };
}

/** From the sign-in page through the provider and back to the assertion consumer. */
async function signInThroughProvider(page: Page) {
  await page.goto(`${app.baseUrl}/sign-in?redirectTo=/petitions`);
  return postedToConsumer(page, () =>
    page.getByRole("button", { name: "Sign in with your company account", exact: true }).click(),
  );
}

/** pysaml2 signed the assertion (enveloped signature inside it). */
const SIGNED_ASSERTION = /<\w+:Assertion\b[^>]*>\s*<\w+:Issuer\b[^>]*>[^<]*<\/\w+:Issuer>\s*<\w+:Signature\b/;

/** The refusal page: a 4xx, a sentence for a colleague (no XML or library words), no session. */
async function expectRefused(page: Page, context: BrowserContext, status: number) {
  expect(status).toBeGreaterThanOrEqual(400);
  expect(status).toBeLessThan(500);
  await page.getByRole("heading", { name: "You are not signed in" }).waitFor();
  const message = (await page.getByRole("alert").textContent()) ?? "";
  expect(message).toMatch(/^[A-Z].*\.$/);
  expect(message).not.toMatch(/urn:|<|InResponseTo|StatusCode|Error:/);
  await expectNoAxeViolations(page);
  expect((await context.cookies()).map((cookie) => cookie.name)).not.toContain("__session");
}

describe("Sign in through pysaml2, an identity provider nobody here wrote", () => {
  it("signs a colleague of the seeded company in with their persistent id and the provider's attributes", async () => {
    const before = person("staff@undersigned.test");
    if (!before) throw new Error("the demo company has no staff@undersigned.test");
    await idp.answer("success", SAM);
    const context = await browser.newContext();
    const page = await context.newPage();
    const { status, xml } = await signInThroughProvider(page);
    expect(xml).toMatch(SIGNED_ASSERTION);
    expect(status).toBe(303);
    await page.waitForURL(`${app.baseUrl}/petitions`);
    await expect(page.getByText("You are signed in.").count()).resolves.toBe(1);
    await expect(page.locator("summary.who").textContent()).resolves.toBe("Samantha Staff");
    await expectNoAxeViolations(page);
    // The same person (linked by the signed email), updated from the provider's attributes.
    expect(person("staff@undersigned.test")).toEqual({
      id: before.id,
      name: "Samantha Staff",
      department: "Research",
      location: "Lisbon",
    });
    expect(identities(before.id)).toEqual([{ issuer: idp.entityId, subject: SAM.subject }]);
    await context.close();
  });

  // Each answer is checked to be what it claims (so a refusal is for that reason, not another): its
  // signature is pysaml2's and valid (before issue 22's hardening, each of them signed Sam in).
  const hostile: Array<[Pysaml2Mode, string, RegExp]> = [
    [
      "rogue-issuer",
      "an assertion signed with the provider's key but naming another issuer",
      /<\w+:Assertion\b[^>]*>\s*<\w+:Issuer\b[^>]*>https:\/\/rogue\.pysaml2\.example\/metadata</,
    ],
    [
      "non-success",
      "a response saying the sign-in failed, yet carrying a signed assertion",
      /<\w+:StatusCode Value="urn:oasis:names:tc:SAML:2\.0:status:Responder">/,
    ],
    [
      "unsolicited",
      "an unsolicited assertion inside a response naming the browser's live request",
      /<\w+:Response InResponseTo="_[^"]+"[\s\S]*<\w+:SubjectConfirmationData(?![^>]*InResponseTo)[^>]*\/>/,
    ],
    [
      "other-destination",
      "a response addressed to another service",
      /<\w+:Response\b[^>]* Destination="https:\/\/elsewhere\.example\/acs"/,
    ],
    [
      "rsa-sha1",
      "an assertion signed with RSA-SHA1",
      /<\w+:SignatureMethod Algorithm="http:\/\/www\.w3\.org\/2000\/09\/xmldsig#rsa-sha1"\/>/,
    ],
  ];
  it.each(hostile)("refuses %s (%s) with a plain message and no session", async (mode, _what, shape) => {
    const sam = person("staff@undersigned.test");
    if (!sam) throw new Error("the demo company has no staff@undersigned.test");
    const sessionsBefore = samlSessions(sam.id);
    const identitiesBefore = identities(sam.id);
    await idp.answer(mode, SAM);
    const context = await browser.newContext();
    const page = await context.newPage();
    const { status, xml } = await signInThroughProvider(page);
    expect(xml).toMatch(SIGNED_ASSERTION);
    expect(xml).toMatch(shape);
    await expectRefused(page, context, status);
    expect(samlSessions(sam.id)).toBe(sessionsBefore);
    // Nor is Sam linked to another identity (the rogue issuer's).
    expect(identities(sam.id)).toEqual(identitiesBefore);
    await context.close();
  });

  it("refuses a sign-in the provider starts by itself (IdP-initiated, answering no request)", async () => {
    const sam = person("staff@undersigned.test");
    if (!sam) throw new Error("the demo company has no staff@undersigned.test");
    const sessionsBefore = samlSessions(sam.id);
    await idp.answer("success", SAM);
    const context = await browser.newContext();
    const page = await context.newPage();
    const { status, xml } = await postedToConsumer(page, () => page.goto(idp.idpInitiatedUrl("/petitions")));
    expect(xml).toMatch(SIGNED_ASSERTION);
    expect(xml).not.toMatch(/InResponseTo/);
    await expectRefused(page, context, status);
    expect(samlSessions(sam.id)).toBe(sessionsBefore);
    await context.close();
  });
});
