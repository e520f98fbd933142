import { describeRetryAfter, RateLimited } from "./refusal";
import { HOUR_MS } from "./time";

export type RateLimitRule = { limit: number; windowMs: number };
export type RateLimitHit = [key: string, rule: RateLimitRule];
type Outcome = { allowed: true } | { allowed: false; retryAfterMs: number };

/**
 * Fixed-window counters in the server's memory. A restart forgets the counts, which only ever lets
 * someone in, never locks them out. Kept out of SQLite: every signature would otherwise pay for two
 * extra writes, and the database must hold no addresses. Asynchronous, so that a store shared by
 * several processes can answer; call it before a transaction, never inside one.
 *
 * Bounded: at most MAX_COUNTERS keys, least recently hit first to go (a Map keeps insertion order and
 * every hit re-inserts its key). Forgetting a counter only lets someone in early; a caller flooding
 * the map with new keys keeps its own address's counter the most recent one, so it cannot flush it.
 */
export const MAX_COUNTERS = 100_000;
const windows = new Map<string, { windowStart: number; count: number }>();
let lastSweep = 0;

function sweep(now: number): void {
  // Drop windows older than an hour, at most once a minute, so the map stays small.
  if (now - lastSweep < 60_000) return;
  lastSweep = now;
  for (const [key, entry] of windows) if (now - entry.windowStart > HOUR_MS) windows.delete(key);
}

const windowStartOf = (rule: RateLimitRule, now: number) => now - (now % rule.windowMs);

/** What a hit would make of this counter, without counting it. */
function peek(key: string, rule: RateLimitRule, now: number): Outcome {
  const windowStart = windowStartOf(rule, now);
  const entry = windows.get(key);
  const count = entry && entry.windowStart === windowStart ? entry.count + 1 : 1;
  if (count <= rule.limit) return { allowed: true };
  return { allowed: false, retryAfterMs: windowStart + rule.windowMs - now };
}

function count(key: string, rule: RateLimitRule, now: number): void {
  const windowStart = windowStartOf(rule, now);
  const entry = windows.get(key);
  const next = entry && entry.windowStart === windowStart ? entry.count + 1 : 1;
  windows.delete(key);
  windows.set(key, { windowStart, count: next });
  while (windows.size > MAX_COUNTERS) {
    const oldest = windows.keys().next().value;
    if (oldest === undefined) break;
    windows.delete(oldest);
  }
}

/**
 * A request is counted against every rule only when every rule lets it through: one refused by any
 * rule counts against none. (Counting refused requests let a stranger refused by the per-address limit
 * still run up a named colleague's per-email counter, locking them out of sign-in.) A caller over one
 * limit gains nothing by it: that limit keeps refusing until its window ends.
 */
function hitAll(hits: readonly RateLimitHit[], now: number): Outcome {
  sweep(now);
  let worst: Outcome = { allowed: true };
  for (const [key, rule] of hits) {
    const result = peek(key, rule, now);
    if (!result.allowed && (worst.allowed || result.retryAfterMs > worst.retryAfterMs)) worst = result;
  }
  if (worst.allowed) for (const [key, rule] of hits) count(key, rule, now);
  return worst;
}

/** How many counters are kept now (tests: the map stays bounded). */
export const rateLimitCounters = () => windows.size;

/**
 * Counts the hits and refuses with RateLimited (429, Retry-After) when any rule is over its limit:
 * `refusal` words the message for the wait, e.g. "You are signing too fast. Please wait 2 minutes."
 */
export async function enforceRateLimits(
  hits: readonly RateLimitHit[],
  refusal: (wait: string) => string,
  now = Date.now(),
): Promise<void> {
  const outcome = hitAll(hits, now);
  if (!outcome.allowed) {
    throw new RateLimited(refusal(describeRetryAfter(outcome.retryAfterMs)), outcome.retryAfterMs);
  }
}

/** Counts the hits and says whether they are within the limits, for what is skipped rather than refused. */
export async function withinRateLimits(hits: readonly RateLimitHit[], now = Date.now()): Promise<boolean> {
  return hitAll(hits, now).allowed;
}

/** Forgets every counter (tests, and the seed, which signs on behalf of many people). */
export function resetRateLimits(): void {
  windows.clear();
}
