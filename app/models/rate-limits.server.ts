import { sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import { rateLimits } from "../../db/schema";

export type RateLimitRule = { limit: number; windowMs: number };
export type RateLimitResult = { allowed: true } | { allowed: false; retryAfterMs: number };

/**
 * Counts one hit against `key` in a fixed window and says whether it is within the limit. Kept in
 * SQLite so limits hold across restarts; one upsert, atomic under concurrent requests.
 */
export function hitRateLimit(key: string, rule: RateLimitRule, now = Date.now()): RateLimitResult {
  const windowStart = now - (now % rule.windowMs);
  const row = getDb()
    .insert(rateLimits)
    .values({ key, windowStart, count: 1 })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`case when ${rateLimits.windowStart} = ${windowStart} then ${rateLimits.count} + 1 else 1 end`,
        windowStart,
      },
    })
    .returning({ count: rateLimits.count })
    .get();
  if (row.count <= rule.limit) return { allowed: true };
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

export function describeRetryAfter(ms: number): string {
  const minutes = Math.ceil(ms / 60_000);
  return minutes <= 1 ? "about a minute" : `${minutes} minutes`;
}
