import type { AppLoadContext } from "@remix-run/node";
import { z } from "zod";
import { saidText, say } from "../platform/said";
import { textInEnglish } from "../platform/said-english";

/** `?page=` as a positive integer, 1 when absent; anything else is a 400. */
export const pageParam = z.coerce.number().int().min(1).max(100_000).default(1);

/** What a 400 quotes of a hand-edited value: enough to recognise it, never a page of it. */
/** A part of the address as the page names it: its name, and the value given if any ("list “bogus”"). */
const quoted = (value: string | undefined) =>
  value === undefined ? "" : ` “${value.length > 40 ? `${value.slice(0, 40)}…` : value}”`;

/**
 * Parses the URL's query with zod; bad input (an edited link: `?list=bogus`, `?page=-1`) is a 400 that
 * says in words which part of the address is wrong — never zod's wording ("Invalid option: expected
 * one of…"), which the error page would show a colleague, and never a 500.
 */
export function parseQuery<T extends z.ZodType>(request: Request, schema: T): z.output<T> {
  const params: Record<string, string> = Object.fromEntries(
    [...new URL(request.url).searchParams].filter(([, value]) => value !== ""),
  );
  const result = schema.safeParse(params);
  if (!result.success) {
    const parts = [
      ...new Set(
        result.error.issues.map((i) => {
          const name = String(i.path[0] ?? "");
          return name ? `${name}${quoted(params[name])}` : "?";
        }),
      ),
    ];
    throw new Response(saidText(say("server.badQuery", { parts: parts.join(", ") })), { status: 400 });
  }
  return result.data;
}

/**
 * The largest form any page posts: an announcement with a new policy version is about 100,000
 * characters, under 1 MB even with every character percent-encoded.
 */
export const MAX_FORM_BYTES = 2 * 1024 * 1024;

const tooLarge = (maxBytes: number) =>
  new Response(`The form is larger than ${Math.round(maxBytes / 1024 / 1024)} MB; nothing was saved.`, {
    status: 413,
  });

/** A 413 when the body says it is larger than `maxBytes`, before anything reads it. */
export function refuseLargerThan(request: Request, maxBytes: number): void {
  if (Number(request.headers.get("Content-Length")) > maxBytes) throw tooLarge(maxBytes);
}

/**
 * The body, refused (`tooLargeAnswer`) when its declared length or what arrives passes `maxBytes`:
 * counted as it arrives, since a chunked body declares no length. What is left unread when we stop
 * is drained by the server after the response (app/server/request-guards.server.ts).
 */
async function readBody(
  request: Request,
  maxBytes: number,
  tooLargeAnswer: () => Response,
): Promise<Buffer<ArrayBuffer>> {
  if (Number(request.headers.get("Content-Length")) > maxBytes) throw tooLargeAnswer();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body?.getReader();
  for (;;) {
    const chunk = reader ? await reader.read() : { done: true as const };
    if (chunk.done) break;
    size += chunk.value.byteLength;
    if (size > maxBytes) throw tooLargeAnswer();
    chunks.push(chunk.value);
  }
  return Buffer.concat(chunks);
}

/**
 * The posted form, or a 4xx that says what is wrong: a body that is not a form (JSON, plain text, no
 * content type) is a 415, one that cannot be parsed (broken multipart, a boundary that is not there)
 * a 400, one larger than any form a 413 — never the 500 `request.formData()` throws, nor a body read
 * into memory however large it is.
 */
