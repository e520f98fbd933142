import { eq } from "drizzle-orm";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { type LocalAccount, startLocalIdp } from "../../app/demo/local-idp";
import {
  completeOidcSignIn,
  OidcSignInRefused,
  oidcLogoutUrl,
  type PendingOidcSignIn,
  startOidcSignIn,
} from "../../app/domain/identity/oidc.server";
import { grantRole, RoleChangeError, rolesOf } from "../../app/domain/identity/permissions.server";
import { sessionUser } from "../../app/domain/identity/sessions.server";
import { findPersonByEmail, setPersonActive } from "../../app/domain/people/directory.server";
import { CLI_ACTOR } from "../../app/platform/audit.server";
import { getDb } from "../../db/client";
import { auditLog, externalIdentities, sessions } from "../../db/schema";
import { importSampleDirectory, thrown } from "../support/fixtures";
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

async function refused(search: string, pending: PendingOidcSignIn | null) {
  const before = snapshot();
  const error = await thrown(completeOidcSignIn(search, pending));
  expect(error).toBeInstanceOf(OidcSignInRefused);
  expect((error as OidcSignInRefused).status).toBe(400);
  expect(fingerprintChanges(before, snapshot())).toEqual([]);
  return error as OidcSignInRefused;
}

beforeEach(() => {
  idp.setTokenHook(null);
});

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

  it("links a directory person by a verified email once, then knows them by (issuer, subject) even when the email changes", async () => {
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
    account.email = "ada@corp.example";
  });

  it("never matches by an unverified email: nobody is linked, created or signed in", async () => {
    importSampleDirectory();
    const { search, pending } = await toCallback("u-unverified");
    const before = snapshot();
    const error = await thrown(completeOidcSignIn(search, pending));
    expect(error).toMatchObject({ status: 403 });
    expect(fingerprintChanges(before, snapshot())).toEqual([]);
  });

  it("refuses a deactivated person", async () => {
    const { personId } = await signIn("u-ada");
    setPersonActive(personId, false, CLI_ACTOR);
    const { search, pending } = await toCallback("u-ada");
    const before = snapshot();
    const error = await thrown(completeOidcSignIn(search, pending));
    expect(error).toMatchObject({ status: 403 });
    expect(fingerprintChanges(before, snapshot())).toEqual([]);
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

  it("refuses an expired code and a code used twice", async () => {
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
