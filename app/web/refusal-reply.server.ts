import type { SubmissionResult } from "@conform-to/react";
import { json } from "@remix-run/node";
import { RateLimited, Refusal } from "../platform/refusal";
import {
  isStorageFull,
  noteStorageFull,
  STORAGE_FULL_MESSAGE,
  STORAGE_RETRY_AFTER_S,
} from "../platform/runtime/storage.server";

type Reply = (options: {
  formErrors?: string[];
  fieldErrors?: Record<string, string[]>;
}) => SubmissionResult<string[]>;

/**
 * The one way a route answers a domain Refusal on a form: the form's reply carrying the message (or
 * its field errors), at the refusal's status, with Retry-After when it is a rate limit. `shape` wraps
 * the reply when the page's action data carries more than the form's result. Anything that is not a
 * Refusal is rethrown: a 500 is a bug, never an answer — except a full disk, answered 503 with
 * Retry-After and a message saying nothing was stored (`notStored` adds what, e.g. "Your signature was
 * not recorded.").
 */
export function refusalReply<T = SubmissionResult<string[]>>(
  error: unknown,
  submission: { reply: Reply },
  shape?: (result: SubmissionResult<string[]>) => T,
  notStored?: string,
) {
  if (isStorageFull(error)) {
    noteStorageFull();
    const result = submission.reply({
      formErrors: [notStored ? `${STORAGE_FULL_MESSAGE} ${notStored}` : STORAGE_FULL_MESSAGE],
    });
    return json(shape ? shape(result) : (result as T), {
      status: 503,
      headers: { "Retry-After": String(STORAGE_RETRY_AFTER_S) },
    });
  }
  if (!(error instanceof Refusal)) throw error;
  const fieldErrors = error.fieldErrors as Record<string, string[]>;
  const result = submission.reply(
    Object.keys(fieldErrors).length ? { fieldErrors } : { formErrors: [error.message] },
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

/** The one 404: what this person may not see is answered as though it did not exist. */
export function notFound(message = "There is nothing at this address."): never {
  throw new Response(message, { status: 404, statusText: "Not Found" });
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
    throw new Response(refusal.message, { status: refusal.status, headers: refusalHeaders(refusal) });
}

/** The API's 404: JSON, like every API answer (docs/api.md). */
export const apiNotFound = (message: string) => json({ error: message }, { status: 404 });

/**
 * A domain Refusal as an API's (or a sign-in protocol route's) answer: JSON with the message, at the
 * refusal's status, with Retry-After when it is a rate limit; `headers` carries what the route already
 * set (a cookie to clear). Anything that is not a Refusal is rethrown.
 */
export function apiRefusal(error: unknown, headers?: HeadersInit) {
  if (!(error instanceof Refusal)) throw error;
  const answer = new Headers(headers);
  for (const [name, value] of Object.entries(refusalHeaders(error))) answer.set(name, value);
  return json({ error: error.message }, { status: error.status, headers: answer });
}
