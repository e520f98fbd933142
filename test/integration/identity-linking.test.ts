import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalAccount, startLocalIdp } from "../../app/demo/local-idp";
import {
  decideLink,
  deleteExpiredLinkRequests,
  LINK_REQUEST_TTL_MS,
  LinkConfirmationNeeded,
} from "../../app/domain/identity/identity-linking.server";
import { completeOidcSignIn, startOidcSignIn } from "../../app/domain/identity/oidc.server";
import { grantRole, rolesOf } from "../../app/domain/identity/permissions.server";
import {
  completeSamlSignIn,
  SamlSignInRefused,
  serviceProviderMetadata,
  startSamlSignIn,
} from "../../app/domain/identity/saml.server";
import { endSessionsAndLinkRequests, sessionUser } from "../../app/domain/identity/sessions.server";
import { completeSignIn, requestSignIn } from "../../app/domain/identity/sign-in.server";
import { findPersonByEmail, setDisplayName } from "../../app/domain/people/directory.server";
import { CLI_ACTOR } from "../../app/platform/security/audit.server";
import { DAY_MS } from "../../app/platform/time";
import * as adminPersonRoute from "../../app/routes/admin.people.$personId";
import * as acsRoute from "../../app/routes/auth.saml.acs";
import * as linkRoute from "../../app/routes/sign-in_.link";
import { createSmtpTransport, deliverDueMail } from "../../app/server/mail-sender.server";
import { getDb } from "../../db/client";
import { auditLog, externalIdentities, identityLinkRequests, outbox, sessions } from "../../db/schema";
import { callRoute, importSampleDirectory, thrown } from "../support/fixtures";
import { authorizeAtProvider } from "../support/oidc-flow";
import { samlIdentityProvider } from "../support/saml-idp";
import { fingerprint, fingerprintChanges } from "../support/server-database";
import { extractLink, startSmtpServer } from "../support/smtp";

/**
 * The linking rule (app/domain/identity/identity-linking.server.ts), against a real OpenID Provider
 * (oidc-provider) and a SAML identity provider (samlify) in this process, with the confirmation
 * emails delivered to a real SMTP server: a new provider account is linked by a verified email at
 * once only to a colleague with nothing at stake; a role holder's address waits for the mailbox's
 * confirmation or an admin's approval — but for the first admin, while no admin is linked.
 */
const CALLBACK = "http://undersigned.test:3000/auth/oidc/callback";
const ADMINS = "undersigned-admins";
const accounts: LocalAccount[] = [
  { sub: "u-first", email: "first.admin@corp.example", name: "Fran First", groups: [ADMINS] },
  { sub: "u-grace", email: "grace@corp.example", name: "Grace Hopper" },
  // Another account at the provider carrying the ops admin's verified address, in no group.
  { sub: "u-mallory", email: "ops.admin@corp.example", name: "Mallory", groups: [] },
  { sub: "u-ops", email: "ops.admin@corp.example", name: "Olu Ops", groups: [ADMINS] },
  { sub: "u-late", email: "late.admin@corp.example", name: "Lee Late", groups: [ADMINS] },
  { sub: "u-linus", email: "linus@corp.example", name: "Linus Pauling" },
  { sub: "u-linus-2", email: "linus@corp.example", name: "L. Pauling (2)" },
  { sub: "u-ada", email: "ada@corp.example", name: "Ada Lovelace" },
  { sub: "u-ada-new", email: "ada@corp.example", name: "Ada Lovelace" },
];
const idp = await startLocalIdp({
  clientId: "undersigned-linking",
  clientSecret: "a-test-secret-of-enough-length",
  redirectUris: [CALLBACK],
  postLogoutRedirectUris: ["http://undersigned.test:3000/"],
  accounts,
});
const saml = samlIdentityProvider();
const smtp = await startSmtpServer();
process.env.OIDC_ISSUER = idp.issuer;
process.env.OIDC_CLIENT_ID = "undersigned-linking";
process.env.OIDC_CLIENT_SECRET = "a-test-secret-of-enough-length";
process.env.SAML_ENTRY_POINT = "https://idp.corp.example/sso";
process.env.SAML_IDP_CERT = saml.certificate;
process.env.SAML_IDP_ISSUER = saml.entityId;
process.env.COMPANY_NAME = "Corp";
process.env.IDP_ROLE_GROUPS = `admin=${ADMINS}`;
process.env.ADMIN_EMAILS = "first.admin@corp.example,ops.admin@corp.example,late.admin@corp.example";
afterAll(async () => {
  await idp.stop();
  await smtp.close();
});

