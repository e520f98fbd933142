import cluster from "node:cluster";
import { randomBytes } from "node:crypto";

/**
 * The worker's side of the process group `npm start` runs (ADR 25): a primary process and
 * WEB_CONCURRENCY workers serving HTTP over the one database. What must be one for all of them — the
 * rate-limit counters, values kept "as first seen today", the anonymous acts held for their batch,
 * the log's one line about a full disk — lives
 * in the primary, which workers ask over the IPC channel node:cluster gives them. Outside the group
 * (`npm run dev`, tests, the CLI) everything is answered in this process.
 */

const TAG = "undersigned";
/** The primary answers from memory at once; a lost answer must not hang a request for long. */
const ANSWER_TIMEOUT_MS = 5_000;

export type GroupRequest =
  | {
      kind: "rate-limit";
      hits: ReadonlyArray<readonly [string, { limit: number; windowMs: number }]>;
      now: number;
    }
  | { kind: "kept:get"; key: string }
  | { kind: "batch:hold"; queue: string; group: string; key: string; item: unknown; now: number }
  | { kind: "batch:held"; queue: string; group: string; key: string }
  | { kind: "batch:begin"; queue: string; now: number; periodMs: number }
  | {
      kind: "batch:take";
      queue: string;
      boundary: number;
      minSize: number;
      eligible: string[] | null;
      firstOfDay: boolean;
    }
  | { kind: "batch:flush"; queue: string; group: string; at: number }
  | { kind: "batch:count"; queue: string }
  | { kind: "kept:offer"; key: string; value: unknown };

export type GroupNotice =
  | { kind: "storage-full"; databasePath: string }
  | { kind: "ready" }
  | { kind: "fatal"; message: string };

export type ToPrimary = { [TAG]: { id: number; request: GroupRequest } } | { [TAG]: { notice: GroupNotice } };
export type ToWorker =
  | { [TAG]: { id: number; answer: unknown } }
  | { [TAG]: { command: "lead" | "shutdown" } };

export const MESSAGE_TAG = TAG;

type Shared = {
  runsJobs: boolean;
  pending: Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }
  >;
  nextId: number;
  listening: boolean;
};

// On globalThis: the server build and the worker's own modules are two copies of this file.
const holder = globalThis as { __undersignedGroup?: Shared };
holder.__undersignedGroup ??= { runsJobs: false, pending: new Map(), nextId: 1, listening: false };
const shared: Shared = holder.__undersignedGroup;

/** Whether this process is a worker of `npm start`'s group (with a primary to ask). */
export function inProcessGroup(): boolean {
  return cluster.isWorker && process.env.UNDERSIGNED_WORKER === "1" && typeof process.send === "function";
}

function listen(): void {
  if (shared.listening) return;
  shared.listening = true;
  process.on("message", (message: unknown) => {
    const body = (message as { [TAG]?: { id?: number; answer?: unknown } } | null)?.[TAG];
    if (!body || typeof body.id !== "number" || !("answer" in body)) return;
    const waiting = shared.pending.get(body.id);
    if (!waiting) return;
    shared.pending.delete(body.id);
    clearTimeout(waiting.timer);
    waiting.resolve(body.answer);
  });
}

/** Asks the primary and waits for its answer. */
export function askPrimary<T>(request: GroupRequest): Promise<T> {
  listen();
  const id = shared.nextId++;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      shared.pending.delete(id);
      reject(new Error(`the primary process did not answer (${request.kind})`));
    }, ANSWER_TIMEOUT_MS);
    shared.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
    process.send?.({ [TAG]: { id, request } } satisfies ToPrimary);
  });
}

/** Tells the primary something, expecting no answer. */
export function tellPrimary(notice: GroupNotice): void {
  process.send?.({ [TAG]: { notice } } satisfies ToPrimary);
}

/** Which worker this is (1, 2 …; null outside the group) and whether it runs the background jobs. */
export function processRole(): { worker: number | null; jobs: boolean } {
  return { worker: inProcessGroup() ? (cluster.worker?.id ?? null) : null, jobs: shared.runsJobs };
}

export function setRunsJobs(value: boolean): void {
  shared.runsJobs = value;
}

/** A fresh id for one start of the server: random, so it says nothing but "this is another start". */
export const newBootId = () => randomBytes(8).toString("hex");

const bootHolder = globalThis as { __undersignedBootId?: string };

/**
 * This start's id: the primary's, handed to its workers (UNDERSIGNED_BOOT_ID) as IP_HASH_KEY is, so
 * every worker answers the same; outside the group, this process's own.
 */
export function bootId(): string {
  bootHolder.__undersignedBootId ??= process.env.UNDERSIGNED_BOOT_ID || newBootId();
  return bootHolder.__undersignedBootId;
}
