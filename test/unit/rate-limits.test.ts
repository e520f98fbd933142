import { describe, expect, it } from "vitest";
import { RateLimiter } from "../../app/platform/security/rate-limits.server";
import { MINUTE_MS } from "../../app/platform/time";

/**
 * The limiter the primary keeps for its workers (ADR 10, ADR 25), by GCRA, with time injected: no
 * window to turn, so no burst of twice the limit across a boundary; the wait it names is exact; and
 * its memory stays bounded however many keys come.
 */
const rule = { limit: 5, windowMs: 15 * MINUTE_MS };
const interval = rule.windowMs / rule.limit;
const allowedOf = (limiter: RateLimiter, key: string, times: number[]) =>
  times.filter((now) => limiter.hitAll([[key, rule]], now).allowed).length;

describe("rate limiter (GCRA)", () => {
  it("refuses a second burst just after where a fixed window turned (fixed windows let twice the limit through)", () => {
    const limiter = new RateLimiter();
    // 10:14:59.999 and 10:15:00.001: the last moment of one 15-minute window and the first of the next.
    const boundary = 40 * rule.windowMs;
    expect(allowedOf(limiter, "a", Array(5).fill(boundary - 1))).toBe(5);
    expect(allowedOf(limiter, "a", Array(5).fill(boundary + 1))).toBe(0);
  });

  it("never lets more than the limit through at once, nor more than one per interval after it, however the hits are timed", () => {
    const limiter = new RateLimiter();
    const start = 1_000_000;
    // A caller asking every second for two hours: the burst, then one per interval.
    const times = Array.from({ length: 2 * 3600 }, (_, i) => start + i * 1_000);
    const allowed = times.filter((now) => limiter.hitAll([["a", rule]], now).allowed);
    expect(allowed.slice(0, 5)).toEqual(times.slice(0, 5));
    expect(allowed.length).toBe(rule.limit + Math.floor((2 * 3600 * 1_000 - 1_000) / interval));
    const gaps = allowed.slice(rule.limit + 1).map((at, i) => at - (allowed[rule.limit + i] ?? at));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(interval);
  });

  it("names the exact wait: refused a millisecond before it ends, let through when it has", () => {
    const limiter = new RateLimiter();
    const start = 7 * MINUTE_MS + 123;
    allowedOf(limiter, "a", Array(5).fill(start));
    expect(limiter.hitAll([["a", rule]], start + 1_000)).toEqual({
      allowed: false,
      retryAfterMs: interval - 1_000,
    });
    expect(limiter.hitAll([["a", rule]], start + interval - 1)).toEqual({ allowed: false, retryAfterMs: 1 });
    expect(limiter.hitAll([["a", rule]], start + interval)).toEqual({ allowed: true });
    // The next is one interval away again, not a window.
    expect(limiter.hitAll([["a", rule]], start + interval)).toEqual({
      allowed: false,
      retryAfterMs: interval,
    });
    // After a whole quiet window the whole burst is back.
    expect(allowedOf(limiter, "a", Array(6).fill(start + interval + rule.windowMs))).toBe(5);
  });

  it("names a wait that lets the retry through when the interval is not a whole number of milliseconds", () => {
    const limiter = new RateLimiter();
    const seven = { limit: 7, windowMs: MINUTE_MS };
    const start = 1_800_000_000_000;
    for (let i = 0; i < 7; i++) expect(limiter.hitAll([["b", seven]], start).allowed).toBe(true);
    const refused = limiter.hitAll([["b", seven]], start + 5);
    expect(refused).toEqual({ allowed: false, retryAfterMs: Math.ceil(MINUTE_MS / 7) - 5 });
    if (refused.allowed) return;
    expect(limiter.hitAll([["b", seven]], start + 5 + refused.retryAfterMs - 1).allowed).toBe(false);
    expect(limiter.hitAll([["b", seven]], start + 5 + refused.retryAfterMs).allowed).toBe(true);
  });

  it("counts a request refused by one rule against none, and names the longest wait of those refusing", () => {
    const limiter = new RateLimiter();
    const small = { limit: 1, windowMs: MINUTE_MS };
    const now = 5 * MINUTE_MS;
    expect(limiter.hitAll([["one", small]], now).allowed).toBe(true);
    for (let i = 0; i < 10; i++)
      expect(
        limiter.hitAll(
          [
            ["one", small],
            ["many", rule],
          ],
          now + i,
        ),
      ).toEqual({
        allowed: false,
        retryAfterMs: MINUTE_MS - i,
      });
    // None of the ten refused counted against "many": its whole burst is left.
    expect(allowedOf(limiter, "many", Array(6).fill(now))).toBe(5);
  });

  it("drops keys whose allowance is whole again, so keys that stop coming take no memory", () => {
    const limiter = new RateLimiter();
    const now = 3 * rule.windowMs;
    for (let i = 0; i < 10_000; i++) limiter.hitAll([[`address${i}`, rule]], now);
    expect(limiter.size).toBe(10_000);
    // One interval later every key has its allowance whole again: the next sweep drops them.
    limiter.hitAll([["late", rule]], now + interval);
    expect(limiter.size).toBe(1);
  });

  it("stays within its bound under a flood of new keys, forgetting the least recently counted first", () => {
    const limiter = new RateLimiter(100);
    const one = { limit: 1, windowMs: MINUTE_MS };
    const now = 10 * MINUTE_MS;
    for (let i = 0; i < 1_000; i++) limiter.hitAll([[`key${i}`, one]], now);
    expect(limiter.size).toBe(100);
    // The newest are still counted; the oldest were forgotten (which lets them in, never out).
    expect(limiter.hitAll([["key999", one]], now)).toMatchObject({ allowed: false });
    expect(limiter.hitAll([["key0", one]], now)).toEqual({ allowed: true });
  });
});
