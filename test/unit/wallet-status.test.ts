import { describe, expect, it } from "vitest";
import { replySecretOf } from "../../app/browser/wallet/feedback";
import { RUN_EVERY_MS, runIsDue } from "../../app/browser/wallet/issuance-run";
import {
  type Digest,
  nextDigestIn,
  resendDelay,
  seenInDigest,
  whenCounted,
} from "../../app/browser/wallet/status";
import { HOUR_MS, MINUTE_MS, startOfDay } from "../../app/platform/time";
import { wordsIn } from "../support/catalog-text";

/** The browser's pure decisions about runs, the public digest and the words it shows. */
/** 10:05 UTC today, handed in as `now` (the code under test never reads the clock). */
const NOW = startOfDay(Date.now()) + 10 * HOUR_MS + 5 * MINUTE_MS;
const digest = (over: Partial<Digest> = {}): Digest => ({
  bootId: "boot-1",
  batch: { minutes: 15, size: 5, minHolders: 20 },
  nextBatchAt: new Date(NOW + 10 * 60_000).toISOString(),
  entries: [["0123456789abcdef", 1, 0]],
  ...over,
});

describe("background runs", () => {
  it("are due when never completed, cut short, an hour old, or a page shows a target they did not cover", () => {
    expect(runIsDue(undefined, NOW)).toBe(true);
    const run = { startedAt: NOW - 60_000, completedAt: null, done: 3, total: 9, scopes: [] };
    expect(runIsDue(run, NOW)).toBe(true);
    const done = { ...run, completedAt: NOW - 60_000, done: 9, scopes: ["petition:1"] };
    expect(runIsDue(done, NOW)).toBe(false);
    expect(runIsDue(done, NOW, "petition:1")).toBe(false);
    expect(runIsDue(done, NOW, "petition:2")).toBe(true);
    expect(runIsDue(done, NOW - 60_000 + RUN_EVERY_MS)).toBe(true);
  });
});

describe("the public digest", () => {
  it("finds a signature by its id's first 16 characters, and nothing else", () => {
    expect(seenInDigest(digest(), `0123456789abcdef${"0".repeat(48)}`)).toEqual({
      standing: true,
      actionSeq: 0,
    });
    expect(seenInDigest(digest(), `0123456789abcdee${"0".repeat(48)}`)).toBeNull();
  });

  it("is downloaded again just after the next boundary, with 20–80 s of jitter, and re-sends wait 2–15 minutes", () => {
    for (let i = 0; i < 50; i++) {
      const wait = nextDigestIn(digest(), NOW);
      expect(wait).toBeGreaterThanOrEqual(10 * 60_000 + 20_000);
      expect(wait).toBeLessThanOrEqual(10 * 60_000 + 80_000);
      const resend = resendDelay();
      expect(resend).toBeGreaterThanOrEqual(2 * 60_000);
      expect(resend).toBeLessThanOrEqual(15 * 60_000);
    }
  });

  it("says what is certain about a pending signature, in the reader's language and time", () => {
    const text = whenCounted(digest(), NOW, wordsIn("en"));
    expect(text).toBe(
      "Counted at 10:15 if at least five are waiting then; otherwise with the day's leftovers at midnight.",
    );
    expect(text).not.toMatch(/token/i);
    // Elsewhere the leftovers' UTC midnight is the reader's own time, named as UTC's midnight.
    expect(whenCounted(digest(), NOW, wordsIn("de", "Europe/Berlin"))).toMatch(
      /^Gezählt um 1[12]:15, wenn dann mindestens fünf warten; sonst mit den übrigen des Tages um 0[12]:00 \(Mitternacht UTC\)\.$/,
    );
    expect(
      whenCounted(
        digest({ batch: { minutes: 15, size: 12, minHolders: 20 } }),
        NOW,
        wordsIn("ja", "Asia/Tokyo"),
      ),
    ).toContain("12件以上");
  });
});

describe("replies to anonymous feedback", () => {
  it("are read with a secret every device holding the wallet derives alike", async () => {
    const secret = Uint8Array.from({ length: 16 }, (_, i) => i);
    const first = await replySecretOf(secret, "ab".repeat(32));
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await replySecretOf(Uint8Array.from(secret), "ab".repeat(32))).toBe(first);
    expect(await replySecretOf(secret, "cd".repeat(32))).not.toBe(first);
  });
});
