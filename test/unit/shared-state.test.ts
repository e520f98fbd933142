import { describe, expect, it } from "vitest";
import { KeptValues } from "../../app/platform/kept-values.server";
import { RateLimitWindows } from "../../app/platform/rate-limits.server";

/** What the primary keeps for its workers (ADR 25): bounded, and counting as one process did. */
describe("rate-limit windows", () => {
  const rule = { limit: 2, windowMs: 60_000 };
  it("count every rule, refuse past the limit with the wait, and start again in the next window", () => {
    const windows = new RateLimitWindows();
    const now = 10 * 60_000;
    expect(windows.hitAll([["a", rule]], now)).toEqual({ allowed: true });
    expect(windows.hitAll([["a", rule]], now + 1)).toEqual({ allowed: true });
    expect(windows.hitAll([["a", rule]], now + 1_000)).toEqual({ allowed: false, retryAfterMs: 59_000 });
    expect(windows.hitAll([["a", rule]], now + 60_000)).toEqual({ allowed: true });
  });

  it("stay within their bound, forgetting the least recently counted key first", () => {
    const windows = new RateLimitWindows(100);
    const now = 10 * 60_000;
    for (let i = 0; i < 1_000; i++) windows.hitAll([[`key${i}`, rule]], now);
    expect(windows.size).toBe(100);
    // The newest are still counted; the oldest were forgotten (which lets them in, never out).
    windows.hitAll([["key999", rule]], now);
    expect(windows.hitAll([["key999", rule]], now)).toMatchObject({ allowed: false });
    expect(windows.hitAll([["key0", rule]], now)).toEqual({ allowed: true });
  });
});

describe("kept values", () => {
  it("give every asker the first value offered for a key, within their bound", () => {
    const kept = new KeptValues(3);
    expect(kept.offer("a", { n: 1 })).toEqual({ n: 1 });
    expect(kept.offer("a", { n: 2 })).toEqual({ n: 1 });
    expect(kept.get("a")).toEqual({ n: 1 });
    for (const key of ["b", "c", "d"]) kept.offer(key, key);
    expect(kept.get("a")).toBeUndefined();
    expect(kept.get("d")).toBe("d");
  });
});
