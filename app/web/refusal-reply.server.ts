import type { SubmissionResult } from "@conform-to/react";
import { json } from "@remix-run/node";
import type { MessageKey } from "../i18n/catalogs/en";
import { RateLimited, Refusal } from "../platform/refusal";
import { isStorageFull, noteStorageFull, STORAGE_RETRY_AFTER_S } from "../platform/runtime/storage.server";
import { readSaid, type Said, saidText, say, wordsOf } from "../platform/said";
import { intlOf, wordsFor } from "./reader.server";

type Reply = (options: {
  formErrors?: string[];
  fieldErrors?: Record<string, string[]>;
}) => SubmissionResult<string[]>;

/**
 * The one way a route answers a domain Refusal on a form: the form's reply carrying the message (or
 * its field errors), at the refusal's status, with Retry-After when it is a rate limit. `shape` wraps
 * the reply when the page's action data carries more than the form's result. Anything that is not a
 * Refusal is rethrown: a 500 is a bug, never an answer — except a full disk, answered 503 with
 * Retry-After and a message saying nothing was stored (`notStored`: the message that also says what,
 * e.g. "… Your signature was not recorded.").
 *
 * A refusal made from the catalogs is written in the reader's language (`request` says whose), so the
 * reply a fetcher's form shows reads the same as the page the server renders.
 */
export async function refusalReply<T = SubmissionResult<string[]>>(
  error: unknown,
  submission: { reply: Reply },
  request: Request,
  shape?: (result: SubmissionResult<string[]>) => T,
  notStored?: MessageKey,
) {
  if (isStorageFull(error)) {
    noteStorageFull();
    const { t } = await wordsFor(request);
    const result = submission.reply({ formErrors: [t(notStored ?? "server.storageFull")] });
    return json(shape ? shape(result) : (result as T), {
      status: 503,
      headers: { "Retry-After": String(STORAGE_RETRY_AFTER_S) },
    });
  }
  if (!(error instanceof Refusal)) throw error;
  const fieldErrors = error.fieldErrors as Record<string, string[]>;
  const { reader } = await wordsFor(request);
  const intl = intlOf(reader);
  const written = (text: string) => {
    const said = readSaid(text, (key) => Object.hasOwn(intl.messages, key));
    return said ? wordsOf(said, intl) : text;
  };
  const result = submission.reply(
    Object.keys(fieldErrors).length
      ? { fieldErrors: Object.fromEntries(Object.entries(fieldErrors).map(([k, v]) => [k, v.map(written)])) }
      : { formErrors: [error.said ? wordsOf(error.said, intl) : error.message] },
  );
  return json(shape ? shape(result) : (result as T), {
    status: error.status,
    headers: refusalHeaders(error),
  });
}

/** The headers a refusal's answer carries: Retry-After when it is a rate limit. */
export function refusalHeaders(error: Refusal): Record<string, string> {
  return error instanceof RateLimited ? { "Retry-After": String(Math.ceil(error.retryAfterMs / 1000)) } : {};
}

/** What a page shows of a refusal: its said text when it was made from the catalogs, else its message. */
const shownText = (refusal: Refusal) => (refusal.said ? saidText(refusal.said) : refusal.message);

/**
 * The one 404: what this person may not see is answered as though it did not exist. A page's error
 * boundary writes said words in the reader's language (app/components/said.tsx).
 */
export function notFound(message: string | Said = say("server.notFound")): never {
  throw new Response(typeof message === "string" ? message : saidText(message), {
    status: 404,
    statusText: "Not Found",
  });
}

/**
 * A loader's (or a form-less action's) invariant: the domain's refusal, when it has one, thrown as the
 * page's answer — its message in plain words, at its status, with Retry-After when it is a rate limit.
 * Routes ask the domain's `…RefusalFor` and pass the answer here; none writes its own 403.
 */
export function refuseIf<T extends Refusal>(
  refusal: T | null | undefined,
): asserts refusal is null | undefined {
  if (refusal)
    throw new Response(shownText(refusal), { status: refusal.status, headers: refusalHeaders(refusal) });
}

/**
 * `refuseIf` for a resource route (a download, a feed): its answer is shown as it is, with no page
 * around it to write said words, so they are written here in the reader's language.
 */
export async function refuseResourceIf<T extends Refusal>(refusal: T | null | undefined, request: Request) {
  if (!refusal) return;
  const { reader } = await wordsFor(request);
  const text = refusal.said ? wordsOf(refusal.said, intlOf(reader)) : refusal.message;
  throw new Response(text, { status: refusal.status, headers: refusalHeaders(refusal) });
}

/** The API's 404: JSON, like every API answer (docs/api.md). */
export const apiNotFound = (message: string) => json({ error: message }, { status: 404 });

/**
 * A domain Refusal as an API's answer: JSON with the message in English, at the refusal's status, with
 * Retry-After when it is a rate limit; `headers` carries what the route already set (a cookie to
 * clear). A refusal made from the catalogs also carries its words (`said`: the key and values), so the
 * product's own browser code writes it in the reader's loaded language without the request saying who
 * reads (anonymous acts carry no cookie). Anything that is not a Refusal is rethrown.
 */
export function apiRefusal(error: unknown, headers?: HeadersInit) {
  if (!(error instanceof Refusal)) throw error;
  return refusalJson(error, error.message, headers, error.said ?? undefined);
}

/**
 * A domain Refusal as the answer of a sign-in route a page shows (the provider's callback, the
 * assertion consumer, a confirmation link): `apiRefusal`'s JSON, its words in the reader's language —
 * for an English reader the same bytes the API answers with.
 */
export async function pageRefusal(error: unknown, request: Request, headers?: HeadersInit) {
  if (!(error instanceof Refusal)) throw error;
  if (!error.said) return refusalJson(error, error.message, headers);
  const { reader } = await wordsFor(request);
  return refusalJson(error, wordsOf(error.said, intlOf(reader)), headers);
}

function refusalJson(refusal: Refusal, text: string, headers?: HeadersInit, said?: Said) {
  const answer = new Headers(headers);
  for (const [name, value] of Object.entries(refusalHeaders(refusal))) answer.set(name, value);
  return json(said ? { error: text, said } : { error: text }, { status: refusal.status, headers: answer });
}