const db = () => getDb();
const snapshot = () => fingerprint(db().$client);

async function signIn(sub: string) {
  return signInWithProviderAt(sub, Date.now());
}

/** The whole OIDC sign-in with the app's clock at `now` (the provider keeps its own). */
async function signInWithProviderAt(sub: string, now: number) {
  const { url, pending } = await startOidcSignIn("/petitions", null, now);
  const callback = await authorizeAtProvider(url, sub, CALLBACK);
  return completeOidcSignIn(callback.search, pending, null, now);
}

async function held(signingIn: Promise<unknown>): Promise<LinkConfirmationNeeded> {
  const error = await thrown(signingIn);
  expect(error).toBeInstanceOf(LinkConfirmationNeeded);
  expect((error as LinkConfirmationNeeded).status).toBe(403);
  return error as LinkConfirmationNeeded;
}

/** A SAML answer from the company's provider, to a request of ours. */
async function samlAnswer(user: { nameId: string; email: string; name: string }) {
  const metadata = serviceProviderMetadata();
  const requestId = await saml.requestId(metadata, await startSamlSignIn("/petitions"));
  return saml.respond(metadata, requestId, user);
}

const linkOf = (subject: string) =>
  db().select().from(externalIdentities).where(eq(externalIdentities.subject, subject)).get();

const person = (email: string) => {
  const found = findPersonByEmail(db(), email);
  if (!found) throw new Error(`nobody has ${email}`);
  return found;
};

const lastAudit = (action: string) =>
  db().select().from(auditLog).where(eq(auditLog.action, action)).all().at(-1);

/** Delivers what the outbox holds through SMTP and returns the confirmation links `email` has received. */
async function confirmationTokens(email: string): Promise<string[]> {
  const transport = createSmtpTransport(smtp.url);
  try {
    await deliverDueMail(transport);
  } finally {
    transport.close();
  }
  return smtp.received
    .filter(
      (mail) => mail.to.includes(email) && mail.parsed.subject === "Confirm your Corp sign-in to Undersigned",
    )
    .map(
      (mail) => new URL(extractLink(mail.parsed.text ?? "", "/sign-in/link")).searchParams.get("token") ?? "",
    );
}

/** The confirmation page, as the person opening the emailed link sees it (a GET: it uses nothing up). */
async function openLink(token: string) {
  const response = await callRoute(linkRoute, "loader", null, `/sign-in/link?token=${token}`, {});
  return (await response.json()) as { request: { accountName: string | null; email: string } | null };
}

/** The token of the one emailed link whose page names `accountName` — as the person would pick it. */
async function linkFor(email: string, accountName: string): Promise<string> {
  for (const token of await confirmationTokens(email)) {
    if ((await openLink(token)).request?.accountName === accountName) return token;
  }
  throw new Error(`no open confirmation for ${accountName} at ${email}`);
}

const pressButton = (token: string, intent: "confirm" | "refuse") =>
  callRoute(linkRoute, "action", null, "/sign-in/link", {}, { token, intent });

