import { ANONYMOUS_MIN_HOLDERS } from "../../config/environment.server";
import { getConfig } from "../../config.server";
import { askPrimary, inProcessGroup } from "../runtime/process-group.server";
import { DAY_MS, MINUTE_MS, startOfDay } from "../time";

/**
 * Anonymous acts (signatures and their withdrawals, feedback) are held in memory and written in
 * shuffled batches, so that no copy of the database — taken at any moment, its WAL included — dates
 * one more finely than its batch. Nothing is written until a batch commits: durability comes from the
 * sender, whose browser sends again until it sees the act counted (every hold is idempotent).
 *
 * Batches are released only at fixed boundaries, whatever arrives when (docs/anonymity.md):
 * - every ANONYMOUS_BATCH_MINUTES (a divisor of a day) a period begins; the first scheduler run in a
 *   new period releases a group (a petition, the feedback of every policy) if it holds at least
 *   ANONYMOUS_BATCH_SIZE items held *before* that boundary, dated the boundary. What arrives after
 *   the boundary waits for the next one, so a batch's content and moment say nothing about the run's
 *   timing;
 * - the first run of a new UTC day releases each group's leftovers held before midnight, dated by
 *   the day before (the day they were held; each caller says how a day is written down).
 * A caller may keep a group held (a petition with fewer than ANONYMOUS_MIN_HOLDERS token holders).
 *
 * Under `npm start` the held items live in the primary process, which every worker asks over IPC
 * (ADR 25): a redemption any worker takes is in the batch the jobs' worker writes. Elsewhere (dev,
 * tests, the CLI) they live in this process.
 */

/** Bounds memory: a flood of distinct items (each verified before it is held) stops here. */
const MAX_HELD_PER_QUEUE = 200_000;

type HeldItem = { item: unknown; heldAt: number };
/**
 * `boundary`: a period's batch, dated its boundary. `day`: the leftovers held before midnight, dated
 * `at` = the start of the day before (items held earlier still, kept back by their caller, are dated
 * by that day too: a batch is never dated before the last of its items' days).
 */
/** A period's run begun: its boundary, the groups holding anything, whether it is its day's first. */
export type Begun = { boundary: number; groups: string[]; firstOfDay: boolean };
export type Batch<T> = { group: string; items: T[]; at: number; kind: "boundary" | "day" | "flush" };
export type BatchRule = { periodMs: number; minSize: number };

/** The boundary `now` is in: the start of its period (periods divide the day, so midnight is one). */
export const boundaryOf = (now: number, periodMs: number) => now - (((now % periodMs) + periodMs) % periodMs);

export function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** The held items of every queue: one instance per process, or the primary's for a group. */
export class HeldBatches {
  private readonly queues = new Map<string, Map<string, Map<string, HeldItem>>>();
  /** Per queue, the last boundary a run began: each period's batches are released once. */
  private readonly lastBoundary = new Map<string, number>();

  private groupsOf(queue: string): Map<string, Map<string, HeldItem>> {
    let groups = this.queues.get(queue);
    if (!groups) {
      groups = new Map();
      this.queues.set(queue, groups);
    }
    return groups;
  }

  /** "held" the first time, "already" when the key is held (the first one stands), "full" at the bound. */
  hold(queue: string, group: string, key: string, item: unknown, now: number): "held" | "already" | "full" {
    const groups = this.groupsOf(queue);
    let entry = groups.get(group);
    if (entry?.has(key)) return "already";
    if (this.count(queue) >= MAX_HELD_PER_QUEUE) return "full";
    if (!entry) {
      entry = new Map();
      groups.set(group, entry);
    }
    entry.set(key, { item, heldAt: now });
    return "held";
  }

  isHeld(queue: string, group: string, key: string): boolean {
    return this.groupsOf(queue).get(group)?.has(key) ?? false;
  }

  /**
   * The boundary `now` is in, if no run has begun it yet for this queue (then it is marked begun),
   * with the groups holding anything; null when this period's run has already been.
   */
  begin(queue: string, now: number, periodMs: number): Begun | null {
    const boundary = boundaryOf(now, periodMs);
    const previous = this.lastBoundary.get(queue);
    // Once per period (a test's clock may go back: another period too, as a new one would be).
    if (boundary === previous) return null;
    this.lastBoundary.set(queue, boundary);
    const groups = [...this.groupsOf(queue)].filter(([, items]) => items.size > 0).map(([group]) => group);
    // Leftovers go out only on a day's first run, so they are seen to move only after midnight (not
    // at 10:15 because a petition then reached its holders, with yesterday's three in it).
    const firstOfDay =
      previous === undefined
        ? boundary === startOfDay(boundary)
        : startOfDay(previous) < startOfDay(boundary);
    return { boundary, groups, firstOfDay };
  }

