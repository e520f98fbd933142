import { createCookie } from "@remix-run/node";
import { z } from "zod";
import { getConfig } from "../config.server";
import { OIDC_PENDING_TTL_MS, type PendingOidcSignIn } from "../domain/identity/oidc.server";

/**
 * What the browser brings back from the OpenID Provider (state, nonce, PKCE verifier, where to go):
 * a signed httpOnly cookie, SameSite=Lax (the provider's redirect back is a top-level GET), sent only
 * to the callback, for ten minutes, cleared when the callback has used it. Nothing is stored on the
 * server for a sign-in that never comes back.
 */
let cookie: ReturnType<typeof createCookie> | undefined;
function pendingCookie() {
  const config = getConfig();
  cookie ??= createCookie("__oidc", {
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
