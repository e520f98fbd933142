import Database from "better-sqlite3";

/** One table in its own SQLite file (BARE_DATABASE), with the product's connection settings. */
let db: Database.Database | undefined;

export function database(): Database.Database {
  if (db) return db;
  db = new Database(process.env.BARE_DATABASE ?? "bare.db");
  db.pragma("journal_mode = WAL");
  db.pragma("busy_timeout = 5000");
  db.pragma("synchronous = NORMAL");
  db.exec(
    "create table if not exists rows (id integer primary key, title text not null, body text not null, created_at integer not null)",
  );
  return db;
}