/** Signs an ADMIN_EMAILS address in by an emailed sign-in link: they become admin, unlinked to the provider. */
async function adminByEmailedLink(email: string, name: string) {
  await requestSignIn({ email, ip: null });
  const text = db()
    .select({ text: outbox.textBody })
    .from(outbox)
    .where(eq(outbox.toAddress, email))
    .all()
    .at(-1)?.text;
  const token = new URL(extractLink(text ?? "", "/sign-in/verify")).searchParams.get("token") ?? "";
  const result = completeSignIn(token);
  if (!result.ok) throw new Error(`${email} could not sign in`);
  setDisplayName(result.personId, name);
  return result;
}

describe("linking a new provider account to a person by a verified email", () => {
  it("links an ADMIN_EMAILS address at once while nobody is an admin (the bootstrap), audited", async () => {
    importSampleDirectory();
    const first = await signIn("u-first");
    expect(person("first.admin@corp.example").id).toBe(first.personId);
    expect(rolesOf(first.personId)).toEqual(["admin"]);
    expect(linkOf("u-first")?.personId).toBe(first.personId);
    expect(lastAudit("identity.link")).toMatchObject({
      actorLabel: "system",
      targetId: String(first.personId),
      details: { from: null, to: "u-first", by: "ADMIN_EMAILS, no admin yet" },
    });
  });

  it("links a colleague with no role at once, and does not audit that first link (it would date a first sign-in)", async () => {
    const before = db().select().from(auditLog).all().length;
    const grace = await signIn("u-grace");
    expect(grace.personId).toBe(person("grace@corp.example").id);
    expect(linkOf("u-grace")?.personId).toBe(grace.personId);
    expect(db().select().from(auditLog).all()).toHaveLength(before);
  });

  it("refuses a second account carrying an admin's verified email with a plain message: the admin keeps role, name and session", async () => {
    const ops = await adminByEmailedLink("ops.admin@corp.example", "Olu Ops");
    expect(rolesOf(ops.personId)).toEqual(["admin"]);

    const before = snapshot();
    const refusal = await held(signIn("u-mallory"));
    expect(refusal.message).toBe(
      "To keep the account of ops.admin@corp.example safe, a new Corp sign-in is connected to it only once confirmed. Open the link we have emailed to ops.admin@corp.example (it works for an hour), or ask an administrator to approve it; then sign in again.",
    );
    // Only the request, its email and its audit entry were written.
    // (sqlite_sequence: SQLite's own counter of AUTOINCREMENT ids.)
    const tables = fingerprintChanges(before, snapshot())
      .map((change) => change.split(" ")[0])
      .filter((table) => table !== "sqlite_sequence");
    expect(tables.sort()).toEqual(["audit_log", "identity_link_requests", "outbox"]);
    expect(db().select().from(identityLinkRequests).all()).toHaveLength(1);
    expect(lastAudit("identity.link-request")).toMatchObject({
      actorLabel: "identity-provider",
      targetId: String(ops.personId),
      details: { email: "ops.admin@corp.example", to: "u-mallory", from: null },
    });
    const admin = person("ops.admin@corp.example");
    expect(admin.name).toBe("Olu Ops");
    expect(rolesOf(admin.id)).toEqual(["admin"]);
    expect(linkOf("u-mallory")).toBeUndefined();
    expect(sessionUser(ops.sessionToken)?.user.id).toBe(admin.id);
    expect(db().select().from(sessions).where(eq(sessions.personId, admin.id)).all()).toHaveLength(1);

    // Trying again sends no second email: the request stands.
    const mails = db().select().from(outbox).all().length;
    await held(signIn("u-mallory"));
    expect(db().select().from(outbox).all()).toHaveLength(mails);
  });

  it("connects the colleague's own account by the emailed confirmation (read from SMTP); the other account's request goes with it", async () => {
    await held(signIn("u-ops"));
    const ops = person("ops.admin@corp.example");
    const mallorys = await linkFor("ops.admin@corp.example", "Mallory");
    const own = await linkFor("ops.admin@corp.example", "Olu Ops");

    // Opening the page uses nothing up; its button does.
    expect((await openLink(own)).request).toMatchObject({ email: "ops.admin@corp.example" });
    const confirmed = await pressButton(own, "confirm");
    expect(confirmed.status).toBe(302);
    expect(confirmed.headers.get("Location")).toBe("/sign-in");
    expect(confirmed.headers.get("Set-Cookie") ?? "").not.toContain("__session=");
    expect(linkOf("u-ops")?.personId).toBe(ops.id);
    expect(lastAudit("identity.link")).toMatchObject({
      actorLabel: "ops.admin@corp.example",
      targetId: String(ops.id),
      details: { from: null, to: "u-ops", by: "emailed confirmation" },
    });

    // Mallory's request ended with it; the used link is spent too.
    for (const token of [mallorys, own]) {
      const again = await pressButton(token, "confirm");
      expect(again.status).toBe(400);
      expect(await again.json()).toEqual({
        error: "This link has expired or was already used. Sign in again to get a new one.",
      });
    }
    expect(linkOf("u-mallory")).toBeUndefined();

    const signedIn = await signIn("u-ops");
    expect(signedIn.personId).toBe(ops.id);
    expect(rolesOf(ops.id)).toEqual(["admin"]);
  });

  it("throws a request away when the mailbox answers “this wasn't me”, audited, connecting nothing", async () => {
    const ops = person("ops.admin@corp.example");
    const refusal = await held(signIn("u-mallory"));
    // Now ops has an account at this provider: the other would replace it.
    expect(refusal.message).toContain("is already connected to another Corp account here");
    const token = await linkFor("ops.admin@corp.example", "Mallory");
    const answered = await pressButton(token, "refuse");
    expect(answered.status).toBe(302);
    expect(
      db().select().from(identityLinkRequests).where(eq(identityLinkRequests.subject, "u-mallory")).all(),
    ).toEqual([]);
    expect(lastAudit("identity.link-refuse")).toMatchObject({
      actorLabel: "ops.admin@corp.example",
      targetId: String(ops.id),
      details: { to: "u-mallory", by: "emailed link" },
    });
    expect((await pressButton(token, "confirm")).status).toBe(400);
    expect(linkOf("u-mallory")).toBeUndefined();
    expect(linkOf("u-ops")?.personId).toBe(ops.id);
  });

  it("once an admin is linked, holds an ADMIN_EMAILS address too: nobody is created until the mailbox confirms", async () => {
    await held(signIn("u-late"));
    expect(findPersonByEmail(db(), "late.admin@corp.example")).toBeUndefined();
    const confirmed = await pressButton(await linkFor("late.admin@corp.example", "Lee Late"), "confirm");
    expect(confirmed.status).toBe(302);
    const late = person("late.admin@corp.example");
    expect(linkOf("u-late")?.personId).toBe(late.id);
    const signedIn = await signIn("u-late");
    expect(signedIn.personId).toBe(late.id);
    expect(rolesOf(late.id)).toEqual(["admin"]);
  });

  it("holds an ADMIN_EMAILS address while anyone is an admin, even one who signs in only by emailed link", () => {
    let decision: ReturnType<typeof decideLink> | undefined;
    // Rolled back: as if every admin signed in by emailed link, none linked to the provider.
    expect(() =>
      db().transaction((tx) => {
        tx.delete(externalIdentities).run();
        decision = decideLink(tx, undefined, "late.admin@corp.example", {
          protocol: "oidc",
          issuer: "https://idp.example",
          subject: "u-squatter",
        });
        tx.rollback();
      }),
    ).toThrow(/rollback/i);
    expect(decision).toEqual({ hold: true, replaces: null });
    expect(linkOf("u-first")).toBeDefined();
  });

  it("replaces a person's link to another account of the provider only by confirmation, audited old → new", async () => {
    const ada = person("ada@corp.example");
    await signIn("u-ada");
    const refusal = await held(signIn("u-ada-new"));
    expect(refusal.message).toContain("ada@corp.example is already connected to another Corp account here");
    expect(linkOf("u-ada")?.personId).toBe(ada.id);
    const token = (await confirmationTokens("ada@corp.example")).at(-1) ?? "";
    expect((await pressButton(token, "confirm")).status).toBe(302);
    expect(linkOf("u-ada")).toBeUndefined();
    expect(linkOf("u-ada-new")?.personId).toBe(ada.id);
    expect(lastAudit("identity.link")).toMatchObject({
      actorLabel: "ada@corp.example",
      details: { from: "u-ada", to: "u-ada-new", by: "emailed confirmation" },
    });
  });
});

