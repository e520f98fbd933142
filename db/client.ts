import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { type BetterSQLite3Database, drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { getConfig } from "../app/config.server";
import * as schema from "./schema";

export type DB = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** Resolved from the working directory: the server, CLI and tests all run from the project root. */
export const MIGRATIONS_FOLDER = path.resolve(process.env.MIGRATIONS_DIR ?? "migrations");

/**
 * Opens (creating if needed) a SQLite file with the settings every connection here relies on, and
 * applies pending migrations.
 */
export function openDatabase(file: string): DB {
  if (file !== ":memory:") mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("busy_timeout = 5000");
  // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose the last commits.
  sqlite.pragma("synchronous = NORMAL");
  // Deleted and overwritten content is zeroed in the file, so forgotten links do not survive in free
  // pages (docs/anonymity.md); the WAL is emptied by a checkpoint after each forgetting job.
  sqlite.pragma("secure_delete = ON");
  const db = drizzle(sqlite, { schema });
  // Migrations that rebuild a table run with foreign keys off, as SQLite's ALTER TABLE procedure asks
  // (the pragma cannot change inside the migrator's transaction), and are checked before going on.
  sqlite.pragma("foreign_keys = OFF");
  migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  const broken = sqlite.pragma("foreign_key_check") as unknown[];
  if (broken.length) throw new Error(`a migration left ${broken.length} broken foreign key references`);
  sqlite.pragma("foreign_keys = ON");
  return db;
}

const globalForDb = globalThis as typeof globalThis & { __undersignedDb?: DB };

/** The process-wide connection, opened on first use at DATABASE_URL. */
export function getDb(): DB {
  globalForDb.__undersignedDb ??= openDatabase(getConfig().databasePath);
  return globalForDb.__undersignedDb;
}

export function closeDb(): void {
  globalForDb.__undersignedDb?.$client.close();
  globalForDb.__undersignedDb = undefined;
}

/**
 * A transaction handle; domain functions that must join the caller's transaction take an Executor.
 * Transactions that write begin `{ behavior: "immediate" }`: a deferred one that reads before it
 * writes fails with SQLITE_BUSY, busy timeout or not, when another process (the CLI) commits between.
 */
export type Tx = Parameters<Parameters<DB["transaction"]>[0]>[0];
export type Executor = DB | Tx;

/**
 * A lazily built, per-connection set of prepared statements for hot paths: drizzle otherwise builds
 * and prepares the SQL on every call, which costs more than running it.
 */
export function preparedStatements<T>(build: (db: DB) => T): () => T {
  const cache = new WeakMap<DB, T>();
  return () => {
    const db = getDb();
    let statements = cache.get(db);
    if (!statements) {
      statements = build(db);
      cache.set(db, statements);
    }
    return statements;
  };
}
