import { statfsSync } from "node:fs";
import path from "node:path";
import { getConfig } from "../../config.server";
import { inProcessGroup, tellPrimary } from "./process-group.server";

/**
 * A full disk. SQLite answers SQLITE_FULL and stores nothing of the transaction (it rolls back whole),
 * and storing works again once space is freed: so requests that write are answered 503 with
 * Retry-After and a page saying nothing was stored, reads go on, and the log says it once per
 * episode — under `npm start` the primary says it, once for all its workers.
 */

/** Seconds a client is told to wait before trying again. */
export const STORAGE_RETRY_AFTER_S = 60;
/** Below this much free space on the database's disk, storing is taken to be impossible. */
export const FREE_SPACE_MARGIN_BYTES = 2 * 1024 * 1024;
const RECHECK_MS = 5_000;

type State = { fullSince: number | null };
// On globalThis: the server build and the server's own modules are two copies of this file.
const holder = globalThis as { __undersignedStorage?: State };
holder.__undersignedStorage ??= { fullSince: null };
const state: State = holder.__undersignedStorage;

const codeOf = (error: unknown) => (error as { code?: unknown } | null)?.code;

/** Whether an error is the disk being full (SQLite's SQLITE_FULL, or the file system's ENOSPC). */
export function isStorageFull(error: unknown): boolean {
  const code = codeOf(error);
  return code === "SQLITE_FULL" || code === "ENOSPC";
}

/** Free bytes on the disk holding `file` (null when it cannot be asked). */
export function freeBytes(file: string): number | null {
  try {
    const stats = statfsSync(path.dirname(path.resolve(file)));
    return stats.bavail * stats.bsize;
  } catch {
    return null;
  }
}

export function storageLogLine(databasePath: string, full: boolean): string {
  return full
    ? `The disk holding ${databasePath} is full: nothing can be stored (SQLITE_FULL). Requests that write are answered 503 and nothing is half-stored; free some space and storing resumes by itself.`
    : `There is space again on the disk holding ${databasePath}: storing works again.`;
}

/**
 * Watches for space coming back, every few seconds, then calls `back` once. Returns a stop function.
 */
export function watchForSpace(databasePath: string, back: () => void): () => void {
  const timer = setInterval(() => {
    const free = freeBytes(databasePath);
    if (free === null || free > FREE_SPACE_MARGIN_BYTES) {
      clearInterval(timer);
      back();
    }
  }, RECHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** Records that a write failed for want of space: logged once per episode, not once per request. */
export function noteStorageFull(now = Date.now()): void {
  if (state.fullSince !== null) return;
  state.fullSince = now;
  const databasePath = getConfig().databasePath;
  if (inProcessGroup()) tellPrimary({ kind: "storage-full", databasePath });
  else console.error(storageLogLine(databasePath, true));
  watchForSpace(databasePath, () => {
    state.fullSince = null;
    if (!inProcessGroup()) console.error(storageLogLine(databasePath, false));
  });
}

/** Since when storing has been impossible (a failed write, or no free space now), or null. */
export function storageFullSince(now = Date.now()): number | null {
  if (state.fullSince !== null) return state.fullSince;
  const free = freeBytes(getConfig().databasePath);
  return free !== null && free <= FREE_SPACE_MARGIN_BYTES ? now : null;
}
