import { realpathSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";

/**
 * Who is using a database file: a server holds `<database>.lock` from start to exit, and so does a
 * restore while it replaces the file. The lock is an exclusive SQLite (POSIX record) lock on that small
 * file, which the operating system releases when the process ends however it ends (`kill -9`, a
 * crash, a power cut), so a lock file left behind never blocks anyone: no pid files, no stale locks.
 * Other commands (backup, check-counts, import-staff…) take no lock: they share the database with a
 * running server as every SQLite connection does.
 *
 * The lock is beside the file's real path, so every name of one database takes the same lock: a
 * second server started through a symlink (to the file or to its folder), and a restore through one,
 * reported success while another server held the file under its other name.
 */

/** The database file's absolute path with symlinks resolved; of its folder while the file is not there yet. */
export function realDatabasePath(databasePath: string): string {
  const absolute = path.resolve(databasePath);
  try {
    return realpathSync(absolute);
  } catch {
    // Not there yet (a first start): the file will be made in its folder's real place.
  }
  try {
    return path.join(realpathSync(path.dirname(absolute)), path.basename(absolute));
  } catch {
    return absolute;
  }
}

export const lockPathOf = (databasePath: string) => `${realDatabasePath(databasePath)}.lock`;

export type DatabaseLock = { path: string; release(): void };

const held = new Set<Database.Database>();

/** Takes the lock, or returns null at once when another process holds it. */
export function tryLockDatabase(databasePath: string): DatabaseLock | null {
  const path = lockPathOf(databasePath);
  const lock = new Database(path);
  try {
    lock.pragma("busy_timeout = 0");
    // No journal file beside it: nothing is ever written, the lock is the point.
    lock.pragma("journal_mode = MEMORY");
    lock.exec("BEGIN EXCLUSIVE");
  } catch (error) {
    lock.close();
    if ((error as { code?: string }).code === "SQLITE_BUSY") return null;
    throw error;
  }
  // Kept referenced for as long as it is held.
  held.add(lock);
  return {
    path,
    release() {
      if (!held.delete(lock)) return;
      lock.exec("ROLLBACK");
      lock.close();
    },
  };
}

/** Whether some process (a server, a restore) holds the database's lock right now. */
export function databaseIsLocked(databasePath: string): boolean {
  const lock = tryLockDatabase(databasePath);
  lock?.release();
  return lock === null;
}
