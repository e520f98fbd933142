import type { MessageKey } from "../../i18n/catalogs/en";
import { describeRetryAfter, RateLimited, retryAfterValues } from "../refusal";
import { askPrimary, inProcessGroup } from "../runtime/process-group.server";
import { say } from "../said";

export type RateLimitRule = { limit: number; windowMs: number };
export type RateLimitHit = [key: string, rule: RateLimitRule];
export type RateLimitOutcome = { allowed: true } | { allowed: false; retryAfterMs: number };

/**
 * Rate limits by GCRA (the generic cell rate algorithm, ADR 10): a rule `{ limit, windowMs }` lets
 * `limit` requests through at once and then one every `windowMs / limit`. Each key holds one number,
 * its "theoretical arrival time" (TAT): when its allowance would be whole again if nothing more came.
 * A hit moves it on by one interval, and is let through while the TAT stays within `windowMs` of now.
 * There is no window to turn, so no boundary to double a burst across, and the wait a refusal names
 * is exact: how long until the TAT is back within the window.
 *
 * Held in memory: this process's, or under `npm start` the primary process's, which every worker
 * asks over IPC, so a limit holds whichever worker answers (ADR 25). A restart forgets them, which
 * only ever lets someone in, never locks them out. Kept out of SQLite: every signature would
 * otherwise pay for extra writes, and the database must hold no addresses.
 *
 * Bounded: a key whose TAT has passed is the same as no key (its whole allowance is back), so the
 * sweep (at most once a minute) drops it; past `maxKeys` (MAX_COUNTERS) the least recently counted
 * key goes first (a Map keeps insertion order and every hit re-inserts its key). Forgetting a key
 * early only lets someone in early; a caller flooding the map with new keys keeps its own address's
 * key the most recent one, so it cannot flush it.
 */
export const MAX_COUNTERS = 100_000;

export class RateLimiter {
  /** Each key's theoretical arrival time, in epoch milliseconds, least recently counted first. */
  private readonly arrivals = new Map<string, number>();
  private lastSweep = Number.NEGATIVE_INFINITY;

  constructor(readonly maxKeys = MAX_COUNTERS) {}

  get size(): number {
    return this.arrivals.size;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [key, arrival] of this.arrivals) if (arrival <= now) this.arrivals.delete(key);
  }

  private remember(key: string, arrival: number): void {
    // Deleted and set again: the Map's order is then the order of last use.
    this.arrivals.delete(key);
    this.arrivals.set(key, arrival);
    while (this.arrivals.size > this.maxKeys) {
      const oldest = this.arrivals.keys().next().value;
      if (oldest === undefined) break;
      this.arrivals.delete(oldest);
    }
  }

  /**
   * A request is counted against every rule only when every rule lets it through: one refused by any
   * rule counts against none. (Counting refused requests let a stranger refused by the per-address
   * limit still run up a named colleague's per-email counter, locking them out of sign-in.) A caller
   * over one limit gains nothing by it: that limit keeps refusing until the wait it named is over.
   */
  hitAll(hits: ReadonlyArray<readonly [string, RateLimitRule]>, now: number): RateLimitOutcome {
    this.sweep(now);
    let wait = 0;
    const next: [string, number][] = [];
    for (const [key, rule] of hits) {
      const arrival = Math.max(this.arrivals.get(key) ?? now, now) + rule.windowMs / rule.limit;
      // Over the limit while the allowance this hit would leave reaches past one window from now.
      wait = Math.max(wait, arrival - rule.windowMs - now);
      next.push([key, arrival]);
    }
    if (wait > 0) return { allowed: false, retryAfterMs: Math.ceil(wait) };
    for (const [key, arrival] of next) this.remember(key, arrival);
    return { allowed: true };
  }

  clear(): void {
    this.arrivals.clear();
    this.lastSweep = Number.NEGATIVE_INFINITY;
  }
}

const local = new RateLimiter();

/** How many keys this process holds (tests of the bound). */
export const rateLimitCounters = () => local.size;

function count(hits: readonly RateLimitHit[], now: number): Promise<RateLimitOutcome> | RateLimitOutcome {
  return inProcessGroup()
    ? askPrimary<RateLimitOutcome>({ kind: "rate-limit", hits, now })
    : local.hitAll(hits, now);
}

/**
 * Counts the hits and refuses with RateLimited (429, Retry-After) when any rule is over its limit:
 * `refusal` words the message for the wait, e.g. "You are signing too fast. Please wait 2 minutes.":
 * a catalog key taking the wait's `{unit}` and `{n}` (what a page shows), or English for the API.
 * Asynchronous (the primary answers for a group of processes): call it before a transaction, never
 * inside one.
 */
export async function enforceRateLimits(
  hits: readonly RateLimitHit[],
  refusal: MessageKey | ((wait: string) => string),
  now = Date.now(),
): Promise<void> {
  const outcome = await count(hits, now);
  if (!outcome.allowed) {
    const wait = outcome.retryAfterMs;
    throw new RateLimited(
      typeof refusal === "string" ? say(refusal, retryAfterValues(wait)) : refusal(describeRetryAfter(wait)),
      wait,
    );
  }
}

/** Counts the hits and says whether they are within the limits, for what is skipped rather than refused. */
export async function withinRateLimits(hits: readonly RateLimitHit[], now = Date.now()): Promise<boolean> {
  return (await count(hits, now)).allowed;
}

/** Forgets every counter of this process (tests, and the seed, which signs on behalf of many people). */
export function resetRateLimits(): void {
  local.clear();
}
