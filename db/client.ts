import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { type BetterSQLite3Database, drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { describeFileError, StartupError } from "../app/config/startup-errors.server";
import { getConfig } from "../app/config.server";
import * as schema from "./schema";

export type DB = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** Resolved from the working directory: the server, CLI and tests all run from the project root. */
export const MIGRATIONS_FOLDER = path.resolve(process.env.MIGRATIONS_DIR ?? "migrations");

/** This version's migrations, as drizzle applies them (hash of each file, its journal time). */
export function knownMigrations(): Array<{ hash: string; folderMillis: number }> {
  return readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER }).map(({ hash, folderMillis }) => ({
    hash,
    folderMillis,
  }));
}

/** What stops a database from being opened by this version: null, or why (one line). */
export function schemaProblem(sqlite: Database.Database): string | null {
  const table = sqlite
    .prepare("select 1 from sqlite_master where type = 'table' and name = '__drizzle_migrations'")
    .get();
  if (!table) return null;
  const applied = sqlite
    .prepare<[], { hash: string; created_at: number }>("select hash, created_at from __drizzle_migrations")
    .all();
  const known = knownMigrations();
  const newest = Math.max(0, ...known.map((m) => m.folderMillis));
  const unknown = applied.filter((m) => Number(m.created_at) > newest);
  return unknown.length
    ? `it was written by a newer version of Undersigned (${unknown.length} migration${unknown.length === 1 ? "" : "s"} this version does not have)`
    : null;
}

/** The connection settings every connection here relies on. */
export function configureConnection(sqlite: Database.Database): void {
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose the last commits.
  sqlite.pragma("synchronous = NORMAL");
  // Deleted and overwritten content is zeroed in the file, so forgotten links do not survive in free
  // pages (docs/anonymity.md); the WAL is emptied by a checkpoint after each forgetting job.
  sqlite.pragma("secure_delete = ON");
}

/**
 * The functions migrations may call that SQLite lacks, registered on every connection that migrates
 * (openDatabase; a test migrating a bare connection calls this first). Migration 0026 hashes the
 * stored blinded messages with `sha256_of_base64url(text)`: SHA-256 of the decoded bytes, a blob.
 */
export function registerMigrationFunctions(sqlite: Database.Database): void {
  sqlite.function("sha256_of_base64url", { deterministic: true }, (value: unknown) =>
    typeof value === "string" ? createHash("sha256").update(Buffer.from(value, "base64url")).digest() : null,
  );
}

/** SQLite's and the file system's codes, said as what is wrong with the file and what to do. */
export function openProblem(file: string, error: unknown): StartupError | null {
  const code = (error as { code?: string } | null)?.code ?? "";
  const restore = "or restore a backup: npm run cli -- restore FILE";
  if (code === "SQLITE_NOTADB")
    return new StartupError(
      `${file} is not a SQLite database (SQLITE_NOTADB); it was left untouched. Point DATABASE_URL at the Undersigned database, ${restore}.`,
    );
  if (code.startsWith("SQLITE_CORRUPT"))
    return new StartupError(
      `${file} is damaged (${code}); it was left untouched. Restore a backup: npm run cli -- restore FILE.`,
    );
  if (code.startsWith("SQLITE_READONLY") || code === "EROFS" || code === "EACCES" || code === "EPERM")
    return new StartupError(
      `Cannot write ${file}: ${describeFileError(error)}. Set DATABASE_URL to a file on a writable disk, ${restore}.`,
    );
  if (code.startsWith("SQLITE_CANTOPEN") || code === "ENOENT" || code === "ENOTDIR")
    return new StartupError(
      `Cannot open ${file} (${code}): its folder cannot be created or written. Set DATABASE_URL to a file on a writable disk, ${restore}.`,
    );
  if (code === "SQLITE_FULL" || code === "ENOSPC")
    return new StartupError(
      `Cannot open ${file}: the disk is full (${code}). Free some space and start again.`,
    );
  return null;
}

/**
 * Opens (creating if needed) a SQLite file with the settings every connection here relies on, and
 * applies pending migrations. A file that is not SQLite, is damaged, cannot be written or was written
 * by a newer version is left untouched and refused with a StartupError saying so in one line.
 */
export function openDatabase(file: string): DB {
  let sqlite: Database.Database | undefined;
  try {
    if (file !== ":memory:") mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    sqlite = new Database(file);
    // Read before anything writes: a file that is not SQLite fails here, unchanged.
    sqlite.prepare("select count(*) from sqlite_master").get();
    const newer = schemaProblem(sqlite);
    if (newer)
      throw new StartupError(
        `${file} cannot be used: ${newer}. Run that version, ${"or restore a backup made by this one: npm run cli -- restore FILE"}.`,
      );
    configureConnection(sqlite);
    registerMigrationFunctions(sqlite);
    const db = drizzle(sqlite, { schema });
    // Migrations that rebuild a table run with foreign keys off, as SQLite's ALTER TABLE procedure
    // asks (the pragma cannot change inside the migrator's transaction), and are checked before going on.
    sqlite.pragma("foreign_keys = OFF");
    migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    const broken = sqlite.pragma("foreign_key_check") as unknown[];
    if (broken.length) throw new Error(`a migration left ${broken.length} broken foreign key references`);
    sqlite.pragma("foreign_keys = ON");
    return db;
  } catch (error) {
    sqlite?.close();
    if (error instanceof StartupError) throw error;
    throw openProblem(file, error) ?? error;
  }
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
/** Whether an error is a unique index refusing a row (SQLite's SQLITE_CONSTRAINT_UNIQUE). */
export const isUniqueViolation = (error: unknown): boolean =>
  error instanceof Error && "code" in error && error.code === "SQLITE_CONSTRAINT_UNIQUE";

export type Tx = Parameters<Parameters<DB["transaction"]>[0]>[0];
export type Executor = DB | Tx;

/**
 * A lazily built, per-connection set of prepared statements for hot paths: drizzle otherwise builds
 * and prepares the SQL on every call, which costs more than running it. On the app's connection unless
 * given another (the restore command's copy).
 */
export function preparedStatements<T>(build: (db: DB) => T): (db?: DB) => T {
  const cache = new WeakMap<DB, T>();
  return (db = getDb()) => {
    let statements = cache.get(db);
    if (!statements) {
      statements = build(db);
      cache.set(db, statements);
    }
    return statements;
  };
}
