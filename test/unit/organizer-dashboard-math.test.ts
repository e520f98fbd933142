import { describe, expect, it } from "vitest";
import { seededRandom } from "../../app/demo/seeded-random";
import { projectNextMilestone } from "../../app/domain/petitions/projection";
import { bucketStarts, chooseResolution, fillSeries } from "../../app/domain/petitions/signature-series";
import { type Group, K, suppressSmallGroups } from "../../app/platform/anonymity/small-groups";
import { DAY_MS, HOUR_MS } from "../../app/platform/time";

describe("small-group suppression", () => {
  /**
   * What an organizer knows besides the table: the total, the anonymous total (the petition page
   * shows both) and every group's public part (the signers list). From those and the shown rows, a
   * folded group's total or anonymous part must never be pinned down below K.
   */
  function assertNothingRevealed(groups: Group[]) {
    const result = suppressSmallGroups(groups);
    // Groups nobody in signed are listed (folded) like any small group.
    const present = groups;
    const total = present.reduce((s, g) => s + g.total, 0);
    expect(result.total).toBe(total);
    const shown = result.rows.filter((r) => r.shown);
    const folded = present.filter((g) => !shown.some((r) => r.label === g.label));
    // Totals stay right.
    expect(shown.reduce((s, r) => s + (r.shown ? r.total : 0), 0) + (result.folded ?? 0)).toBe(total);
    for (const row of shown) {
      const group = present.find((g) => g.label === row.label);
      if (!row.shown || !group) throw new Error("row without group");
      // No small group, and no small anonymous part, is shown directly.
      expect(group.total).toBe(row.total);
      expect(group.total).toBeGreaterThanOrEqual(K);
      expect(group.anonymous === 0 || group.anonymous >= K).toBe(true);
    }
    if (folded.length && folded.length < present.length) {
      // By subtraction one learns only the fold's sum: it must hold two or more groups and be safe.
      const sum = folded.reduce((s, g) => s + g.total, 0);
      const anonymous = folded.reduce((s, g) => s + g.anonymous, 0);
      expect(folded.length).toBeGreaterThanOrEqual(2);
      expect(sum).toBeGreaterThanOrEqual(K);
      expect(anonymous === 0 || anonymous >= K).toBe(true);
      expect(result.folded).toBe(sum);
    }
    // Every group appears once, and every folded one alike: nothing tells a small group from one
    // folded to protect another, or an empty group from one someone signed in.
    expect(result.rows.map((r) => r.label).sort()).toEqual(present.map((g) => g.label).sort());
    for (const row of result.rows) if (!row.shown) expect(row).toEqual({ label: row.label, shown: false });
    // Nor does their order: folded groups come after the shown ones, by name, never ranked by size.
    const foldedLabels = result.rows.filter((r) => !r.shown).map((r) => r.label);
    expect(foldedLabels).toEqual([...foldedLabels].sort((a, b) => a.localeCompare(b)));
    expect(result.rows.slice(0, result.rows.length - foldedLabels.length).every((r) => r.shown)).toBe(true);
  }

  it("never reveals a group under 5, directly or by subtraction, for many random distributions", {
    timeout: 60_000,
  }, () => {
    const random = seededRandom(20261129);
    for (let run = 0; run < 2_000; run++) {
      const n = 1 + Math.floor(random() * 9);
      const skew = random() < 0.5;
      const groups = Array.from({ length: n }, (_, i) => {
        const total = Math.floor((skew ? random() ** 3 : random()) * (random() < 0.3 ? 12 : 200));
        const anonymous = Math.min(total, Math.floor(random() * (random() < 0.5 ? 6 : total + 1)));
        return { label: `Group ${i}`, total, anonymous };
      });
      assertNothingRevealed(groups);
    }
  });

  it("shows safe groups exactly and folds the rest with the smallest group that makes the fold safe", () => {
    const result = suppressSmallGroups([
      { label: "Engineering", total: 120, anonymous: 40 },
      { label: "Research", total: 25, anonymous: 6 },
      { label: "Legal", total: 3, anonymous: 1 },
      { label: "Sales", total: 9, anonymous: 0 },
      { label: "Finance", total: 30, anonymous: 2 },
    ]);
    expect(result.rows).toEqual([
      { label: "Engineering", shown: true, total: 120 },
      { label: "Sales", shown: true, total: 9 },
      // Finance's 2 anonymous signers would be its total minus its public signers.
      { label: "Finance", shown: false },
      { label: "Legal", shown: false },
      // Legal + Finance hold 3 anonymous signers: Research (6) joins them; Sales (none) would not help.
      { label: "Research", shown: false },
    ]);
    expect(result.folded).toBe(58);
    expect(result.total).toBe(187);
  });

  it("lists groups nobody in signed like small ones, and folds a shown group in when the fold would be empty", () => {
    const result = suppressSmallGroups([
      { label: "Engineering", total: 120, anonymous: 40 },
      { label: "Sales", total: 9, anonymous: 0 },
      { label: "Lisbon office", total: 0, anonymous: 0 },
      { label: "Porto office", total: 0, anonymous: 0 },
    ]);
    // "Lisbon office: fewer than 5" beside "combined: 0" would tell that nobody there signed, and a
    // table listing Lisbon only once someone signed would tell that someone did.
    expect(result.rows).toEqual([
      { label: "Engineering", shown: true, total: 120 },
      { label: "Lisbon office", shown: false },
      { label: "Porto office", shown: false },
      { label: "Sales", shown: false },
    ]);
    expect(result.folded).toBe(9);
  });

  it("folds everything when nothing can be shown safely, and nothing when all is safe", () => {
    expect(suppressSmallGroups([{ label: "A", total: 3, anonymous: 3 }]).folded).toBe(3);
    expect(
      suppressSmallGroups([
        { label: "A", total: 10, anonymous: 0 },
        { label: "B", total: 7, anonymous: 5 },
      ]).folded,
    ).toBeNull();
  });
});