describe("an admin's answer on the person's page", () => {
  it("shows a waiting request, and approves it (audited as the admin's) or refuses it", async () => {
    const admin = person("first.admin@corp.example");
    const linus = person("linus@corp.example");
    grantRole(linus.id, "moderator", CLI_ACTOR);
    await held(signIn("u-linus"));

    const page = await callRoute(adminPersonRoute, "loader", admin, `/admin/people/${linus.id}`, {
      personId: String(linus.id),
    });
    const { linkRequests } = (await page.json()) as {
      linkRequests: Array<{ id: number; subject: string; accountName: string }>;
    };
    expect(linkRequests).toMatchObject([{ subject: "u-linus", accountName: "Linus Pauling" }]);
    const requestId = String(linkRequests[0]?.id);

    // Posted on another person's page, the request is not found there, and nothing changes.
    const grace = person("grace@corp.example");
    const before = snapshot();
    const elsewhere = await callRoute(
      adminPersonRoute,
      "action",
      admin,
      `/admin/people/${grace.id}`,
      { personId: String(grace.id) },
      { intent: "approve-link", requestId },
    );
    expect(elsewhere.status).toBe(404);
    expect(
      fingerprintChanges(before, snapshot()).filter((t) => !/^(sessions|sqlite_sequence) /.test(t)),
    ).toEqual([]);

    const approved = await callRoute(
      adminPersonRoute,
      "action",
      admin,
      `/admin/people/${linus.id}`,
      { personId: String(linus.id) },
      { intent: "approve-link", requestId },
    );
    expect(approved.status).toBe(302);
    expect(linkOf("u-linus")?.personId).toBe(linus.id);
    expect(lastAudit("identity.link")).toMatchObject({
      actorLabel: "first.admin@corp.example",
      targetId: String(linus.id),
      details: { from: null, to: "u-linus", by: "admin approval" },
    });
    expect((await signIn("u-linus")).personId).toBe(linus.id);
    expect(rolesOf(linus.id)).toEqual(["moderator"]);

    await held(signIn("u-linus-2"));
    const second = db()
      .select()
      .from(identityLinkRequests)
      .where(and(eq(identityLinkRequests.email, linus.email), eq(identityLinkRequests.subject, "u-linus-2")))
      .get();
    const refused = await callRoute(
      adminPersonRoute,
      "action",
      admin,
      `/admin/people/${linus.id}`,
      { personId: String(linus.id) },
      { intent: "refuse-link", requestId: String(second?.id) },
    );
    expect(refused.status).toBe(302);
    expect(lastAudit("identity.link-refuse")).toMatchObject({
      actorLabel: "first.admin@corp.example",
      details: { to: "u-linus-2", by: "admin" },
    });
    expect(linkOf("u-linus-2")).toBeUndefined();
    expect(linkOf("u-linus")?.personId).toBe(linus.id);
  });
});

