/**
 * A change (or a read) the domain refuses, with the HTTP status the page answers with (never a 500)
 * and a message written for the person who asked; `fieldErrors` point at the fields to fix. Thrown
 * from the domain — inside a transaction, that also rolls it back — and turned into the form's answer
 * by one route helper (app/web/refusal-reply.server.ts). Modules subclass it so a test or a caller can
 * tell whose rule refused; routes catch the family.
 *
 * A refusal a page shows is made from the catalogs' words (`new PetitionError(say("server.…", {…}))`):
 * `.said` keeps the key and values for the page to write in its reader's language, `.message` is the
 * English the JSON API, SCIM, the CLI and logs answer with (ADR 0041). A refusal only those read may
 * still be made from an English string (`.said` is then null).
 */
import { type Said, type SaidValues, say } from "./said";
import { inEnglish } from "./said-english";

export type RefusalStatus = 400 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503;

export class Refusal extends Error {
  readonly said: Said | null;
  constructor(
    message: string | Said,
    readonly status: RefusalStatus = 400,
    readonly fieldErrors: Readonly<Record<string, string[]>> = {},
  ) {
    // A refusal is an answer, not a fault: nobody reads its stack, and capturing one was most of
    // what making one cost (the petition page asks the rules about a dozen steps on every view).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(typeof message === "string" ? message : inEnglish(message));
    Error.stackTraceLimit = limit;
    this.said = typeof message === "string" ? null : message;
    this.name = new.target.name;
  }
}

/** Too many requests of one kind: 429, with how long to wait (sent as Retry-After). */
export class RateLimited extends Refusal {
  constructor(
    message: string | Said,
    readonly retryAfterMs: number,
  ) {
    super(message, 429);
  }
}

/** The wait a rate limit asks for, in the unit it is said in: seconds under 90, else whole minutes. */
export function retryAfterValues(ms: number): SaidValues {
  const seconds = Math.ceil(ms / 1000);
  return seconds < 90 ? { unit: "second", n: seconds } : { unit: "minute", n: Math.ceil(seconds / 60) };
}

/**
 * "Please wait 2 minutes": the wait in English words, for a message only the API or logs read.
 * Pages say it through a catalog message taking `retryAfterValues` (`{unit, select, …}` with a plural).
 */
export function describeRetryAfter(ms: number): string {
  return inEnglish(say("server.wait", retryAfterValues(ms)));
}