describe("projection of the next milestone", () => {
  // fixed clock: the projection is handed now.
  const now = Date.UTC(2026, 10, 29, 12);
  const base = {
    count: 400,
    nextThreshold: 500,
    openedAt: now - 30 * DAY_MS,
    closesAt: now + 30 * DAY_MS,
    open: true,
    now,
  };

  it("divides what is left by the recent daily rate", () => {
    // 70 signatures in 7 days: 10 a day; 100 to go: 10 days.
    const p = projectNextMilestone({ ...base, recentSignatures: 70 });
    expect(p).toEqual({ kind: "likely", at: now + 10 * DAY_MS, perDay: 10 });
  });

  it("uses the petition's age when it is younger than the window, and at least one day", () => {
    const young = projectNextMilestone({
      ...base,
      count: 40,
      nextThreshold: 100,
      openedAt: now - 2 * DAY_MS,
      recentSignatures: 40,
    });
    expect(young).toEqual({ kind: "likely", at: now + 3 * DAY_MS, perDay: 20 });
    const hours = projectNextMilestone({
      ...base,
      count: 30,
      nextThreshold: 100,
      openedAt: now - HOUR_MS,
      recentSignatures: 30,
    });
    expect(hours).toEqual({ kind: "likely", at: now + (70 / 30) * DAY_MS, perDay: 30 });
  });

  it("says 'not at the current rate' with no signatures or when it would come after closing", () => {
    expect(projectNextMilestone({ ...base, recentSignatures: 0 })).toMatchObject({
      kind: "not-at-current-rate",
      reason: "no-signatures",
    });
    expect(projectNextMilestone({ ...base, recentSignatures: 7, closesAt: now + 5 * DAY_MS })).toMatchObject({
      kind: "not-at-current-rate",
      reason: "after-closing",
    });
  });

  it("has nothing to project without a next milestone or an open petition", () => {
    expect(projectNextMilestone({ ...base, nextThreshold: null, recentSignatures: 5 }).kind).toBe(
      "no-next-milestone",
    );
    expect(projectNextMilestone({ ...base, open: false, recentSignatures: 5 }).kind).toBe("not-open");
  });
});

describe("signature series", () => {
  it("is hourly for a young petition and daily after three days", () => {
    // fixed clock: pure functions of the times they are given.
    const t = Date.UTC(2026, 0, 1);
    expect(chooseResolution(t, t + 2 * DAY_MS)).toBe("hour");
    expect(chooseResolution(t, t + 4 * DAY_MS)).toBe("day");
  });

  it("fills empty buckets and keeps a running total that starts from earlier signatures", () => {
    // fixed clock: pure functions of the times they are given.
    const nine = Date.UTC(2026, 0, 1, 9);
    const t = nine + 30 * 60_000;
    const starts = bucketStarts(t, t + 3 * HOUR_MS, "hour");
    expect(starts).toEqual([0, 1, 2, 3].map((h) => nine + h * HOUR_MS));
    const series = fillSeries(starts, new Map([[nine + HOUR_MS, 4]]), 2);
    expect(series.map((p) => [p.count, p.cumulative])).toEqual([
      [0, 2],
      [4, 6],
      [0, 6],
      [0, 6],
    ]);
  });
});
