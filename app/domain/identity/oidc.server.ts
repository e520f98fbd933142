import { and, eq, gt, lte } from "drizzle-orm";
import * as oidc from "openid-client";
import { getDb } from "../../../db/client";
import { oidcSignIns } from "../../../db/schema";
import { companyWords, getConfig, type OidcConfig } from "../../config.server";
import { Refusal } from "../../platform/refusal";
import { say } from "../../platform/said";
import { enforceRateLimits, type RateLimitRule } from "../../platform/security/rate-limits.server";
import { hashToken } from "../../platform/security/tokens.server";
import { absoluteUrl } from "../../platform/site/addresses.server";
import {
  claimList,
  claimText,
  type ProviderSignInResult,
  signInWithProvider,
} from "./provider-sign-in.server";

/**
 * Sign-in with the company's OpenID Provider (openid-client): the authorization code flow with PKCE,
 * `state` and `nonce`, the provider found by discovery from OIDC_ISSUER. What the browser must bring
 * back (state, nonce, the PKCE verifier, where to go after) is returned to the web layer, which keeps
 * it in a short-lived signed httpOnly cookie. The server keeps only a hash of each started sign-in's
 * `state` (oidc_sign_ins), deleted by the first callback that presents it — before the code is
 * exchanged, whether the exchange then succeeds or fails — so a copied cookie cannot be replayed
 * with made-up codes: each replay would cost a token request signed with our client secret.
 */

export const OIDC_PENDING_TTL_MS = 10 * 60_000;

/**
 * Per connecting address: starting a sign-in writes a row, and each callback may cost a token request
 * to the provider. Generous, as a whole office may sign in at nine from one address (as SAML's).
 */
export const OIDC_LIMITS_PER_IP: { start: RateLimitRule; callback: RateLimitRule } = {
  start: { limit: 300, windowMs: 15 * 60_000 },
  callback: { limit: 300, windowMs: 15 * 60_000 },
};

export type PendingOidcSignIn = {
  state: string;
  nonce: string;
  verifier: string;
  redirectTo: string;
};

/** A provider's answer that cannot be used (forged, expired, replayed, another attempt's): 400. */
export class OidcSignInRefused extends Refusal {}

const unreachable = () => new OidcSignInRefused(say("identity.refusal.unreachable", companyWords()), 503);

let discovered: { key: string; configuration: Promise<oidc.Configuration> } | undefined;

function requireOidc(): OidcConfig {
  const config = getConfig().oidc;
  if (!config) throw new OidcSignInRefused(say("identity.refusal.oidc.notConfigured"), 404);
  return config;
}

/** Discovery once per process (again after a failure): the provider's metadata and its keys. */
function providerConfiguration(config: OidcConfig): Promise<oidc.Configuration> {
  const key = `${config.issuer} ${config.clientId}`;
  if (discovered?.key === key) return discovered.configuration;
  const configuration = oidc
    .discovery(
      new URL(config.issuer),
      config.clientId,
      undefined,
      oidc.ClientSecretBasic(config.clientSecret),
      config.allowInsecure ? { execute: [oidc.allowInsecureRequests] } : undefined,
    )
    .then((configuration) => {
      // openid-client trusts an ID token from the token endpoint by TLS alone (OIDC Core 3.1.3.7);
      // this also verifies its signature with the provider's published keys, so a forged or altered
      // token is refused whatever the transport.
      oidc.enableNonRepudiationChecks(configuration);
      return configuration;
    })
    .catch((error: unknown) => {
      discovered = undefined;
      console.error(`[oidc] discovery at ${config.issuer} failed: ${describe(error)}`);
      throw unreachable();
    });
  discovered = { key, configuration };
  return configuration;
}

export const oidcCallbackUrl = () => absoluteUrl("/auth/oidc/callback");

/** Step 1: where to send the browser, and what it must bring back (for the cookie). */
export async function startOidcSignIn(
  redirectTo: string,
  ip: string | null = null,
  now = Date.now(),
): Promise<{ url: string; pending: PendingOidcSignIn }> {
  const config = requireOidc();
  await enforceRateLimits(
    [[`oidc-start:ip:${ip ?? "unknown"}`, OIDC_LIMITS_PER_IP.start]],
    "identity.refusal.tooManyAttempts",
    now,
  );
  const configuration = await providerConfiguration(config);
  const verifier = oidc.randomPKCECodeVerifier();
  const pending: PendingOidcSignIn = {
    state: oidc.randomState(),
    nonce: oidc.randomNonce(),
    verifier,
    redirectTo,
  };
  const url = oidc.buildAuthorizationUrl(configuration, {
    redirect_uri: oidcCallbackUrl(),
    scope: config.scopes,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state: pending.state,
    nonce: pending.nonce,
  });
  getDb()
    .insert(oidcSignIns)
    .values({ stateHash: hashToken(pending.state), expiresAt: new Date(now + OIDC_PENDING_TTL_MS) })
    .run();
  return { url: url.href, pending };
}

