import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { createSession } from "../../app/domain/identity/sessions.server";
import { importDirectory } from "../../app/domain/people/directory-import.server";
import { CLI_ACTOR } from "../../app/platform/security/audit.server";
import { commitSessionCookie } from "../../app/web/session.server";
import { getDb } from "../../db/client";

export const DIRECTORY_CSV = `email,name,department,location
ada@corp.example,Ada Lovelace,Engineering,London
grace@corp.example,Grace Hopper,Research,New York
linus@corp.example,Linus Pauling,Legal,Berlin
`;

export function importSampleDirectory(csv = DIRECTORY_CSV) {
  return importDirectory(csv, CLI_ACTOR);
}

/** A new session for this person: the `Cookie` header value a browser would send with it. */
export async function sessionCookie(personId: number): Promise<string> {
  const setCookie = await commitSessionCookie(createSession(getDb(), personId));
  return setCookie.split(";")[0] ?? "";
}

/** A request carrying a real session cookie for this person, as the browser would send it. */
export async function requestAs(
  personId: number | null,
  url = "http://undersigned.test:3000/admin",
): Promise<Request> {
  if (personId === null) return new Request(url);
  return new Request(url, { headers: { Cookie: await sessionCookie(personId) } });
}

export async function thrown(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("Expected the call to throw");
}

export const TEST_BASE_URL = "http://undersigned.test:3000";

type RouteModule = {
  action?: (args: ActionFunctionArgs) => Promise<Response>;
  loader?: (args: LoaderFunctionArgs) => Promise<Response> | Response;
};

/**
 * Calls a route's real action (POST, url-encoded `fields`) or loader (GET) as `as` would — with a
 * session cookie, in the browser's `language` — and returns its response, thrown responses
 * (redirects, 403, 404) included.
 */
export async function callRoute(
  route: RouteModule,
  kind: "action" | "loader",
  as: { id: number } | null,
  path: string,
  params: Record<string, string>,
  fields?: Record<string, string>,
  /** The browser's Accept-Language; without it, the company's default language. */
  language?: string,
): Promise<Response> {
  const session = await requestAs(as?.id ?? null, `${TEST_BASE_URL}${path}`);
  const headers = new Headers(session.headers);
  if (language) headers.set("Accept-Language", language);
  const request = new Request(`${TEST_BASE_URL}${path}`, {
    method: kind === "action" ? "POST" : "GET",
    headers,
    body: kind === "action" ? new URLSearchParams(fields) : undefined,
  });
  const fn = route[kind];
  if (!fn) throw new Error(`no ${kind}`);
  try {
    return await fn({ request, params, context: { clientIp: "192.0.2.1", cspNonce: "" } });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}
