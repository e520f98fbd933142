export type RateLimitRule = { limit: number; windowMs: number };
export type RateLimitResult = { allowed: true } | { allowed: false; retryAfterMs: number };

/**
 * Fixed-window counters in the server's memory. The server is one process, so this is exact; a
 * restart forgets the counts, which only ever lets someone in, never locks them out. Kept out of
 * SQLite because every signature would otherwise pay for two extra writes.
 */
const windows = new Map<string, { windowStart: number; count: number }>();
let lastSweep = 0;

function sweep(now: number): void {
  // Drop windows older than an hour, at most once a minute, so the map stays small.
  if (now - lastSweep < 60_000) return;
  lastSweep = now;
  for (const [key, entry] of windows) if (now - entry.windowStart > 60 * 60_000) windows.delete(key);
}

/** Counts one hit against `key` and says whether it is within the limit. */
export function hitRateLimit(key: string, rule: RateLimitRule, now = Date.now()): RateLimitResult {
  sweep(now);
  const windowStart = now - (now % rule.windowMs);
  const entry = windows.get(key);
  const count = entry && entry.windowStart === windowStart ? entry.count + 1 : 1;
  windows.set(key, { windowStart, count });
  if (count <= rule.limit) return { allowed: true };
  return { allowed: false, retryAfterMs: windowStart + rule.windowMs - now };
}

/** Checks several rules; all are counted so a blocked caller cannot dodge one by tripping another. */
export function hitRateLimits(
  hits: Array<[key: string, rule: RateLimitRule]>,
  now = Date.now(),
): RateLimitResult {
  let worst: RateLimitResult = { allowed: true };
  for (const [key, rule] of hits) {
    const result = hitRateLimit(key, rule, now);
    if (!result.allowed && (worst.allowed || result.retryAfterMs > worst.retryAfterMs)) worst = result;
  }
  return worst;
}

/** Forgets every counter (tests, and the seed, which signs on behalf of many people). */
export function resetRateLimits(): void {
  windows.clear();
}

export function describeRetryAfter(ms: number): string {
  const minutes = Math.ceil(ms / 60_000);
  return minutes <= 1 ? "about a minute" : `${minutes} minutes`;
}