/** Uses up the started sign-in `pending` names: true the first time, false ever after (or once expired). */
function consumePending(pending: PendingOidcSignIn, now: number): boolean {
  const deleted = getDb()
    .delete(oidcSignIns)
    .where(and(eq(oidcSignIns.stateHash, hashToken(pending.state)), gt(oidcSignIns.expiresAt, new Date(now))))
    .run();
  return deleted.changes === 1;
}

/** The sweeper's part: sign-ins started and never come back are forgotten once expired. */
export function deleteExpiredOidcState(now = Date.now()): number {
  return getDb()
    .delete(oidcSignIns)
    .where(lte(oidcSignIns.expiresAt, new Date(now)))
    .run().changes;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return `${error.name}${typeof code === "string" ? ` ${code}` : ""}`;
}

/** What each kind of failure tells the person (never a token; the log gets the error's kind only). */
function refusalFor(error: unknown): Refusal {
  if (error instanceof Refusal) return error;
  console.error(`[oidc] sign-in refused: ${describe(error)}`);
  if (error instanceof oidc.AuthorizationResponseError) {
    return new OidcSignInRefused(
      say(
        error.error === "access_denied"
          ? "identity.refusal.oidc.cancelled"
          : "identity.refusal.oidc.notSignedIn",
      ),
      400,
    );
  }
  if (error instanceof oidc.ResponseBodyError) {
    return new OidcSignInRefused(say("identity.refusal.oidc.codeUsed"), 400);
  }
  if (error instanceof TypeError) return unreachable();
  return new OidcSignInRefused(say("identity.refusal.oidc.notVerified"), 400);
}

/**
 * Step 2, at the callback (counted per connecting address): the started sign-in is used up first, so
 * it makes at most one token request; then the code is exchanged (with the PKCE verifier) and the ID
 * token checked (signature, issuer, audience, expiry, nonce) by openid-client; the state must be this
 * browser's. Claims from the ID token, completed by the userinfo endpoint when the provider has one.
 */
export async function completeOidcSignIn(
  callbackSearch: string,
  pending: PendingOidcSignIn | null,
  ip: string | null = null,
  now = Date.now(),
): Promise<ProviderSignInResult & { redirectTo: string }> {
  const config = requireOidc();
  await enforceRateLimits(
    [[`oidc-callback:ip:${ip ?? "unknown"}`, OIDC_LIMITS_PER_IP.callback]],
    "identity.refusal.tooManyAttempts",
    now,
  );
  if (!pending) {
    throw new OidcSignInRefused(say("identity.refusal.oidc.otherBrowser"), 400);
  }
  if (!consumePending(pending, now)) {
    throw new OidcSignInRefused(say("identity.refusal.oidc.used"), 400);
  }
  const configuration = await providerConfiguration(config);
  const current = new URL(oidcCallbackUrl());
  current.search = callbackSearch;
  let claims: Record<string, unknown>;
  try {
    const tokens = await oidc.authorizationCodeGrant(configuration, current, {
      pkceCodeVerifier: pending.verifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    const idToken = tokens.claims();
    if (!idToken) throw new OidcSignInRefused(say("identity.refusal.oidc.noIdToken"), 400);
    claims = { ...idToken };
    if (configuration.serverMetadata().userinfo_endpoint && tokens.access_token) {
      const userinfo = await oidc.fetchUserInfo(configuration, tokens.access_token, idToken.sub);
      claims = { ...claims, ...userinfo };
    }
  } catch (error) {
    throw refusalFor(error);
  }
  const names = getConfig().claims;
  const result = signInWithProvider(
    {
      protocol: "oidc",
      issuer: String(claims.iss),
      subject: String(claims.sub),
      email: claimText(claims[names.email]) ?? null,
      emailVerified: config.emailsVerified || claims.email_verified === true,
      name: claimText(claims[names.name]),
      department: claimText(claims[names.department], 100),
      location: claimText(claims[names.location], 100),
      groups: claimList(claims[names.groups]),
    },
    now,
  );
  return { ...result, redirectTo: pending.redirectTo };
}

/**
 * RP-initiated logout: the provider's end_session_endpoint, when it advertises one, coming back to
 * the home page; null otherwise (or when the provider cannot be reached: the session here is over).
 */
export async function oidcLogoutUrl(): Promise<string | null> {
  const config = getConfig().oidc;
  if (!config) return null;
  try {
    const configuration = await providerConfiguration(config);
    if (!configuration.serverMetadata().end_session_endpoint) return null;
    return oidc.buildEndSessionUrl(configuration, { post_logout_redirect_uri: absoluteUrl("/") }).href;
  } catch {
    return null;
  }
}
