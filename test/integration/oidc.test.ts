import { eq } from "drizzle-orm";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { type LocalAccount, startLocalIdp } from "../../app/demo/local-idp";
import {
  completeOidcSignIn,
  deleteExpiredOidcState,
  OIDC_LIMITS_PER_IP,
  OIDC_PENDING_TTL_MS,
  OidcSignInRefused,
  oidcLogoutUrl,
  type PendingOidcSignIn,
  startOidcSignIn,
} from "../../app/domain/identity/oidc.server";
import { grantRole, RoleChangeError, rolesOf } from "../../app/domain/identity/permissions.server";
import { sessionUser } from "../../app/domain/identity/sessions.server";
import { findPersonByEmail, setPersonActive } from "../../app/domain/people/directory.server";
import { RateLimited } from "../../app/platform/refusal";
import { CLI_ACTOR } from "../../app/platform/security/audit.server";
import { resetRateLimits } from "../../app/platform/security/rate-limits.server";
import { hashToken } from "../../app/platform/security/tokens.server";
import { DAY_MS } from "../../app/platform/time";
import * as callbackRoute from "../../app/routes/auth.oidc.callback";
import * as providerRoute from "../../app/routes/sign-in_.provider";
import { getDb } from "../../db/client";
import { auditLog, externalIdentities, oidcSignIns, outbox, sessions } from "../../db/schema";
import { callRoute, importSampleDirectory, thrown } from "../support/fixtures";
import { authorizeAtProvider, forgeIdToken, tamperIdToken } from "../support/oidc-flow";
import { fingerprint, fingerprintChanges } from "../support/server-database";

/**
 * Sign-in with a real OpenID Provider (oidc-provider, started in this process on 127.0.0.1): the
 * code flow with PKCE, state and nonce through openid-client, and everything a forged, tampered,
 * expired, replayed or mismatched answer must not do.
 */
const CALLBACK = "http://undersigned.test:3000/auth/oidc/callback";
const accounts: LocalAccount[] = [
  {
    sub: "u-1001",
    email: "new.person@corp.example",
    name: "Nia Newcomer",
    department: "Finance",
    locality: "Lisbon",
    groups: ["everyone"],
  },
  {
    sub: "u-ada",
    email: "ada@corp.example",
    name: "Ada Lovelace",
    department: "Engineering",
    locality: "London",
  },
  { sub: "u-unverified", email: "grace@corp.example", name: "Not Grace", emailVerified: false },
  { sub: "u-boss", email: "admin.person@corp.example", name: "Bo Boss", groups: ["undersigned-admins"] },
];
const idp = await startLocalIdp({
  clientId: "undersigned-test",
  clientSecret: "a-test-secret-of-enough-length",
  redirectUris: [CALLBACK],
  postLogoutRedirectUris: ["http://undersigned.test:3000/"],
  accounts,
});
process.env.OIDC_ISSUER = idp.issuer;
process.env.OIDC_CLIENT_ID = "undersigned-test";
process.env.OIDC_CLIENT_SECRET = "a-test-secret-of-enough-length";
process.env.COMPANY_NAME = "Corp";
process.env.IDP_ROLE_GROUPS = "admin=undersigned-admins";
afterAll(() => idp.stop());

const db = () => getDb();
const snapshot = () => fingerprint(db().$client);
/** What changed since `before`, but the started sign-in a callback uses up (it works once, however it ends). */
const changedBesidesPending = (before: ReturnType<typeof snapshot>) =>
  fingerprintChanges(before, snapshot()).filter((t) => !t.startsWith("oidc_sign_ins "));

/** One sign-in as far as the callback: where the provider sent the browser, and the cookie's contents. */
async function toCallback(sub: string, redirectTo = "/petitions") {
  const { url, pending } = await startOidcSignIn(redirectTo);
  const callback = await authorizeAtProvider(url, sub, CALLBACK);
  return { search: callback.search, pending };
}

async function signIn(sub: string) {
  const { search, pending } = await toCallback(sub);
  return completeOidcSignIn(search, pending);
}

