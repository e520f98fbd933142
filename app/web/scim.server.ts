import { z } from "zod";
import { isUniqueViolation } from "../../db/client";
import { scimTokenValid } from "../domain/identity/scim-tokens.server";
import { listScimUsers } from "../domain/people/provisioning.server";
import { parseScimView, projectList, type ScimView } from "../domain/people/scim-attributes.server";
import {
  SCIM_ERROR_SCHEMA,
  SCIM_SEARCH_SCHEMA,
  ScimError,
  type ScimType,
} from "../domain/people/scim-resource.server";
import { Refusal } from "../platform/refusal";

/**
 * The SCIM API's glue (RFC 7644): bearer-token authentication, JSON bodies of a bounded size, and
 * every refusal in SCIM's error format. A cookie is no SCIM credential: only the bearer token counts.
 */

export const SCIM_CONTENT_TYPE = "application/scim+json";
const MAX_SCIM_BYTES = 256 * 1024;

export function scimJson(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      "Content-Type": `${SCIM_CONTENT_TYPE}; charset=utf-8`,
      "Cache-Control": "no-store",
      ...headers,
    },
  });
}

export function scimError(
  status: number,
  detail: string,
  scimType?: ScimType,
  headers: Record<string, string> = {},
) {
  return scimJson(
    { schemas: [SCIM_ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}), detail },
    status,
    headers,
  );
}

function authenticated(request: Request): boolean {
  const header = request.headers.get("Authorization") ?? "";
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return Boolean(match?.[1] && scimTokenValid(match[1]));
}

/** The request's JSON body: 415 unless JSON, 413 past 256 KB, 400 when it does not parse. */
export async function readScimBody(request: Request): Promise<unknown> {
  const type = (request.headers.get("Content-Type") ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== SCIM_CONTENT_TYPE && type !== "application/json")
    throw new ScimError(`Send ${SCIM_CONTENT_TYPE} (or application/json).`, 415);
  const declared = Number(request.headers.get("Content-Length") ?? "0");
  if (declared > MAX_SCIM_BYTES) throw new ScimError("The body is too large.", 413);
  const reader = request.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const next = reader ? await reader.read() : { done: true as const, value: undefined };
    if (next.done) break;
    size += next.value.byteLength;
    if (size > MAX_SCIM_BYTES) {
      await reader?.cancel();
      throw new ScimError("The body is too large.", 413);
    }
    chunks.push(next.value);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new ScimError("The body is not JSON.", 400, "invalidSyntax");
  }
}

/**
 * Runs one SCIM operation: 401 without a live bearer token (before anything is read), the domain's
 * refusals as SCIM errors; anything else is a bug and rethrown.
 */
export async function scimRespond(request: Request, operation: () => Promise<Response> | Response) {
  if (!authenticated(request)) {
    return scimError(401, "A valid SCIM bearer token is required.", undefined, {
      "WWW-Authenticate": 'Bearer realm="scim"',
    });
  }
  try {
    return await operation();
  } catch (error) {
    if (error instanceof ScimError) return scimError(error.status, error.message, error.scimType);
    if (error instanceof Refusal) return scimError(error.status, error.message);
    // Two requests racing for one userName or address: the index decides, and the loser is told so.
    if (isUniqueViolation(error))
      return scimError(409, "Another user has this userName or email address.", "uniqueness");
    throw error;
  }
}

/** 405 for a method the resource does not answer. */
export const scimMethodNotAllowed = (allowed: string) =>
  scimError(405, `This resource answers ${allowed}.`, undefined, { Allow: allowed });

/** A whole number from the query (negative ones too: RFC 7644 §3.4.2.4 says what they mean); else none. */
const integer = (value: string | null) => (value && /^-?\d{1,9}$/.test(value) ? Number(value) : undefined);

/** `attributes` / `excludedAttributes` from the URL (RFC 7644 §3.9), for every answer carrying a resource. */
export const scimView = (request: Request): ScimView => {
  const query = new URL(request.url).searchParams;
  return parseScimView(query.get("attributes"), query.get("excludedAttributes"));
};

/** GET /Users: filter, startIndex, count and the view, from the URL. */
export function listFromQuery(request: Request) {
  const query = new URL(request.url).searchParams;
  const list = listScimUsers({
    filter: query.get("filter"),
    startIndex: integer(query.get("startIndex")),
    count: integer(query.get("count")),
  });
  return projectList(list, scimView(request));
}

const searchSchema = z.object({
  schemas: z.array(z.string()).refine((s) => s.includes(SCIM_SEARCH_SCHEMA), {
    message: `must include ${SCIM_SEARCH_SCHEMA}`,
  }),
  filter: z.string().max(1000).optional(),
  startIndex: z.number().int().optional(),
  count: z.number().int().optional(),
  attributes: z.array(z.string().max(300)).max(50).optional(),
  excludedAttributes: z.array(z.string().max(300)).max(50).optional(),
});

/** POST /.search and /Users/.search (RFC 7644 §3.4.3): the same query, sent as a SearchRequest body. */
export async function searchFromBody(request: Request) {
  const parsed = searchSchema.safeParse(await readScimBody(request));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ScimError(
      `Invalid search: ${issue?.path.join(".") || "body"}: ${issue?.message ?? "malformed"}`,
      400,
      "invalidSyntax",
    );
  }
  const { filter, startIndex, count, attributes, excludedAttributes } = parsed.data;
  const view = parseScimView(attributes?.join(",") ?? null, excludedAttributes?.join(",") ?? null);
  return projectList(listScimUsers({ filter, startIndex, count }), view);
}
