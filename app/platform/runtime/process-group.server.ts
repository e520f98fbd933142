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

export type GroupQuestion = { id: number; request: GroupRequest };
export type GroupAnswer = { id: number; answer: unknown };
/**
 * A question alone, or the questions asked in one turn of the event loop together (`batch`), which
 * the primary answers together (`answers`): under load a worker asks for several requests' rate
 * limits at once, and each message costs both processes a wake-up, a read and a parse.
 */
export type ToPrimary =
  | { [TAG]: GroupQuestion }
  | { [TAG]: { batch: GroupQuestion[] } }
  | { [TAG]: { notice: GroupNotice } };
export type ToWorker =
  | { [TAG]: GroupAnswer }
  | { [TAG]: { answers: GroupAnswer[] } }
  | { [TAG]: { command: "lead" | "shutdown" } };

export const MESSAGE_TAG = TAG;

/**
 * Set by a primary that answers batches, for the workers it forks: a rolling restart forks new
 * workers from the primary already running, which may be an older one that answers single questions
 * only.
 */
export const BATCHES_ENV = "UNDERSIGNED_GROUP_BATCHES";

type Batch = { timer: NodeJS.Timeout; unanswered: number };
type Shared = {
  runsJobs: boolean;
  /** `batch`: the message the question went in (null until sent, at the end of the turn). */
  pending: Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void; batch: Batch | null }
  >;
  /** The questions asked in this turn of the event loop, sent together at its end. */
  queued: GroupQuestion[];
  nextId: number;
  listening: boolean;
};

// On globalThis: the server build and the worker's own modules are two copies of this file.
const holder = globalThis as { __undersignedGroup?: Shared };
holder.__undersignedGroup ??= {
  runsJobs: false,
  pending: new Map(),
  queued: [],
  nextId: 1,
  listening: false,
};
const shared: Shared = holder.__undersignedGroup;

/** Whether this process is a worker of `npm start`'s group (with a primary to ask). */
export function inProcessGroup(): boolean {
  return cluster.isWorker && process.env.UNDERSIGNED_WORKER === "1" && typeof process.send === "function";
}

function received({ id, answer }: GroupAnswer): void {
  const waiting = shared.pending.get(id);
  if (!waiting) return;
  shared.pending.delete(id);
  if (waiting.batch && --waiting.batch.unanswered === 0) clearTimeout(waiting.batch.timer);
  waiting.resolve(answer);
}

function listen(): void {
  if (shared.listening) return;
  shared.listening = true;
  process.on("message", (message: unknown) => {
    const body = (message as { [TAG]?: Partial<GroupAnswer> & { answers?: GroupAnswer[] } } | null)?.[TAG];
    if (!body) return;
    if (Array.isArray(body.answers)) for (const answer of body.answers) received(answer);
    else if (typeof body.id === "number" && "answer" in body) received({ id: body.id, answer: body.answer });
  });
}

/** Sends the questions queued in this turn of the event loop, in one message when the primary takes batches. */
function sendQueued(): void {
  const questions = shared.queued;
  shared.queued = [];
  const batch: Batch = {
    unanswered: questions.length,
    timer: setTimeout(() => {
      for (const { id, request } of questions) {
        const waiting = shared.pending.get(id);
        if (!waiting) continue;
        shared.pending.delete(id);
        waiting.reject(new Error(`the primary process did not answer (${request.kind})`));
      }
    }, ANSWER_TIMEOUT_MS),
  };
  for (const { id } of questions) {
    const waiting = shared.pending.get(id);
    if (waiting) waiting.batch = batch;
  }
  if (process.env[BATCHES_ENV] === "1") process.send?.({ [TAG]: { batch: questions } } satisfies ToPrimary);
  else for (const question of questions) process.send?.({ [TAG]: question } satisfies ToPrimary);
}

/**
 * Asks the primary and waits for its answer. Questions asked in the same turn of the event loop go
 * in one message at its end (setImmediate), and every question is answered in the order asked.
 */
export function askPrimary<T>(request: GroupRequest): Promise<T> {
  listen();
  const id = shared.nextId++;
  return new Promise<T>((resolve, reject) => {
    shared.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, batch: null });
    if (shared.queued.push({ id, request }) === 1) setImmediate(sendQueued);
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
