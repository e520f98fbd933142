import { describe, expect, it } from "vitest";
import { KeptValues } from "../../app/platform/runtime/kept-values.server";

/** What the primary keeps for its workers (ADR 25), besides the rate limits (rate-limits.test.ts). */
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
