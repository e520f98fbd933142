import { createHash } from "node:crypto";
import Database from "better-sqlite3";
import { logCurrentState } from "../../app/domain/transparency/log-writer.server";
import { serverNow } from "../../app/platform/runtime/clock.server";
import { runScheduledJobs } from "../../app/server/boot.server";
import { closeDb, getDb } from "../../db/client";
import type { AppServer } from "./app-server";

/**
 * Points this test process's app modules (config, `getDb`, the domain functions) at a running
 * server's own SQLite file, so fixtures are made through the same domain functions the server runs,
 * on the data it serves. Call before anything reads the configuration; one server per test file.
 */
export function useServerDatabase(app: AppServer, env: Record<string, string> = {}): void {
  // Same file, same folder: the session secret the server generated there signs our cookies too.
  process.env.DATABASE_URL = app.databasePath;
  process.env.APP_URL = app.baseUrl;
  delete process.env.SMTP_URL;
  delete process.env.SESSION_SECRET;
  Object.assign(process.env, env);
  getDb();
}

export { closeDb };

/**
 * Does now what the server's minute scheduler would do on its next tick (close due petitions, publish
 * due announcements, queue their emails, remind leadership). Called after an accepted request, so
 * the scheduler finds nothing left to do later — while a refused request is being checked.
 * The public log is written once per batch period, remembered per process: forced here, so the
 * server's first tick in a new period (on the wall clock) has nothing that moved left to append.
 */
export async function settle(): Promise<void> {
  await runScheduledJobs();
  logCurrentState(serverNow(), { force: true });
}

export type Fingerprint = Map<string, { rows: number; hash: string }>;

/**
 * What is left out of the fingerprint, and why:
 * - `sessions.renewed_at` / `sessions.expires_at`: reading a session older than a day renews it, a
 *   legitimate write on any request (even a refused one). Which sessions exist is still compared.
 * - the FTS5 shadow tables of `petitions_fts`: derived from `petitions` by triggers, which are
 *   compared themselves.
 * - `notification_settings.mailed_through`: the minute scheduler moves a person's news window on by
 *   itself, whatever request is being answered. Who chose which cadence is still compared.
 * Rate-limit counters live in the server's memory, not in the database: nothing to leave out.
 */
const IGNORED_COLUMNS: Record<string, readonly string[]> = {
  sessions: ["renewed_at", "expires_at"],
  notification_settings: ["mailed_through"],
};
const IGNORED_TABLES = /^petitions_fts/;

/** Row count and a hash of every row, per table (every table in the file, found at run time). */
export function fingerprint(db: Database.Database): Fingerprint {
  const tables = db
    .prepare<[], { name: string }>("select name from sqlite_master where type = 'table' order by name")
    .all()
    .map((t) => t.name)
    .filter((name) => !IGNORED_TABLES.test(name));
  const result: Fingerprint = new Map();
  for (const table of tables) {
    const ignored = IGNORED_COLUMNS[table] ?? [];
    const columns = db
      .prepare<[], { name: string }>(`select name from pragma_table_info('${table}')`)
      .all()
      .map((c) => c.name)
      .filter((c) => !ignored.includes(c));
    const rows = db
      .prepare(`select ${columns.map((c) => `"${c}"`).join(", ")} from "${table}" order by 1, 2`)
      .raw()
      .all();
    result.set(table, {
      rows: rows.length,
      hash: createHash("sha256").update(JSON.stringify(rows)).digest("hex"),
    });
  }
  return result;
}

/** The tables whose rows differ, with their row counts before → after. */
export function fingerprintChanges(before: Fingerprint, after: Fingerprint): string[] {
  const changed: string[] = [];
  for (const table of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(table);
    const b = after.get(table);
    if (a?.hash !== b?.hash) changed.push(`${table} (${a?.rows ?? "absent"} → ${b?.rows ?? "absent"} rows)`);
  }
  return changed;
}

/**
 * Proves a request changed nothing. `PRAGMA data_version` on a connection of our own changes when any
 * other connection commits, so an unchanged value proves no commit at all, for free; when it did
 * change (a legitimate background write, or a bug) the fingerprints decide.
 */
export function watchDatabase(file: string) {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  const dataVersion = () => Number(db.pragma("data_version", { simple: true }));
  let version = dataVersion();
  let before = fingerprint(db);
  return {
    /** Takes the current state as the one to compare with. */
    baseline(): void {
      version = dataVersion();
      before = fingerprint(db);
    },
    /** The tables that changed since the baseline: empty when nothing did. */
    changes(): string[] {
      if (dataVersion() === version) return [];
      return fingerprintChanges(before, fingerprint(db));
    },
    /** Whether anything at all was committed since the baseline. */
    committed(): boolean {
      return dataVersion() !== version && fingerprintChanges(before, fingerprint(db)).length > 0;
    },
    close: () => db.close(),
  };
}
export type DatabaseWatch = ReturnType<typeof watchDatabase>;
