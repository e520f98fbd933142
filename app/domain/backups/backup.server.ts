import {
  accessSync,
  chmodSync,
  closeSync,
  constants,
  existsSync,
  fsyncSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import path from "node:path";
import { type DB, getDb } from "../../../db/client";
import {
  checkDatabaseFile,
  type DatabaseSummary,
  openFile,
  summarize,
  UnusableDatabase,
  verifyContents,
} from "./inspect.server";

/**
 * A backup: a consistent copy of the live database, taken while the server serves (`VACUUM INTO`
 * reads one snapshot, and in WAL mode a reader never blocks the writers), written to a temporary name,
 * checked — integrity, Undersigned's schema, every ledger and count, and every ledger entry the live
 * database had when the copy began — and only then renamed to its name. The copy is compact (no free
 * pages: what was deleted before it is not in it) and readable by its owner only.
 */

export class BackupFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BackupFailed";
  }
}

export type BackupReport = { file: string; bytes: number; ms: number; summary: DatabaseSummary };

const PARTIAL = ".partial";

function syncFolder(folder: string): void {
  const fd = openSync(folder, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function syncFile(file: string): void {
  const fd = openSync(file, "r+");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

const codeOf = (error: unknown) => (error as { code?: string } | null)?.code ?? String(error);

/** Where a backup may not be written, said before anything is: null when it may. */
function targetProblem(file: string): string | null {
  const folder = path.dirname(file);
  if (existsSync(file)) return `${file} already exists; choose another name (a backup never overwrites one).`;
  if (!existsSync(folder)) return `Cannot write a backup into ${folder}: the folder does not exist.`;
  try {
    if (!statSync(folder).isDirectory()) return `Cannot write a backup into ${folder}: it is not a folder.`;
    accessSync(folder, constants.W_OK);
  } catch (error) {
    return `Cannot write a backup into ${folder}: ${codeOf(error) === "EROFS" ? "it is on a read-only file system" : "it is not writable"} (${codeOf(error)}).`;
  }
  return null;
}

/**
 * Takes a backup into `file` (which must not exist) from the live database, checks it and reports its
 * size, the time it took and what it holds. Throws BackupFailed (nothing left behind) when the copy
 * cannot be written or does not check out.
 */
export function backupDatabase(file: string, options: { db?: DB; now?: () => number } = {}): BackupReport {
  const target = path.resolve(file);
  const problem = targetProblem(target);
  if (problem) throw new BackupFailed(problem);
  const db = options.db ?? getDb();
  const now = options.now ?? Date.now;
  const partial = `${target}${PARTIAL}`;
  rmSync(partial, { force: true });
  const started = now();
  try {
    // What the live database held just before the copy: every entry of it must be in the copy.
    const before = db.$client
      .prepare<[], { id: number; ledger_length: number; ledger_head: string | null }>(
        "select id, ledger_length, ledger_head from petitions",
      )
      .all();
    try {
      db.$client.prepare("VACUUM INTO ?").run(partial);
    } catch (error) {
      const code = codeOf(error);
      throw new BackupFailed(
        code === "SQLITE_FULL"
          ? `Cannot write the backup to ${target}: the disk is full (SQLITE_FULL).`
          : `Cannot write the backup to ${target} (${code}).`,
      );
    }
    chmodSync(partial, 0o600);
    let summary: DatabaseSummary;
    try {
      checkDatabaseFile(partial, "The backup");
      const copy = openFile(partial, { readonly: true });
      try {
        verifyContents(copy, "The backup");
        const entry = copy.$client.prepare<[number, number], { hash: string }>(
          "select hash from ledger_entries where petition_id = ? and seq = ?",
        );
        const length = copy.$client.prepare<[number], { ledger_length: number }>(
          "select ledger_length from petitions where id = ?",
        );
        for (const petition of before) {
          const copied = length.get(petition.id)?.ledger_length ?? -1;
          const head = petition.ledger_length ? entry.get(petition.id, petition.ledger_length)?.hash : null;
          if (
            copied < petition.ledger_length ||
            (petition.ledger_length > 0 && head !== petition.ledger_head)
          )
            throw new UnusableDatabase(
              `The backup is missing ledger entries of petition ${petition.id} that the database had when it began.`,
            );
        }
        summary = summarize(copy, partial);
      } finally {
        copy.$client.close();
      }
    } catch (error) {
      if (error instanceof UnusableDatabase) throw new BackupFailed(`${error.message} It was not kept.`);
      throw error;
    }
    syncFile(partial);
    renameSync(partial, target);
    syncFolder(path.dirname(target));
    return { file: target, bytes: summary.bytes, ms: now() - started, summary };
  } finally {
    rmSync(partial, { force: true });
  }
}

/** Scheduled backups are named by the time they were taken (UTC), so their names sort by age. */
const SCHEDULED = /^undersigned-(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})Z\.db$/;

export function scheduledBackupName(at: number): string {
  return `undersigned-${new Date(at)
    .toISOString()
    .replace(/\.\d+Z$/, "Z")
    .replaceAll(":", "-")}.db`;
}

/** The scheduled backups in a folder, oldest first, with the time each was taken. */
export function listScheduledBackups(folder: string): Array<{ file: string; at: number }> {
  if (!existsSync(folder)) return [];
  const backups: Array<{ file: string; at: number }> = [];
  for (const name of readdirSync(folder)) {
    const [, day, hours, minutes, seconds] = SCHEDULED.exec(name) ?? [];
    if (!day) continue;
    const at = Date.parse(`${day}T${hours}:${minutes}:${seconds}Z`);
    if (Number.isFinite(at)) backups.push({ file: path.join(folder, name), at });
  }
  return backups.sort((a, b) => a.at - b.at);
}

/**
 * Removes all but the newest `keep` scheduled backups (files named by scheduledBackupName only:
 * anything else in the folder is left alone), and temporary copies a stopped backup left behind.
 */
export function pruneScheduledBackups(folder: string, keep: number): string[] {
  const removed: string[] = [];
  const backups = listScheduledBackups(folder);
  for (const backup of backups.slice(0, Math.max(0, backups.length - keep))) {
    rmSync(backup.file, { force: true });
    removed.push(backup.file);
  }
  for (const name of existsSync(folder) ? readdirSync(folder) : []) {
    if (name.endsWith(PARTIAL) && SCHEDULED.test(name.slice(0, -PARTIAL.length))) {
      rmSync(path.join(folder, name), { force: true });
      removed.push(path.join(folder, name));
    }
  }
  return removed;
}