/** Refused with a 400, and nothing changed — but the pending sign-in it presented, which is used up. */
async function refused(search: string, pending: PendingOidcSignIn | null) {
  const before = snapshot();
  const error = await thrown(completeOidcSignIn(search, pending));
  expect(error).toBeInstanceOf(OidcSignInRefused);
  expect((error as OidcSignInRefused).status).toBe(400);
  expect(changedBesidesPending(before)).toEqual([]);
  return error as OidcSignInRefused;
}

/** Counts the token requests the provider answers (the app's client secret goes with each). */
let tokenRequests = 0;
beforeEach(() => {
  // Tests count sign-ins at instants of their own (one a day ahead): each starts with no counts.
  resetRateLimits();
  tokenRequests = 0;
  idp.setTokenHook((body) => {
    tokenRequests++;
    return body;
  });
});

/** A browser's sign-in through the real routes, as far as the callback: its address and the cookie. */
async function browserToCallback(sub: string) {
  const started = await callRoute(
    providerRoute,
    "action",
    null,
    "/sign-in/provider",
    {},
    { protocol: "oidc" },
  );
  expect(started.status).toBe(302);
  const cookie = (started.headers.get("Set-Cookie") ?? "").split(";")[0] ?? "";
  expect(cookie).toMatch(/^__oidc=./);
  const callback = await authorizeAtProvider(started.headers.get("Location") ?? "", sub, CALLBACK);
  return { callback, cookie };
}

