/**
 * The public digest every petition view downloads alike (GET /api/petitions/:id/anonymous/recent,
 * no cookie): the anonymous signatures changed in the last 48 hours, by the first 16 hex characters
 * of their pseudonym, with the batch settings and the next batch's time. This device finds its own
 * signature there — pending or counted, and its receipt — without a request that names it.
 */
import type { Formatter } from "../../i18n/format";
import type { Translate } from "../../i18n/translate";

export type Digest = {
  bootId: string;
  batch: { minutes: number; size: number; minHolders: number };
  nextBatchAt: string;
  entries: Array<[string, 0 | 1, number]>;
};

export async function fetchDigest(petitionId: number): Promise<Digest | null> {
  try {
    const response = await fetch(`/api/petitions/${petitionId}/anonymous/recent`, {
      credentials: "omit",
      // Revalidated each time: a copy cached before a batch would hide the batch that just counted.
      cache: "no-cache",
      headers: { Accept: "application/json" },
    });
    return response.ok ? ((await response.json()) as Digest) : null;
  } catch {
    return null;
  }
}

/** This signature's line in the digest, if its last change is there. */
export function seenInDigest(
  digest: Digest,
  tokenId: string,
): { standing: boolean; actionSeq: number } | null {
  const prefix = tokenId.slice(0, 16);
  const line = digest.entries.find(([id]) => id === prefix);
  return line ? { standing: line[1] === 1, actionSeq: line[2] } : null;
}

/**
 * When to download the digest again: just after the next batch boundary, plus a random 20–80 s (so
 * that views do not arrive in step) — the same schedule for every view, signer or not.
 */
export function nextDigestIn(digest: Digest | null, now: number): number {
  const boundary = digest ? Date.parse(digest.nextBatchAt) : Number.NaN;
  const base = Number.isFinite(boundary) ? Math.max(0, boundary - now) : 15 * 60_000;
  return base + 20_000 + Math.random() * 60_000;
}

/** After a server restart: a random 2–15 minutes before sending again, never right after a page load. */
export const resendDelay = () => 2 * 60_000 + Math.random() * 13 * 60_000;

/**
 * What is certain about a pending signature, in the reader's language and time (the page's words):
 * "Counted at 14:30 if at least five are waiting then; otherwise with the day's leftovers at midnight."
 * The day's leftovers go at UTC midnight, named so unless it is midnight for the reader too.
 */
export function whenCounted(
  digest: Digest,
  now: number,
  { t, format }: { t: Translate; format: Formatter },
): string {
  const day = new Date(now);
  const midnight = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate() + 1));
  return t("signing.anonReceipt.when", {
    time: format.time(digest.nextBatchAt),
    size: digest.batch.size,
    atMidnight: format.isMidnight(midnight) ? "yes" : "no",
    leftovers: format.time(midnight),
  });
}
