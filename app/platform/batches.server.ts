import { getConfig } from "../config.server";
import { askPrimary, inProcessGroup } from "./process-group.server";
import { HOUR_MS } from "./time";

/**
 * Anonymous acts (signatures and their withdrawals, feedback) are held in memory and written in
 * shuffled batches, so that no copy of the database — taken at any moment, its WAL included — dates
 * one more finely than its batch. Nothing is written until a batch commits: durability comes from the
 * sender, whose browser keeps sending until it sees the act counted (every hold is idempotent).
 *
 * A group (a petition, the feedback of every policy) commits when it holds at least the batch size
 * (ANONYMOUS_BATCH_SIZE, 5) and the period (ANONYMOUS_BATCH_MINUTES, 15) has passed since its last
 * batch, or when its oldest item has waited MAX_WAIT (a quiet petition's few anonymous signers are
 * then dated to within a day), or when its owner flushes it (a petition about to close).
 *
 * Under `npm start` the held items live in the primary process, which every worker asks over IPC
 * (ADR 25): a redemption any worker takes is in the batch the jobs' worker writes. Elsewhere (dev,
 * tests, the CLI) they live in this process.
 */

export const MAX_WAIT_MS = 24 * HOUR_MS;

/** Bounds memory: a flood of distinct items (each verified before it is held) stops here. */
const MAX_HELD_PER_QUEUE = 200_000;

type Group = { items: Map<string, unknown>; oldest: number; lastBatchAt: number };
export type Batch<T> = { group: string; items: T[]; at: number };
export type BatchRule = { periodMs: number; minSize: number };

/**
 * The one rule every anonymous batch follows (signatures, feedback, anonymous comments): at least the
 * batch size held and a period since the group's last batch, or its oldest item held MAX_WAIT.
 */
export function batchIsDue(
  group: { size: number; oldest: number; lastBatchAt: number },
  now: number,
  rule: BatchRule,
): boolean {
  return (
    (group.size >= rule.minSize && now - group.lastBatchAt >= rule.periodMs) ||
    now - group.oldest >= MAX_WAIT_MS
  );
}

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
  private readonly queues = new Map<string, Map<string, Group>>();

  private groupsOf(queue: string): Map<string, Group> {
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
    if (entry?.items.has(key)) return "already";
    if (this.count(queue) >= MAX_HELD_PER_QUEUE) return "full";
    if (!entry) {
      entry = { items: new Map(), oldest: now, lastBatchAt: 0 };
      groups.set(group, entry);
    }
    if (entry.items.size === 0) entry.oldest = now;
    entry.items.set(key, item);
    return "held";
  }

  isHeld(queue: string, group: string, key: string): boolean {
    return this.groupsOf(queue).get(group)?.items.has(key) ?? false;
  }

  /** The due groups (or `only` that one, whatever it holds), shuffled, dated by their period's start. */
  takeDue(queue: string, now: number, rule: BatchRule, only?: string): Batch<unknown>[] {
    const due: Batch<unknown>[] = [];
    for (const [group, entry] of this.groupsOf(queue)) {
      if (entry.items.size === 0) continue;
      const ripe =
        only !== undefined
          ? group === only
          : batchIsDue(
              { size: entry.items.size, oldest: entry.oldest, lastBatchAt: entry.lastBatchAt },
              now,
              rule,
            );
      if (!ripe) continue;
      due.push({ group, items: shuffled([...entry.items.values()]), at: now - (now % rule.periodMs) });
      entry.items = new Map();
      entry.lastBatchAt = now;
    }
    return due;
  }

  count(queue: string): number {
    let total = 0;
    for (const g of this.groupsOf(queue).values()) total += g.items.size;
    return total;
  }

  clear(): void {
    this.queues.clear();
  }
}

const local = new HeldBatches();
const rule = (): BatchRule => getConfig().anonymousBatch;

/** ANONYMOUS_BATCH_MINUTES and ANONYMOUS_BATCH_SIZE, for batches kept in the database (comments). */
export const batchRule = rule;

export async function holdForBatch<T>(
  queue: string,
  group: string,
  key: string,
  item: T,
  now = Date.now(),
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

/** The time a batch carries: its period's start, so every item in it reads the same. */
export const batchTime = (now: number) => now - (now % rule().periodMs);

/**
 * Takes the groups whose batch is due (or `only` that group, whatever it holds), their items
 * shuffled. The caller writes each batch in one transaction; items it cannot write it drops (they are
 * sent again, and refused or counted then).
 */
export async function takeDueBatches<T>(queue: string, now = Date.now(), only?: string): Promise<Batch<T>[]> {
  const batches = inProcessGroup()
    ? await askPrimary<Batch<unknown>[]>({ kind: "batch:take", queue, now, rule: rule(), only: only ?? null })
    : local.takeDue(queue, now, rule(), only);
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
