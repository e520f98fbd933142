import { DAY_MS, HOUR_MS } from "../../platform/time";
/**
 * Signatures over time, in buckets: hourly while a petition is young (its first days are when
 * signatures rush in), daily after. Pure: the dashboard counts per bucket in SQL and fills the gaps
 * here, so the series can be checked against the signatures table.
 */

/** Hourly buckets while the chart spans at most this long. */
export const HOURLY_SPAN_MS = 3 * DAY_MS;
/** The most buckets a chart draws (a year of days); older days fold into the first bucket. */
export const MAX_BUCKETS = 366;

export type Resolution = "hour" | "day";

export type SeriesPoint = { start: number; count: number; cumulative: number };

export function chooseResolution(from: number, to: number): Resolution {
  return to - from <= HOURLY_SPAN_MS ? "hour" : "day";
}

const floorTo = (t: number, size: number) => Math.floor(t / size) * size;

/** Bucket starts (UTC) from `from` to `to`, inclusive of the bucket holding `to`. */
export function bucketStarts(from: number, to: number, resolution: Resolution): number[] {
  const size = resolution === "hour" ? HOUR_MS : DAY_MS;
  const first = floorTo(from, size);
  const last = floorTo(Math.max(from, to), size);
  const starts: number[] = [];
  const skip = Math.max(0, (last - first) / size + 1 - MAX_BUCKETS);
  for (let t = first + skip * size; t <= last; t += size) starts.push(t);
  return starts;
}

/**
 * Fills counts per bucket (keyed by bucket start) into a gap-free series with running totals.
 * `before` counts signatures older than the first bucket, so the cumulative line ends at the total.
 */
export function fillSeries(starts: number[], counts: ReadonlyMap<number, number>, before = 0): SeriesPoint[] {
  let cumulative = before;
  return starts.map((start) => {
    const count = counts.get(start) ?? 0;
    cumulative += count;
    return { start, count, cumulative };
  });
}
