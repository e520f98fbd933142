/**
 * The names of the app's cookies. Under an https `APP_URL` each takes the strongest prefix it can:
 * - `__Host-` (the browser keeps it only if it is Secure, has Path=/ and no Domain) for the session
 *   and the flash: no other host of the company's domain, and no page over plain http, can set or
 *   replace them. Unprefixed, a colleague's browser would take a `__session` cookie that any sibling
 *   host (`*.corp.example`) set for the whole domain — signing them in as someone else (cookie tossing).
 * - `__Secure-` (kept only if Secure) for the pending sign-in cookies, which stay scoped to their
 *   callback paths (`/auth/oidc`, `/auth/saml`), as `__Host-` forbids: they reach no other page.
 * Over plain http (development) browsers refuse Secure cookies, so the names have no prefix.
 *
 * Renaming the session cookie signed everyone out once (docs/identity.md, "Cookies"): the old name
 * is never read, since reading it would keep accepting a tossed cookie.
 */
export type CookieBase = "session" | "flash" | "oidc" | "saml";

const PREFIX: Record<CookieBase, "__Host-" | "__Secure-"> = {
  session: "__Host-",
  flash: "__Host-",
  oidc: "__Secure-",
  saml: "__Secure-",
};

export const cookieName = (base: CookieBase, secure: boolean): string =>
  secure ? `${PREFIX[base]}${base}` : `__${base}`;

/** Whether a request's Cookie header (or a Set-Cookie line) carries the session cookie, under either name. */
export const hasSessionCookie = (header: string): boolean => /(?:^|;\s*)(?:__Host-|__)session=/.test(header);
