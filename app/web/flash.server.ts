import { createCookieSessionStorage, redirect } from "@remix-run/node";
import { getConfig } from "../config.server";
import { cookieName } from "./cookie-names";

export type Flash = { kind: "success" | "error" | "info"; message: string };

let storage:
  | ReturnType<typeof createCookieSessionStorage<Record<string, never>, { flash: Flash }>>
  | undefined;
function flashStorage() {
  const config = getConfig();
  storage ??= createCookieSessionStorage<Record<string, never>, { flash: Flash }>({
    cookie: {
      name: cookieName("flash", config.secureCookies),
      httpOnly: true,
      sameSite: "lax",
      secure: config.secureCookies,
      path: "/",
      secrets: [config.sessionSecret],
    },
  });
  return storage;
}

/** The one way to tell the next page what just happened: a one-read cookie. */
export async function redirectWithFlash(
  url: string,
  flash: Flash,
  init: { headers?: HeadersInit; status?: number } = {},
) {
  const headers = new Headers(init.headers);
  headers.append("Set-Cookie", await flashCookie(flash));
  return redirect(url, { headers, status: init.status });
}

/**
 * The same cookie for a response that is not a redirect (a fetcher's): Remix then revalidates the
 * root loader, which reads and shows it.
 */
export async function flashCookie(flash: Flash): Promise<string> {
  const store = flashStorage();
  const session = await store.getSession();
  session.flash("flash", flash);
  return store.commitSession(session);
}

/** Reads and clears the flash; send `setCookie` with the response when present. */
export async function readFlash(request: Request): Promise<{ flash: Flash | null; setCookie?: string }> {
  const store = flashStorage();
  const cookieHeader = request.headers.get("Cookie");
  if (!cookieHeader?.includes(`${cookieName("flash", getConfig().secureCookies)}=`)) return { flash: null };
  const session = await store.getSession(cookieHeader);
  const flash = session.get("flash") ?? null;
  return { flash, setCookie: await store.commitSession(session) };
}
