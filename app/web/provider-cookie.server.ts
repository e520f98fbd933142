import { createCookie } from "@remix-run/node";
import { z } from "zod";
import { getConfig } from "../config.server";
import { OIDC_PENDING_TTL_MS, type PendingOidcSignIn } from "../domain/identity/oidc.server";
import { SAML_REQUEST_TTL_MS } from "../domain/identity/saml.server";
import { cookieName } from "./cookie-names";

/**
 * What the browser brings back from the OpenID Provider (state, nonce, PKCE verifier, where to go):
 * a signed httpOnly cookie, SameSite=Lax (the provider's redirect back is a top-level GET), sent only
 * to the callback, for ten minutes, cleared when the callback has used it. Nothing is stored on the
 * server for a sign-in that never comes back.
 */
let cookie: ReturnType<typeof createCookie> | undefined;
function pendingCookie() {
  const config = getConfig();
  cookie ??= createCookie(cookieName("oidc", config.secureCookies), {
    httpOnly: true,
    sameSite: "lax",
    secure: config.secureCookies,
    path: "/auth/oidc",
    maxAge: OIDC_PENDING_TTL_MS / 1000,
    secrets: [config.sessionSecret],
  });
  return cookie;
}

const pendingSchema = z.object({
  state: z.string().min(1).max(200),
  nonce: z.string().min(1).max(200),
  verifier: z.string().min(43).max(128),
  redirectTo: z.string().max(2000),
  expiresAt: z.number(),
});

export const commitPendingOidc = (pending: PendingOidcSignIn, now = Date.now()) =>
  pendingCookie().serialize({ ...pending, expiresAt: now + OIDC_PENDING_TTL_MS });

export const clearPendingOidc = () => pendingCookie().serialize("", { maxAge: 0 });

/** The pending sign-in this browser started, or null (none, tampered with, or older than ten minutes). */
export async function readPendingOidc(request: Request, now = Date.now()): Promise<PendingOidcSignIn | null> {
  const value: unknown = await pendingCookie().parse(request.headers.get("Cookie"));
  const parsed = pendingSchema.safeParse(value);
  if (!parsed.success || parsed.data.expiresAt <= now) return null;
  const { expiresAt: _expiresAt, ...pending } = parsed.data;
  return pending;
}

/**
 * The SAML request this browser started, so that the assertion consumer accepts only the answer to
 * it (no one can post their own fresh assertion into a colleague's browser). The identity provider's
 * page posts cross-site, where only a `SameSite=None; Secure` cookie is sent: so under https only
 * (APP_URL); on a plain-http development address answers are bound to our requests, not to browsers.
 */
let samlCookie: ReturnType<typeof createCookie> | undefined;
function pendingSamlCookie() {
  const config = getConfig();
  // Set under https only (samlBrowserBinding), so always Secure.
  samlCookie ??= createCookie(cookieName("saml", config.secureCookies), {
    httpOnly: true,
    sameSite: "none",
    secure: true,
    path: "/auth/saml",
    maxAge: SAML_REQUEST_TTL_MS / 1000,
    secrets: [config.sessionSecret],
  });
  return samlCookie;
}

/** Whether SAML answers are bound to the browser that asked (https only). */
export const samlBrowserBinding = () => getConfig().secureCookies;

export const commitPendingSaml = (requestId: string) => pendingSamlCookie().serialize(requestId);

export const clearPendingSaml = () => pendingSamlCookie().serialize("", { maxAge: 0 });

/** The request id this browser's cookie names, or null (none, tampered with, or expired). */
export async function readPendingSaml(request: Request): Promise<string | null> {
  const value: unknown = await pendingSamlCookie().parse(request.headers.get("Cookie"));
  return typeof value === "string" && value.length > 0 && value.length <= 200 ? value : null;
}
