import { getDb } from "../../../db/client";

/**
 * After a job deletes links the platform no longer needs, the WAL still holds the old pages until a
 * checkpoint: TRUNCATE copies them into the file (where secure_delete has zeroed what was deleted) and
 * empties the WAL. It cannot finish while a reader holds an older snapshot, so it is retried on the
 * next tick until it does.
 */
let pending = false;

export function noteForgotten(changes: number): void {
  if (changes > 0) pending = true;
}

/** Runs the checkpoint if anything was forgotten since the last complete one; true when done. */
export function checkpointAfterForgetting(): boolean {
  if (!pending) return true;
  const [result] = getDb().$client.pragma("wal_checkpoint(TRUNCATE)") as Array<{
    busy: number;
    log: number;
    checkpointed: number;
  }>;
  if (result && result.busy === 0) pending = false;
  return !pending;
}
