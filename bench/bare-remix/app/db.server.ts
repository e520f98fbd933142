import Database from "better-sqlite3";

/**
 * The bare app's SQLite file (BARE_DATABASE), with the product's connection settings (db/client.ts's
 * configureConnection): its own `rows` table for the one-row action and the page, and — when the file
 * is a copy of the benchmark's database — the project's schema for the same-writes action.
 */
let db: Database.Database | undefined;

export function database(): Database.Database {
  if (db) return db;
  db = new Database(process.env.BARE_DATABASE ?? "bare.db");
  db.pragma("journal_mode = WAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  db.pragma("synchronous = NORMAL");
  db.pragma("secure_delete = ON");
  db.exec(
    "create table if not exists rows (id integer primary key, title text not null, body text not null, created_at integer not null)",
  );
  return db;
}
