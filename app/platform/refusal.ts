/**
 * A change (or a read) the domain refuses, with the HTTP status the page answers with (never a 500)
 * and a message written for the person who asked; `fieldErrors` point at the fields to fix. Thrown
 * from the domain — inside a transaction, that also rolls it back — and turned into the form's answer
 * by one route helper (app/web/refusal-reply.server.ts). Modules subclass it so a test or a caller can
 * tell whose rule refused; routes catch the family.
 */
export type RefusalStatus = 400 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503;

export class Refusal extends Error {
  constructor(
    message: string,
    readonly status: RefusalStatus = 400,
    readonly fieldErrors: Readonly<Record<string, string[]>> = {},
  ) {
    // A refusal is an answer, not a fault: nobody reads its stack, and capturing one was most of
    // what making one cost (the petition page asks the rules about a dozen steps on every view).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.name = new.target.name;
  }
}

/** Too many requests of one kind: 429, with how long to wait (sent as Retry-After). */
export class RateLimited extends Refusal {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message, 429);
  }
}

/** "Please wait 2 minutes": the wait a rate limit asks for, in words. */
export function describeRetryAfter(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 90) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  return `${Math.ceil(seconds / 60)} minutes`;
}
