import { askPrimary, inProcessGroup } from "./process-group.server";
import { describeRetryAfter, RateLimited } from "./refusal";
import { HOUR_MS } from "./time";

export type RateLimitRule = { limit: number; windowMs: number };
export type RateLimitHit = [key: string, rule: RateLimitRule];
export type RateLimitOutcome = { allowed: true } | { allowed: false; retryAfterMs: number };

/**
 * Fixed-window counters in memory: this process's, or under `npm start` the primary process's, which
 * every worker asks over IPC, so a limit holds whichever worker answers (ADR 25). A restart forgets
 * the counts, which only ever lets someone in, never locks them out. Kept out of SQLite: every
 * signature would otherwise pay for two extra writes, and the database must hold no addresses.
 *
 * Bounded: windows older than an hour are dropped, and past `maxKeys` (MAX_COUNTERS) the least
 * recently counted key goes first (a Map keeps insertion order and every hit re-inserts its key).
 * Forgetting a counter only lets someone in early; a caller flooding the map with new keys keeps its
 * own address's counter the most recent one, so it cannot flush it.
 */
export const MAX_COUNTERS = 100_000;

export class RateLimitWindows {
  private readonly windows = new Map<string, { windowStart: number; count: number }>();
  private lastSweep = 0;

  constructor(readonly maxKeys = MAX_COUNTERS) {}

  get size(): number {
    return this.windows.size;
  }

  private sweep(now: number): void {
    // Drop windows older than an hour, at most once a minute, so the map stays small.
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [key, entry] of this.windows) if (now - entry.windowStart > HOUR_MS) this.windows.delete(key);
  }

  /** What a hit would make of this counter, without counting it. */
  private peek(key: string, rule: RateLimitRule, now: number): RateLimitOutcome {
    const windowStart = now - (now % rule.windowMs);
    const entry = this.windows.get(key);
    const count = entry && entry.windowStart === windowStart ? entry.count + 1 : 1;
    if (count <= rule.limit) return { allowed: true };
    return { allowed: false, retryAfterMs: windowStart + rule.windowMs - now };
  }

  private count(key: string, rule: RateLimitRule, now: number): void {
    const windowStart = now - (now % rule.windowMs);
    const entry = this.windows.get(key);
    const next = entry && entry.windowStart === windowStart ? entry.count + 1 : 1;
    // Deleted and set again: the Map's order is then the order of last use.
    this.windows.delete(key);
    this.windows.set(key, { windowStart, count: next });
    while (this.windows.size > this.maxKeys) {
      const oldest = this.windows.keys().next().value;
      if (oldest === undefined) break;
      this.windows.delete(oldest);
    }
  }

  /**
   * A request is counted against every rule only when every rule lets it through: one refused by any
   * rule counts against none. (Counting refused requests let a stranger refused by the per-address
   * limit still run up a named colleague's per-email counter, locking them out of sign-in.) A caller
   * over one limit gains nothing by it: that limit keeps refusing until its window ends.
   */
  hitAll(hits: ReadonlyArray<readonly [string, RateLimitRule]>, now: number): RateLimitOutcome {
    this.sweep(now);
    let worst: RateLimitOutcome = { allowed: true };
    for (const [key, rule] of hits) {
      const result = this.peek(key, rule, now);
      if (!result.allowed && (worst.allowed || result.retryAfterMs > worst.retryAfterMs)) worst = result;
    }
    if (worst.allowed) for (const [key, rule] of hits) this.count(key, rule, now);
    return worst;
  }

  clear(): void {
    this.windows.clear();
  }
}

const local = new RateLimitWindows();

/** How many counters this process holds (tests of the bound). */
export const rateLimitCounters = () => local.size;

function count(hits: readonly RateLimitHit[], now: number): Promise<RateLimitOutcome> | RateLimitOutcome {
  return inProcessGroup()
    ? askPrimary<RateLimitOutcome>({ kind: "rate-limit", hits, now })
    : local.hitAll(hits, now);
}

/**
 * Counts the hits and refuses with RateLimited (429, Retry-After) when any rule is over its limit:
 * `refusal` words the message for the wait, e.g. "You are signing too fast. Please wait 2 minutes."
 * Asynchronous (the primary answers for a group of processes): call it before a transaction, never
 * inside one.
 */
export async function enforceRateLimits(
  hits: readonly RateLimitHit[],
  refusal: (wait: string) => string,
  now = Date.now(),
): Promise<void> {
  const outcome = await count(hits, now);
  if (!outcome.allowed) {
    throw new RateLimited(refusal(describeRetryAfter(outcome.retryAfterMs)), outcome.retryAfterMs);
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
