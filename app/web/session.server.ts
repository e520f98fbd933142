import { redirect } from "@remix-run/node";
import { getConfig } from "../config.server";
import { can, type Permission } from "../domain/identity/permissions.server";
import { endSession, SESSION_TTL_MS, sessionUser, type User } from "../domain/identity/sessions.server";
import { saidText, say } from "../platform/said";
import type { SignInMethod } from "../vocabulary/identity";
import { cookieName } from "./cookie-names";
import { signedCookie } from "./signed-cookie.server";

/**
 * The session cookie (httpOnly, SameSite=Lax; under https Secure and named `__Host-session`, see
 * cookie-names.ts) and the guards every route uses.
 */

let cookie: ReturnType<typeof signedCookie> | undefined;
function sessionCookie() {
  const config = getConfig();
  cookie ??= signedCookie(cookieName("session", config.secureCookies), {
    httpOnly: true,
    sameSite: "lax",
    secure: config.secureCookies,
    path: "/",
    maxAge: SESSION_TTL_MS / 1000,
    secrets: [config.sessionSecret],
  });
  return cookie;
}

export const commitSessionCookie = (token: string) => sessionCookie().serialize(token);
export const clearSessionCookie = () => sessionCookie().serialize("", { maxAge: 0 });

function readToken(request: Request): string | null {
  const value: unknown = sessionCookie().parse(request.headers.get("Cookie"));
  return typeof value === "string" && value.length > 0 ? value : null;
}

type SessionLookup = { user: User; setCookie?: string } | null;

// The root loader, the route's own guard and the reader's words all ask who is signed in: one
// request looks the session up (and renews it) once. A Request lives for one request only.
const lookupOfRequest = new WeakMap<Request, Promise<SessionLookup>>();

/**
 * The signed-in person for this request, or null; `setCookie` is returned when the session was
 * renewed and the cookie should be re-sent with a fresh max-age. Remembered per request unless a
 * `now` is given (tests moving the clock).
 */
export function getSessionUser(request: Request, now?: number): Promise<SessionLookup> {
  if (now !== undefined) return lookUpSession(request, now);
  let lookup = lookupOfRequest.get(request);
  if (!lookup) {
    lookup = lookUpSession(request, Date.now());
    lookupOfRequest.set(request, lookup);
  }
  return lookup;
}

async function lookUpSession(request: Request, now: number): Promise<SessionLookup> {
  const token = readToken(request);
  if (!token) return null;
  const found = sessionUser(token, now);
  if (!found) return null;
  return found.renewed
    ? { user: found.user, setCookie: await commitSessionCookie(token) }
    : { user: found.user };
}

export async function getUser(request: Request): Promise<User | null> {
  return (await getSessionUser(request))?.user ?? null;
}

/** Signed-out visitors are sent to sign-in, coming back here afterwards. */
export async function requireUser(request: Request): Promise<User> {
  const user = await getUser(request);
  if (user) return user;
  const url = new URL(request.url);
  const back = `${url.pathname}${url.search}`;
  throw redirect(`/sign-in?${new URLSearchParams({ redirectTo: back })}`);
}

/** An API's signed-in person: a JSON 401 for a signed-out request, instead of a redirect to sign-in. */
export async function requireApiUser(request: Request): Promise<User> {
  const user = await getUser(request);
  if (!user) throw Response.json({ error: "Sign in first." }, { status: 401 });
  return user;
}

/**
 * The one guard every privileged loader and action calls: signed-out visitors go to sign-in, people
 * without the permission get 403.
 */
export async function requirePermission(request: Request, permission: Permission): Promise<User> {
  const user = await requireUser(request);
  if (!can(user, permission)) {
    throw new Response(saidText(say("server.forbidden")), {
      status: 403,
      statusText: "Forbidden",
    });
  }
  return user;
}

/** Sign out: the session row is deleted, so the cookie is worthless even if kept. Says how it had started. */
export async function revokeSession(request: Request): Promise<SignInMethod | null> {
  const token = readToken(request);
  return token ? endSession(token) : null;
}