describe("the same rule through SAML", () => {
  // samlify's schema validator loads its WebAssembly on first use (seconds): here, not in the test.
  beforeAll(() => saml.warmUp(), 120_000);

  it("holds a role holder's address under a new NameID (the assertion used up), and links it once the mailbox confirms", async () => {
    const ops = person("ops.admin@corp.example");
    const user = { nameId: "00u-ops-persistent", email: "ops.admin@corp.example", name: "Olu Ops" };
    const samlResponse = await samlAnswer(user);
    const answered = await callRoute(
      acsRoute,
      "action",
      null,
      "/auth/saml/acs",
      {},
      { SAMLResponse: samlResponse },
    );
    expect(answered.status).toBe(403);
    expect(answered.headers.get("Set-Cookie") ?? "").not.toContain("__session=");
    expect(((await answered.json()) as { error: string }).error).toContain(
      "a new Corp sign-in is connected to it only once confirmed",
    );
    expect(linkOf("00u-ops-persistent")).toBeUndefined();
    expect(rolesOf(ops.id)).toEqual(["admin"]);
    // The held answer was used: it cannot be posted again.
    expect(await thrown(completeSamlSignIn(samlResponse))).toBeInstanceOf(SamlSignInRefused);

    const confirmed = await pressButton(await linkFor("ops.admin@corp.example", "Olu Ops"), "confirm");
    expect(confirmed.status).toBe(302);
    expect(linkOf("00u-ops-persistent")).toMatchObject({
      personId: ops.id,
      protocol: "saml",
      issuer: saml.entityId,
    });
    // Its OIDC link stays: one link per provider.
    expect(linkOf("u-ops")?.personId).toBe(ops.id);
    expect((await completeSamlSignIn(await samlAnswer(user))).personId).toBe(ops.id);
  });

  it("tells a German reader, in German, that the answer waits for the mailbox, naming the address and the company; a used link says it is gone", async () => {
    const user = { nameId: "00u-ops-second", email: "ops.admin@corp.example", name: "Olu Ops" };
    const answered = await callRoute(
      acsRoute,
      "action",
      null,
      "/auth/saml/acs",
      {},
      { SAMLResponse: await samlAnswer(user) },
      "de-DE,de;q=0.9",
    );
    expect(answered.status).toBe(403);
    expect(await answered.json()).toEqual({
      error:
        "ops.admin@corp.example ist hier bereits mit einem anderen Corp-Konto verbunden. Um stattdessen dieses zu verwenden, öffnen Sie den Link, den wir an ops.admin@corp.example gesendet haben (er gilt eine Stunde), oder bitten Sie die Administration, es zu genehmigen. Melden Sie sich danach erneut an.",
    });

    const token = await linkFor("ops.admin@corp.example", "Olu Ops");
    const answer = (language: string) =>
      callRoute(linkRoute, "action", null, "/sign-in/link", {}, { token, intent: "refuse" }, language);
    expect((await answer("de")).status).toBe(302);
    const gone = await answer("de");
    expect(gone.status).toBe(400);
    expect(await gone.json()).toEqual({
      error:
        "Dieser Link ist abgelaufen oder wurde bereits verwendet. Melden Sie sich erneut an, um einen neuen zu erhalten.",
    });
    expect(linkOf("00u-ops-second")).toBeUndefined();
  });
});

describe("ending what a person has open", () => {
  it("ends a person's sessions and open requests together (for an email change), and forgets expired requests within a minute", async () => {
    const ops = person("ops.admin@corp.example");
    const opsSession = (await signIn("u-ops")).sessionToken;
    await held(signIn("u-mallory"));
    const open = () =>
      db().select().from(identityLinkRequests).where(eq(identityLinkRequests.email, ops.email)).all();
    expect(open()).toHaveLength(1);
    db().transaction((tx) => endSessionsAndLinkRequests(tx, ops.id, [ops.email]));
    expect(open()).toEqual([]);
    expect(sessionUser(opsSession)).toBeNull();
    expect(linkOf("u-ops")?.personId).toBe(ops.id);

    const now = Date.now() + DAY_MS;
    await held(signInWithProviderAt("u-mallory", now));
    expect(deleteExpiredLinkRequests(now + LINK_REQUEST_TTL_MS - 1)).toBe(0);
    expect(deleteExpiredLinkRequests(now + LINK_REQUEST_TTL_MS)).toBe(1);
    expect(open()).toEqual([]);
  });
});
