import { getConfig } from "../config.server";
import { HOUR_MS } from "./time";

/**
 * Anonymous acts (signatures and their withdrawals, feedback) are held in memory and written in
 * shuffled batches, so that no copy of the database — taken at any moment, its WAL included — dates
 * one more finely than its batch. Nothing is written until a batch commits: durability comes from the
 * sender, whose browser keeps sending until it sees the act counted (every hold is idempotent).
 *
 * A group (a petition, the feedback of every policy) commits when it holds at least the batch size
 * (ANONYMOUS_BATCH_SIZE, 5) and the period (ANONYMOUS_BATCH_MINUTES, 15) has passed since its last batch, or when its oldest item has waited MAX_WAIT (a quiet
 * petition's few anonymous signers are then dated to within a day), or when its owner flushes it (a
 * petition about to close). The queue is asynchronous so that it can live in one process while
 * several serve requests.
 */

const batchPeriodMs = () => getConfig().anonymousBatch.periodMs;
const minBatch = () => getConfig().anonymousBatch.minSize;
export const MAX_WAIT_MS = 24 * HOUR_MS;

type Group<T> = { items: Map<string, T>; oldest: number; lastBatchAt: number };

const queues = new Map<string, Map<string, Group<unknown>>>();

function groupsOf<T>(queue: string): Map<string, Group<T>> {
  let groups = queues.get(queue);
  if (!groups) {
    groups = new Map();
    queues.set(queue, groups);
  }
  return groups as Map<string, Group<T>>;
}

/** Bounds memory: a flood of distinct items (each verified before it is held) stops here. */
const MAX_HELD_PER_QUEUE = 200_000;

/**
 * Holds `item` under `key` in `group` until the group's batch: "held" the first time, "already"
 * when the same key is held (the item is not replaced: the first one stands), "full" when the queue
 * is at its bound.
 */
export async function holdForBatch<T>(
  queue: string,
  group: string,
  key: string,
  item: T,
  now = Date.now(),
): Promise<"held" | "already" | "full"> {
  const groups = groupsOf<T>(queue);
  let entry = groups.get(group);
  if (entry?.items.has(key)) return "already";
  let total = 0;
  for (const g of groups.values()) total += g.items.size;
  if (total >= MAX_HELD_PER_QUEUE) return "full";
  if (!entry) {
    entry = { items: new Map(), oldest: now, lastBatchAt: 0 };
    groups.set(group, entry);
  }
  if (entry.items.size === 0) entry.oldest = now;
  entry.items.set(key, item);
  return "held";
}

export async function isHeld(queue: string, group: string, key: string): Promise<boolean> {
  return groupsOf(queue).get(group)?.items.has(key) ?? false;
}

function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** The time a batch carries: its period's start, so every item in it reads the same. */
export const batchTime = (now: number) => now - (now % batchPeriodMs());

/**
 * Takes the groups whose batch is due (or `only` that group, whatever it holds), their items
 * shuffled. The caller writes each batch in one transaction; items it cannot write it drops (they are
 * sent again, and refused or counted then).
 */
export async function takeDueBatches<T>(
  queue: string,
  now = Date.now(),
  only?: string,
): Promise<Array<{ group: string; items: T[]; at: number }>> {
  const groups = groupsOf<T>(queue);
  const due: Array<{ group: string; items: T[]; at: number }> = [];
  for (const [group, entry] of groups) {
    if (entry.items.size === 0) continue;
    const ripe =
      only !== undefined
        ? group === only
        : (entry.items.size >= minBatch() && now - entry.lastBatchAt >= batchPeriodMs()) ||
          now - entry.oldest >= MAX_WAIT_MS;
    if (!ripe) continue;
    due.push({ group, items: shuffled([...entry.items.values()]), at: batchTime(now) });
    entry.items = new Map();
    entry.lastBatchAt = now;
  }
  return due;
}

/** How many items a queue holds (tests, and the health page's numbers). */
export async function heldCount(queue: string): Promise<number> {
  let total = 0;
  for (const g of groupsOf(queue).values()) total += g.items.size;
  return total;
}

/** Forgets everything held (tests; a restart does the same). */
export function clearBatches(): void {
  queues.clear();
}
