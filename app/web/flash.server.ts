import { redirect } from "@remix-run/node";
import { getConfig } from "../config.server";
import { asciiPath } from "../platform/site/addresses.server";
import { cookieName } from "./cookie-names";
import { signedCookie } from "./signed-cookie.server";

export type Flash = { kind: "success" | "error" | "info"; message: string };

/**
 * The flash cookie, in the format of Remix's cookie session storage (createCookieSessionStorage),
 * which it was made with: the session's data signed into the cookie, a flash named "flash" kept
 * under this key until read. Written through signedCookie: a signature's redirect carries one.
 */
const FLASH_KEY = "__flash_flash__";
/** Browsers keep cookies up to 4 KiB; Remix's storage refused to write a longer one, and so does this. */
const MAX_COOKIE_LENGTH = 4096;

let cookie: ReturnType<typeof signedCookie> | undefined;
function flashStore() {
  const config = getConfig();
  cookie ??= signedCookie(cookieName("flash", config.secureCookies), {
    httpOnly: true,
    sameSite: "lax",
    secure: config.secureCookies,
    path: "/",
    secrets: [config.sessionSecret],
  });
  return cookie;
}

async function commit(data: Record<string, unknown>): Promise<string> {
  const serialized = await flashStore().serialize(data);
  if (serialized.length > MAX_COOKIE_LENGTH)
    throw new Error(`Cookie length will exceed browser maximum. Length: ${serialized.length}`);
  return serialized;
}

/** The one way to tell the next page what just happened: a one-read cookie. */
export async function redirectWithFlash(
  url: string,
  flash: Flash,
  init: { headers?: HeadersInit; status?: number } = {},
) {
  const headers = new Headers(init.headers);
  headers.append("Set-Cookie", await flashCookie(flash));
  // A Location header carries ASCII only: a Japanese address goes percent-encoded.
  return redirect(asciiPath(url), { headers, status: init.status });
}

/**
 * The same cookie for a response that is not a redirect (a fetcher's): Remix then revalidates the
 * root loader, which reads and shows it.
 */
export function flashCookie(flash: Flash): Promise<string> {
  return commit({ [FLASH_KEY]: flash });
}

/** Reads and clears the flash; send `setCookie` with the response when present. */
export async function readFlash(request: Request): Promise<{ flash: Flash | null; setCookie?: string }> {
  const cookieHeader = request.headers.get("Cookie");
  if (!cookieHeader?.includes(`${flashStore().name}=`)) return { flash: null };
  const data = flashStore().parse(cookieHeader);
  const { [FLASH_KEY]: flash, ...rest } =
    typeof data === "object" && data !== null && !Array.isArray(data)
      ? (data as Record<string, unknown>)
      : {};
  return { flash: (flash as Flash | undefined) ?? null, setCookie: await commit(rest) };
}