  /**
   * The batches of a boundary begun with `begin`, for the `eligible` groups (null: every group):
   * the items held before it if at least `minSize`, else, on the day's first run, those held before
   * its day (leftovers).
   */
  take(
    queue: string,
    boundary: number,
    minSize: number,
    eligible: string[] | null,
    firstOfDay = true,
  ): Batch<unknown>[] {
    const batches: Batch<unknown>[] = [];
    const midnight = startOfDay(boundary);
    const allowed = eligible ? new Set(eligible) : null;
    for (const [group, items] of this.groupsOf(queue)) {
      if (allowed && !allowed.has(group)) continue;
      const before = [...items].filter(([, held]) => held.heldAt < boundary);
      const release =
        before.length >= minSize
          ? { kind: "boundary" as const, at: boundary, chosen: before }
          : {
              kind: "day" as const,
              at: midnight - DAY_MS,
              chosen: firstOfDay ? before.filter(([, h]) => h.heldAt < midnight) : [],
            };
      if (release.chosen.length === 0) continue;
      for (const [key] of release.chosen) items.delete(key);
      batches.push({
        group,
        kind: release.kind,
        at: release.at,
        items: shuffled(release.chosen.map(([, held]) => held.item)),
      });
    }
    return batches;
  }

  /** Everything a group holds, dated `at` (tests and the demo's history only: never the scheduler). */
  flush(queue: string, group: string, at: number): Batch<unknown>[] {
    const items = this.groupsOf(queue).get(group);
    if (!items?.size) return [];
    const batch: Batch<unknown> = {
      group,
      kind: "flush",
      at,
      items: shuffled([...items.values()].map((held) => held.item)),
    };
    items.clear();
    return [batch];
  }

  count(queue: string): number {
    let total = 0;
    for (const g of this.groupsOf(queue).values()) total += g.size;
    return total;
  }

  clear(): void {
    this.queues.clear();
    this.lastBoundary.clear();
  }
}

const local = new HeldBatches();
const rule = (): BatchRule => getConfig().anonymousBatch;

/** ANONYMOUS_BATCH_MINUTES and ANONYMOUS_BATCH_SIZE, for batches kept in the database (comments). */
export const batchRule = rule;

/** The settings in force, as published (the petition JSON's `anonymity.batch`, the digest's `batch`). */
export const anonymousBatchSettings = () => ({
  minutes: rule().periodMs / MINUTE_MS,
  size: rule().minSize,
  minHolders: ANONYMOUS_MIN_HOLDERS,
});

/** When the next boundary falls after `now` (what a page can promise a signer). */
export const nextBoundaryAfter = (now: number) => boundaryOf(now, rule().periodMs) + rule().periodMs;

export async function holdForBatch<T>(
  queue: string,
  group: string,
  key: string,
  item: T,
  now: number,
): Promise<"held" | "already" | "full"> {
  return inProcessGroup()
    ? askPrimary({ kind: "batch:hold", queue, group, key, item, now })
    : local.hold(queue, group, key, item, now);
}

export async function isHeld(queue: string, group: string, key: string): Promise<boolean> {
  return inProcessGroup()
    ? askPrimary({ kind: "batch:held", queue, group, key })
    : local.isHeld(queue, group, key);
}

/**
 * The scheduler's run: if `now` is the first run in a new period, `atBoundary` is called first with
 * the boundary and the groups held (it returns those that may be released, or null for all: the
 * caller's own rules, such as publishing what must change only at a boundary, run there), then the
 * period's batches are taken, their items shuffled. Otherwise nothing. The caller writes each batch
 * in one transaction; items it cannot write it drops (they are sent again, and refused or counted).
 */
export async function takeDueBatches<T>(
  queue: string,
  now: number,
  atBoundary: (boundary: number, groups: string[]) => string[] | null = () => null,
): Promise<Batch<T>[]> {
  const { periodMs, minSize } = rule();
  const begun = inProcessGroup()
    ? await askPrimary<Begun | null>({
        kind: "batch:begin",
        queue,
        now,
        periodMs,
      })
    : local.begin(queue, now, periodMs);
  if (!begun) return [];
  const eligible = atBoundary(begun.boundary, begun.groups);
  const batches = inProcessGroup()
    ? await askPrimary<Batch<unknown>[]>({
        kind: "batch:take",
        queue,
        boundary: begun.boundary,
        minSize,
        eligible,
        firstOfDay: begun.firstOfDay,
      })
    : local.take(queue, begun.boundary, minSize, eligible, begun.firstOfDay);
  return batches as Batch<T>[];
}

/**
 * Everything one group holds, at once, dated by `now`'s period start: for tests that need an act
 * counted (not the batching) and the demo seed's history. The scheduler never calls it.
 */
export async function flushBatch<T>(queue: string, group: string, now: number): Promise<Batch<T>[]> {
  const at = boundaryOf(now, rule().periodMs);
  const batches = inProcessGroup()
    ? await askPrimary<Batch<unknown>[]>({ kind: "batch:flush", queue, group, at })
    : local.flush(queue, group, at);
  return batches as Batch<T>[];
}

/** How many items a queue holds (tests, and the health page's numbers). */
export async function heldCount(queue: string): Promise<number> {
  return inProcessGroup() ? askPrimary({ kind: "batch:count", queue }) : local.count(queue);
}

/** Forgets everything this process holds (tests; a restart does the same). */
export function clearBatches(): void {
  local.clear();
}