/** The callback route as the browser (or someone holding a copy of its cookie) calls it. */
async function callCallback(url: URL | string, cookie: string, clientIp = "192.0.2.1", language?: string) {
  const request = new Request(url, {
    headers: { Cookie: cookie, ...(language ? { "Accept-Language": language } : {}) },
  });
  try {
    return await callbackRoute.loader({ request, params: {}, context: { clientIp, cspNonce: "" } });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

/** The callback's address with another code, the state kept: what a replay with a made-up code sends. */
function withCode(callback: URL, code: string): URL {
  const url = new URL(callback);
  url.searchParams.set("code", code);
  return url;
}

describe("signing in with the company's OpenID Provider", () => {
  it("sends the browser to the provider with PKCE (S256), state and nonce, back to APP_URL's callback", async () => {
    const { url, pending } = await startOidcSignIn("/petitions");
    const request = new URL(url);
    expect(request.origin).toBe(idp.issuer);
    expect(request.searchParams.get("redirect_uri")).toBe(CALLBACK);
    expect(request.searchParams.get("code_challenge_method")).toBe("S256");
    expect(request.searchParams.get("code_challenge")).toMatch(/^[\w-]{43}$/);
    expect(request.searchParams.get("state")).toBe(pending.state);
    expect(request.searchParams.get("nonce")).toBe(pending.nonce);
    expect(request.searchParams.get("scope")).toBe("openid email profile");
    expect(url).not.toContain(pending.verifier);
  });

  it("creates a person from the claims on the first sign-in, department and location included, and updates them on the next", async () => {
    const first = await signIn("u-1001");
    expect(first.redirectTo).toBe("/petitions");
    const person = findPersonByEmail(db(), "new.person@corp.example");
    expect(person).toMatchObject({
      name: "Nia Newcomer",
      department: "Finance",
      location: "Lisbon",
      inDirectory: true,
      active: true,
    });
    expect(person?.firstSignedInAt).not.toBeNull();
    expect(sessionUser(first.sessionToken)?.user.id).toBe(person?.id);
    const session = db()
      .select()
      .from(sessions)
      .where(eq(sessions.personId, person?.id ?? 0))
      .get();
    expect(session?.method).toBe("oidc");
    expect(
      db().select().from(externalIdentities).where(eq(externalIdentities.subject, "u-1001")).get(),
    ).toMatchObject({
      personId: person?.id,
      issuer: idp.issuer,
      protocol: "oidc",
    });

    const account = idp.accounts.get("u-1001");
    if (!account) throw new Error("no account");
    Object.assign(account, { department: "Treasury", locality: "Porto", name: "Nia N. Newcomer" });
    const second = await signIn("u-1001");
    expect(second.personId).toBe(person?.id);
    expect(findPersonByEmail(db(), "new.person@corp.example")).toMatchObject({
      name: "Nia N. Newcomer",
      department: "Treasury",
      location: "Porto",
    });
  });

  it("links a directory person by a verified email once, then knows them by (issuer, subject) even when the email changes: their other sessions end, the old address is told, the audit says from what to what", async () => {
    importSampleDirectory();
    const ada = findPersonByEmail(db(), "ada@corp.example");
    const result = await signIn("u-ada");
    expect(result.personId).toBe(ada?.id);
    const account = idp.accounts.get("u-ada");
    if (!account) throw new Error("no account");
    account.email = "ada.lovelace@corp.example";
    const again = await signIn("u-ada");
    expect(again.personId).toBe(ada?.id);
    expect(findPersonByEmail(db(), "ada.lovelace@corp.example")?.id).toBe(ada?.id);
    expect(sessionUser(result.sessionToken)).toBeNull();
    expect(sessionUser(again.sessionToken)?.user.id).toBe(ada?.id);
    const told = db().select().from(outbox).where(eq(outbox.kind, "account.email-changed")).all().at(-1);
    expect(told).toMatchObject({ toAddress: "ada@corp.example" });
    const audit = db().select().from(auditLog).where(eq(auditLog.action, "person.email-change")).all().at(-1);
    expect(audit?.actorLabel).toBe("identity-provider");
    expect(audit?.details).toMatchObject({ from: "ada@corp.example", to: "ada.lovelace@corp.example" });
    account.email = "ada@corp.example";
  });

  it("never matches by an unverified email: nobody is linked, created or signed in", async () => {
    importSampleDirectory();
    const { search, pending } = await toCallback("u-unverified");
    const before = snapshot();
    const error = await thrown(completeOidcSignIn(search, pending));
    expect(error).toMatchObject({ status: 403 });
    expect(changedBesidesPending(before)).toEqual([]);
  });

  it("refuses a deactivated person", async () => {
    const { personId } = await signIn("u-ada");
    setPersonActive(personId, false, CLI_ACTOR);
    const { search, pending } = await toCallback("u-ada");
    const before = snapshot();
    const error = await thrown(completeOidcSignIn(search, pending));
    expect(error).toMatchObject({ status: 403 });
    expect(changedBesidesPending(before)).toEqual([]);
    setPersonActive(personId, true, CLI_ACTOR);
  });
});

describe("answers that must not sign anyone in", () => {
  it("refuses a tampered ID token (its claims changed, the signature kept)", async () => {
    for (const change of [{ email: "ceo@corp.example" }, { department: "Board" }, { exp: 4_000_000_000 }]) {
      idp.setTokenHook((body) => ({ ...body, id_token: tamperIdToken(String(body.id_token), change) }));
      const { search, pending } = await toCallback("u-1001");
      await refused(search, pending);
    }
  });

  it("refuses an ID token whose audience, issuer or expiry was changed", async () => {
    for (const change of [{ aud: "another-client" }, { iss: "http://127.0.0.1:1" }, { exp: 1_000_000 }]) {
      idp.setTokenHook((body) => ({ ...body, id_token: tamperIdToken(String(body.id_token), change) }));
      const { search, pending } = await toCallback("u-1001");
      await refused(search, pending);
    }
  });

  it("refuses an ID token signed by another key", async () => {
    idp.setTokenHook((body) => ({ ...body, id_token: forgeIdToken(String(body.id_token)) }));
    const { search, pending } = await toCallback("u-1001");
    await refused(search, pending);
  });

  it("refuses an ID token whose nonce is not this browser's", async () => {
    const { search, pending } = await toCallback("u-1001");
    await refused(search, { ...pending, nonce: "another-attempts-nonce" });
  });

  it("refuses a state that is not this browser's, and a callback without the pending cookie", async () => {
    const mine = await toCallback("u-1001");
    const theirs = await toCallback("u-1001");
    await refused(theirs.search, mine.pending);
    await refused(mine.search, null);
    const tampered = new URLSearchParams(mine.search);
    tampered.set("state", "forged");
    await refused(`?${tampered}`, mine.pending);
  });

  it("refuses an expired code, and a callback presented again after signing in", async () => {
    const expired = await toCallback("u-1001");
    idp.expireCodes();
    await refused(expired.search, expired.pending);

    const once = await toCallback("u-1001");
    await completeOidcSignIn(once.search, once.pending);
    await refused(once.search, once.pending);
  });

  it("refuses an error from the provider (the person cancelled)", async () => {
    const { pending } = await toCallback("u-1001");
    await refused(
      `?error=access_denied&state=${pending.state}&iss=${encodeURIComponent(idp.issuer)}`,
      pending,
    );
  });
});

describe("a pending sign-in works once", () => {
  it("a copied cookie replayed with made-up codes after the sign-in makes no token request", async () => {
    const { callback, cookie } = await browserToCallback("u-1001");
    const signedIn = await callCallback(callback, cookie);
    expect(signedIn.status).toBe(302);
    expect(signedIn.headers.get("Set-Cookie")).toContain("__session=");
    expect(tokenRequests).toBe(1);

    const before = snapshot();
    for (let i = 0; i < 50; i++) {
      const replay = await callCallback(withCode(callback, `made-up-${i}`), cookie);
      expect(replay.status).toBe(400);
      expect(replay.headers.get("Set-Cookie") ?? "").not.toContain("__session=");
      expect(await replay.json()).toEqual({
        error: "This sign-in was already used or has expired. Please sign in again.",
      });
    }
    const again = await callCallback(callback, cookie);
    expect(again.status).toBe(400);
    expect(tokenRequests).toBe(1);
    expect(fingerprintChanges(before, snapshot())).toEqual([]);
  });

  it("is used up by a callback whose exchange fails: the real code cannot follow it", async () => {
    const { callback, cookie } = await browserToCallback("u-1001");
    const guessed = await callCallback(withCode(callback, "made-up"), cookie);
    expect(guessed.status).toBe(400);
    expect(tokenRequests).toBe(1);
    const real = await callCallback(callback, cookie);
    expect(real.status).toBe(400);
    expect(real.headers.get("Set-Cookie") ?? "").not.toContain("__session=");
    expect(tokenRequests).toBe(1);
  });

  it("counts callbacks per connecting address: past the limit, 429 with Retry-After, no token request, the sign-in not used up", async () => {
    const now = Date.now();
    const ip = "198.51.100.7";
    for (let i = 0; i < OIDC_LIMITS_PER_IP.callback.limit; i++) {
      await expect(completeOidcSignIn("?code=x&state=y", null, ip, now)).rejects.toBeInstanceOf(
        OidcSignInRefused,
      );
    }
    const { url, pending } = await startOidcSignIn("/petitions", "203.0.113.1", now);
    const callback = await authorizeAtProvider(url, "u-1001", CALLBACK);
    const limited = await thrown(completeOidcSignIn(callback.search, pending, ip, now + 1000));
    expect(limited).toBeInstanceOf(RateLimited);
    expect((limited as RateLimited).retryAfterMs).toBeGreaterThan(0);
    expect(tokenRequests).toBe(0);
    // Another address is not held back by this one's attempts.
    const signedIn = await completeOidcSignIn(callback.search, pending, "203.0.113.1", now + 1000);
    expect(signedIn.sessionToken).toBeTruthy();

    // Through the route (its clock set to the same moment): the 429 carries Retry-After.
    vi.useFakeTimers({ toFake: ["Date"], now: now + 2000 });
    try {
      const answer = await callCallback(`${CALLBACK}${callback.search}`, "", ip);
      expect(answer.status).toBe(429);
      expect(Number(answer.headers.get("Retry-After"))).toBeGreaterThan(0);
    } finally {
      vi.useRealTimers();
    }
    expect(tokenRequests).toBe(1);
  });

  it("forgets a sign-in started and never come back once it has expired", async () => {
    const now = Date.now() + DAY_MS;
    const { pending } = await startOidcSignIn("/petitions", null, now);
    const kept = () =>
      db()
        .select()
        .from(oidcSignIns)
        .where(eq(oidcSignIns.stateHash, hashToken(pending.state)))
        .get() !== undefined;
    deleteExpiredOidcState(now + OIDC_PENDING_TTL_MS - 1);
    expect(kept()).toBe(true);
    expect(deleteExpiredOidcState(now + OIDC_PENDING_TTL_MS)).toBe(1);
    expect(kept()).toBe(false);
    await refused("?code=x", pending);
    expect(tokenRequests).toBe(0);
  });
});

describe("roles from the provider", () => {
  it("gives and takes a mapped role at each sign-in, audited, and the admin page may not change it", async () => {
    const first = await signIn("u-boss");
    expect(rolesOf(first.personId)).toEqual(["admin"]);
    const grant = db().select().from(auditLog).where(eq(auditLog.action, "role.grant")).all().at(-1);
    expect(grant).toMatchObject({ actorLabel: "identity-provider", targetId: String(first.personId) });

    const account = idp.accounts.get("u-boss");
    if (!account) throw new Error("no account");
    account.groups = ["everyone"];
    // Unmapped roles stay the admin page's.
    grantRole(first.personId, "moderator", CLI_ACTOR);
    await signIn("u-boss");
    expect(rolesOf(first.personId)).toEqual(["moderator"]);
    expect(db().select().from(auditLog).where(eq(auditLog.action, "role.revoke")).all().at(-1)).toMatchObject(
      {
        actorLabel: "identity-provider",
      },
    );
    expect(() => grantRole(first.personId, "admin", CLI_ACTOR)).toThrow(RoleChangeError);
  });
});

describe("signing out", () => {
  it("sends the browser to the provider's end_session_endpoint, which comes back home", async () => {
    const url = new URL((await oidcLogoutUrl()) ?? "");
    expect(url.origin).toBe(idp.issuer);
    expect(url.searchParams.get("client_id")).toBe("undersigned-test");
    expect(url.searchParams.get("post_logout_redirect_uri")).toBe("http://undersigned.test:3000/");
  });
});

describe("a refused sign-in, as the person reads it", () => {
  it("is written in the browser's language on the callback's page, while the refusal's message (the logs', the API's) stays English", async () => {
    const { callback, cookie } = await browserToCallback("u-1001");
    expect((await callCallback(callback, cookie)).status).toBe(302);

    const german = await callCallback(callback, cookie, "192.0.2.1", "de-DE,de;q=0.9");
    expect(german.status).toBe(400);
    expect(await german.json()).toEqual({
      error: "Diese Anmeldung wurde bereits verwendet oder ist abgelaufen. Bitte melden Sie sich erneut an.",
    });
    const japanese = await callCallback(callback, "", "192.0.2.1", "ja");
    expect(japanese.status).toBe(400);
    expect(await japanese.json()).toEqual({
      error:
        "このサインインは期限切れか、別のブラウザーで開始されたものです。もう一度サインインしてください。",
    });
    // An English browser reads the same words, byte for byte, as before the catalogs.
    expect(await (await callCallback(callback, "")).json()).toEqual({
      error: "This sign-in has expired or was started in another browser. Please sign in again.",
    });

    const refusal = await thrown(completeOidcSignIn(callback.search, null));
    expect(refusal).toBeInstanceOf(OidcSignInRefused);
    expect((refusal as OidcSignInRefused).message).toBe(
      "This sign-in has expired or was started in another browser. Please sign in again.",
    );
  });

  it("says the wait a rate limit asks for in the reader's words", async () => {
    const { callback, cookie } = await browserToCallback("u-1001");
    const now = Date.now();
    const ip = "198.51.100.9";
    for (let i = 0; i < OIDC_LIMITS_PER_IP.callback.limit; i++)
      await thrown(completeOidcSignIn("?code=x&state=y", null, ip, now));
    vi.useFakeTimers({ toFake: ["Date"], now });
    try {
      const french = await callCallback(callback, cookie, ip, "fr-FR");
      expect(french.status).toBe(429);
      expect(((await french.json()) as { error: string }).error).toMatch(
        /^Trop de tentatives de connexion depuis ce réseau\. Veuillez patienter \d+ secondes?, puis réessayez\.$/,
      );
      const limited = await thrown(completeOidcSignIn(callback.search, null, ip, now));
      expect((limited as RateLimited).message).toMatch(
        /^Too many sign-in attempts from this network\. Please wait \d+ seconds? and try again\.$/,
      );
    } finally {
      vi.useRealTimers();
    }
  });
});