export async function readForm(request: Request, maxBytes = MAX_FORM_BYTES): Promise<FormData> {
  const type = request.headers.get("Content-Type") ?? "";
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/i.test(type)) {
    throw new Response("Send this as a form (application/x-www-form-urlencoded or multipart/form-data).", {
      status: 415,
    });
  }
  const body = await readBody(request, maxBytes, () => tooLarge(maxBytes));
  let form: FormData;
  if (/^application\/x-www-form-urlencoded/i.test(type)) {
    // What Body.formData() does with such a body (the WHATWG urlencoded parser over its UTF-8 text),
    // without building a Response around it first: that cost a signature more than its own form.
    form = new FormData();
    for (const [name, value] of new URLSearchParams(body.toString("utf8"))) form.append(name, value);
  } else {
    try {
      form = await new Response(body, { headers: { "Content-Type": type } }).formData();
    } catch {
      throw new Response("The form could not be read; please send it again.", { status: 400 });
    }
  }
  refuseImplausibleFieldNames(form);
  return form;
}

/**
 * A JSON body parsed with zod, or a 4xx that says what is wrong: not JSON (415), larger than
 * `maxBytes` (413), not parseable or not of the schema's shape (400). The anonymous-signing and
 * token APIs take JSON from the browser's own scripts.
 */
export async function readJson<T extends z.ZodType>(
  request: Request,
  schema: T,
  maxBytes = 32 * 1024,
): Promise<z.output<T>> {
  if (!/^application\/json\s*(;|$)/i.test(request.headers.get("Content-Type") ?? "")) {
    throw Response.json({ error: "Send this as application/json." }, { status: 415 });
  }
  const body = await readBody(request, maxBytes, () =>
    Response.json({ error: `The body is larger than ${maxBytes} bytes.` }, { status: 413 }),
  );
  let value: unknown;
  try {
    value = JSON.parse(body.toString("utf8"));
  } catch {
    throw Response.json({ error: "The body is not valid JSON." }, { status: 400 });
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    // A schema shared with a page words its messages from the catalogs: the API answers in English.
    const reasons = result.error.issues
      .map((i) => `${i.path.join(".") || "body"}: ${textInEnglish(i.message)}`)
      .join("; ");
    throw Response.json({ error: `The request is not valid (${reasons}).` }, { status: 400 });
  }
  return result.data;
}

/**
 * A plain-text body (a witness's cosigned checkpoint), or a 4xx: not text/plain (415), larger than
 * `maxBytes` (413), not UTF-8 (400).
 */
export async function readText(request: Request, maxBytes: number): Promise<string> {
  if (!/^text\/plain\s*(;|$)/i.test(request.headers.get("Content-Type") ?? "")) {
    throw new Response("Send this as text/plain.\n", { status: 415 });
  }
  const body = await readBody(
    request,
    maxBytes,
    () => new Response(`The body is larger than ${maxBytes} bytes.\n`, { status: 413 }),
  );
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch {
    throw new Response("The body is not UTF-8 text.\n", { status: 400 });
  }
}

/** Beyond any page's field names: "milestones[5].responseDays" is 3 deep, at index 5. */
const MAX_NAME_DEPTH = 8;
const MAX_NAME_INDEX = 100;

/**
 * Conform builds an object from the field names, and echoes it back with a refusal: "x[4294967294]"
 * made a four-billion-element array (the server hung serializing it) and a name 10,000 levels deep
 * overflowed the stack. No page has such names, so such a form is a 400 before anything parses it.
 */
export function refuseImplausibleFieldNames(form: FormData): void {
  for (const name of form.keys()) {
    const depth = name.split(/[.[]/).length;
    const indexes = [...name.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
    if (depth > MAX_NAME_DEPTH || indexes.some((i) => i > MAX_NAME_INDEX)) {
      throw new Response("The form has a field no page of Undersigned sends; nothing was saved.", {
        status: 400,
      });
    }
  }
}

/** The caller's address, for rate limits and fraud checks; null when the server does not know it. */
export const clientIp = (context: AppLoadContext): string | null => context.clientIp ?? null;

/** 404 for ids that are not positive integers, rather than a database error. */
export function parseId(value: string | undefined): number {
  const id = Number(value);
  if (!Number.isSafeInteger(id) || id < 1) throw new Response("Not found", { status: 404 });
  return id;
}
