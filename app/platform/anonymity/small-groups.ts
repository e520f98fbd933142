/**
 * Small-group suppression for breakdowns of signers (by department, by location) and of feedback
 * (by version). A group is shown exactly only when it holds at least K people and its anonymous part
 * is 0 or at least K: the public part of any group is public (the signers list), so an exact total
 * would otherwise give away a small anonymous part by subtraction. Every other group is folded into
 * one combined row, and the smallest shown groups join the fold until the fold itself is safe — at
 * least K people, an anonymous part of 0 or at least K, and at least two groups — so no folded group
 * can be worked out from the total. Totals stay right: shown + folded = total.
 *
 * Groups nobody in signed may be passed too (total 0): they are folded and listed like any small
 * group, so that a group's mere presence in the table does not tell that someone in it signed. And
 * every folded group reads the same — not "fewer than K" for some and "combined" for others, which
 * would tell a group of K or more whose anonymous part is small.
 */

export const K = 5;

export type Group = { label: string; total: number; anonymous: number };

export type SuppressedRow = { label: string; shown: true; total: number } | { label: string; shown: false };

export type Breakdown = {
  rows: SuppressedRow[];
  /** The combined count of every folded group; null when nothing is folded. */
  folded: number | null;
  total: number;
};

const safe = (total: number, anonymous: number, k: number) =>
  total >= k && (anonymous === 0 || anonymous >= k);

export function suppressSmallGroups(groups: readonly Group[], k = K): Breakdown {
  const present = groups;
  const total = present.reduce((sum, g) => sum + g.total, 0);
  const folded = new Set(present.filter((g) => !safe(g.total, g.anonymous, k)));
  const fold = () => {
    let sum = 0;
    let anonymous = 0;
    for (const g of folded) {
      sum += g.total;
      anonymous += g.anonymous;
    }
    return { sum, anonymous };
  };
  const foldIsSafe = () => {
    if (folded.size === 0 || folded.size === present.length) return true;
    const { sum, anonymous } = fold();
    return folded.size >= 2 && safe(sum, anonymous, k);
  };
  // Complementary suppression: fold the smallest shown groups until the fold reveals nothing. When
  // the fold's anonymous part is what gives it away, the smallest group with K or more anonymous
  // signers fixes it (one with none would not).
  const byTotal = [...present].sort((a, b) => a.total - b.total || a.label.localeCompare(b.label));
  while (!foldIsSafe()) {
    const { anonymous } = fold();
    const needsAnonymous = folded.size >= 2 && anonymous > 0 && anonymous < k;
    const next =
      (needsAnonymous ? byTotal.find((g) => !folded.has(g) && g.anonymous >= k) : undefined) ??
      byTotal.find((g) => !folded.has(g));
    if (!next) break;
    folded.add(next);
  }
  // Shown groups largest first; folded ones after them in name order: an order by size would rank them.
  const rows: SuppressedRow[] = [
    ...present
      .filter((g) => !folded.has(g))
      .sort((a, b) => b.total - a.total || a.label.localeCompare(b.label))
      .map((g): SuppressedRow => ({ label: g.label, shown: true, total: g.total })),
    ...present
      .filter((g) => folded.has(g))
      .sort((a, b) => a.label.localeCompare(b.label))
      .map((g): SuppressedRow => ({ label: g.label, shown: false })),
  ];
  const foldedTotal = [...folded].reduce((sum, g) => sum + g.total, 0);
  return { rows, folded: folded.size ? foldedTotal : null, total };
}
