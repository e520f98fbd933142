import http from "node:http";
import { createSession } from "../../app/domain/identity/sessions.server";
import { type Flash, readFlash } from "../../app/web/flash.server";
import { commitSessionCookie } from "../../app/web/session.server";
import { getDb } from "../../db/client";
import type { AppServer } from "./app-server";

/**
 * Many colleagues' browsers against the built server, for the system suites: real session cookies,
 * plain form posts as the pages send them without JavaScript, and a source address per colleague.
 */

/**
 * Points this test process's domain modules (db/client, config) at the app's SQLite file and data
 * folder (for its session secret). Call it before anything opens the database.
 */
export function useAppDatabase(app: AppServer): void {
  process.env.DATABASE_URL = app.databasePath;
  process.env.APP_URL = app.baseUrl;
  delete process.env.SESSION_SECRET;
}

/** Real sessions (rows and signed cookies) for these people, made in one transaction. */
export async function sessionCookies(personIds: number[]): Promise<string[]> {
  const tokens = getDb().transaction((tx) => personIds.map((id) => createSession(tx, id)));
  return Promise.all(tokens.map(async (token) => (await commitSessionCookie(token)).split(";")[0] ?? ""));
}

/**
 * Client `i`'s own loopback address (all of 127.0.0.0/8 reaches this machine): per-IP rate limits
 * then see many colleagues, as in an office, rather than one machine sending everything.
 */
export function loopbackAddress(i: number): string {
  return `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;
}

export type HttpResponse = {
  status: number;
  /** Where it sends the browser: a redirect's Location, or for a Remix data request (`?_data=`, what
   * the pages' JavaScript sends) the X-Remix-Redirect header of its 204. */
  location: string | null;
  setCookie: string[];
  headers: http.IncomingHttpHeaders;
  /** The body as sent (not decompressed, unlike fetch), and as text. */
  bytes: Buffer;
  body: string;
};

/**
 * One request from `from`, with `headers` on top (a Host of its own, say), on its own connection
 * unless an `agent` (keep-alive, say) is given. Network failures (a killed server, a refused
 * connection) reject; every HTTP status resolves.
 */
export function httpRequest(
  url: string,
  options: {
    method?: "GET" | "POST";
    form?: Record<string, string>;
    cookie?: string;
    from?: string;
    headers?: Record<string, string>;
    agent?: http.Agent;
  } = {},
): Promise<HttpResponse> {
  const target = new URL(url);
  const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        // An IPv6 address without the brackets of its URL form.
        host: target.hostname.replace(/^\[(.*)\]$/, "$1"),
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: options.method ?? (body === undefined ? "GET" : "POST"),
        localAddress: options.from,
        agent: options.agent ?? false,
        headers: {
          ...(body === undefined
            ? {}
            : {
                "Content-Type": "application/x-www-form-urlencoded",
                "Content-Length": Buffer.byteLength(body),
              }),
          ...(options.cookie ? { Cookie: options.cookie } : {}),
          ...options.headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", reject);
        response.on("end", () => {
          const bytes = Buffer.concat(chunks);
          resolve({
            status: response.statusCode ?? 0,
            location: response.headers.location ?? headerValue(response.headers["x-remix-redirect"]),
            setCookie: response.headers["set-cookie"] ?? [],
            headers: response.headers,
            bytes,
            body: bytes.toString("utf8"),
          });
        });
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

const headerValue = (value: string | string[] | undefined) =>
  (Array.isArray(value) ? value[0] : value) ?? null;

/** The flash message a response sets, read as the next page would read it. */
export async function flashOf(response: HttpResponse): Promise<Flash | null> {
  const cookie = response.setCookie.find((c) => c.startsWith("__flash="))?.split(";")[0];
  if (!cookie) return null;
  return (await readFlash(new Request("http://flash.test/", { headers: { Cookie: cookie } }))).flash;
}

/** The ledger entry a "Thank you for signing" flash names ("yours is the 1,234th entry…"), or NaN. */
export const receiptNumber = (message: string | undefined) =>
  Number(message?.match(/yours is the ([\d,]+)(?:st|nd|rd|th) entry/)?.[1]?.replaceAll(",", ""));
