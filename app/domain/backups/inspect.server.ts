import { closeSync, openSync, readSync, statSync } from "node:fs";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { type DB, knownMigrations, schemaProblem } from "../../../db/client";
import * as schema from "../../../db/schema";
import { sizeInUnits } from "../../i18n/format";
import { checkCounts } from "../petitions/counts.server";

/**
 * Whether a file is an Undersigned database this version can use, and what it holds: what a backup is
 * checked with before it is kept, and a file to restore before it replaces anything.
 */

/** The tables every Undersigned database has had since its first migration. */
const CORE_TABLES = ["people", "petitions", "signatures", "ledger_entries", "audit_log", "outbox"] as const;

export type DatabaseSummary = {
  bytes: number;
  petitions: number;
  signatures: number;
  standingSignatures: number;
  ledgerEntries: number;
  people: number;
  comments: number;
  /** The newest time recorded in it (the ledger, the audit log): about when it was taken. */
  newestActivity: Date | null;
  migrations: number;
};

/** Raised for a file that must not be used; its message says why, in one line. */
export class UnusableDatabase extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnusableDatabase";
  }
}

const SQLITE_HEADER = "SQLite format 3\0";

function readHeader(file: string): string {
  const fd = openSync(file, "r");
  try {
    const buffer = Buffer.alloc(16);
    const read = readSync(fd, buffer, 0, 16, 0);
    return buffer.subarray(0, read).toString("latin1");
  } finally {
    closeSync(fd);
  }
}

/**
 * The first checks, on the file as it is (opened read-only, nothing written): a SQLite file, intact
 * (`PRAGMA integrity_check`), with Undersigned's tables and migrations, none newer than this
 * version's. Throws UnusableDatabase saying what is wrong.
 */
export function checkDatabaseFile(file: string, what = file): void {
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new UnusableDatabase(`${what} is not a file.`);
    size = stat.size;
  } catch (error) {
    if (error instanceof UnusableDatabase) throw error;
    const code = (error as { code?: string }).code;
    throw new UnusableDatabase(
      code === "ENOENT" ? `${what} does not exist.` : `${what} cannot be read (${code ?? String(error)}).`,
    );
  }
  if (size === 0 || readHeader(file) !== SQLITE_HEADER)
    throw new UnusableDatabase(`${what} is not a SQLite database (it does not start with SQLite's header).`);
  let sqlite: Database.Database;
  try {
    sqlite = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new UnusableDatabase(`${what} cannot be opened (${(error as { code?: string }).code ?? error}).`);
  }
  try {
    let integrity: Array<{ integrity_check: string }>;
    try {
      integrity = sqlite.pragma("integrity_check") as Array<{ integrity_check: string }>;
    } catch (error) {
      throw new UnusableDatabase(
        `${what} is damaged: ${(error as { code?: string }).code ?? String(error)} (a truncated or corrupt file).`,
      );
    }
    const problems = integrity.map((r) => r.integrity_check);
    if (problems.length !== 1 || problems[0] !== "ok")
      throw new UnusableDatabase(
        `${what} is damaged: PRAGMA integrity_check says ${problems.slice(0, 3).join("; ")}${problems.length > 3 ? "…" : ""}.`,
      );
    const tables = new Set(
      sqlite
        .prepare<[], { name: string }>("select name from sqlite_master where type = 'table'")
        .all()
        .map((t) => t.name),
    );
    const missing = CORE_TABLES.filter((t) => !tables.has(t));
    if (!tables.has("__drizzle_migrations") || missing.length)
      throw new UnusableDatabase(
        `${what} is not an Undersigned database (it has no ${[...(tables.has("__drizzle_migrations") ? [] : ["migrations table"]), ...missing].join(", ")}).`,
      );
    const first = sqlite
      .prepare<[], { hash: string }>("select hash from __drizzle_migrations order by created_at, id limit 1")
      .get();
    if (first?.hash !== knownMigrations()[0]?.hash)
      throw new UnusableDatabase(
        `${what} is not an Undersigned database this version knows (its first migration is not Undersigned's).`,
      );
    const newer = schemaProblem(sqlite);
    if (newer) throw new UnusableDatabase(`${what} cannot be used: ${newer}.`);
  } finally {
    sqlite.close();
  }
}

const count = (sqlite: Database.Database, table: string, where = "") =>
  (sqlite.prepare(`select count(*) as n from ${table} ${where}`).get() as { n: number }).n;

/** Counts of what a database (of this version's schema) holds. */
export function summarize(db: DB, file: string): DatabaseSummary {
  const sqlite = db.$client;
  const newest = sqlite
    .prepare<[], { at: number | null }>(
      "select max(at) as at from (select max(at) as at from ledger_entries union all select max(created_at) from audit_log)",
    )
    .get();
  return {
    bytes: statSync(file).size,
    petitions: count(sqlite, "petitions"),
    signatures: count(sqlite, "signatures"),
    standingSignatures: count(sqlite, "signatures", "where withdrawn_at is null and invalidated_at is null"),
    ledgerEntries: count(sqlite, "ledger_entries"),
    people: count(sqlite, "people"),
    comments: count(sqlite, "comments"),
    newestActivity: newest?.at ? new Date(newest.at) : null,
    migrations: count(sqlite, "__drizzle_migrations"),
  };
}

/**
 * The deep check, on a database of this version's schema: every petition's ledger verifies (hash
 * chain, head, replay) and its stored count equals its standing signatures. Throws UnusableDatabase.
 */
export function verifyContents(db: DB, what: string): void {
  const counts = checkCounts(db);
  if (!counts.ok) {
    const first = counts.mismatches[0];
    throw new UnusableDatabase(
      `${what} does not verify: ${counts.mismatches.length} petition${counts.mismatches.length === 1 ? "" : "s"} with a broken ledger or a count that does not match${first ? ` (first: ${first.slug}, stored ${first.stored}, signatures ${first.signatures}${first.ledger.length ? `; ${first.ledger[0]}` : ""})` : ""}.`,
    );
  }
}

/** A drizzle handle on another file (read-only unless said), for the checks above. */
export function openFile(file: string, options: { readonly: boolean }): DB {
  const sqlite = new Database(file, { readonly: options.readonly, fileMustExist: true });
  return drizzle(sqlite, { schema }) as DB;
}

export function describeSummary(summary: DatabaseSummary): string {
  const n = (value: number) => value.toLocaleString("en");
  return `${n(summary.petitions)} petitions, ${n(summary.standingSignatures)} standing signatures (${n(summary.signatures)} in all), ${n(summary.ledgerEntries)} ledger entries, ${n(summary.people)} people, ${n(summary.comments)} comments; newest activity ${summary.newestActivity ? summary.newestActivity.toISOString().replace(/\.\d+Z$/, "Z") : "none"}`;
}

export function describeBytes(bytes: number): string {
  const { n, unit, digits } = sizeInUnits(bytes);
  return `${n.toFixed(digits)} ${unit}`;
}
