import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { expect } from "vitest";
import { MIGRATIONS_FOLDER, registerMigrationFunctions } from "../../db/client";

/**
 * A database of its own, migrated up to (not including) the migration whose tag ends with `tag`:
 * what an older server left behind, for the tests of an upgrade. `upgrade()` runs the rest as
 * db/client.ts does; `done()` closes it and removes its folder.
 */
export function migratedBefore(tag: string) {
  const dir = mkdtempSync(path.join(tmpdir(), "undersigned-migrations-"));
  cpSync(MIGRATIONS_FOLDER, dir, { recursive: true });
  const journalPath = path.join(dir, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: { tag: string }[] };
  const until = journal.entries.findIndex((e) => e.tag.endsWith(tag));
  expect(until).toBeGreaterThan(0);
  writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, until) }));
  const client = new Database(path.join(dir, "app.db"));
  registerMigrationFunctions(client);
  migrate(drizzle(client), { migrationsFolder: dir });
  return {
    client,
    // As db/client.ts migrates: foreign keys off (tables are rebuilt), checked after.
    upgrade: () => {
      client.pragma("foreign_keys = OFF");
      migrate(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });
      expect(client.pragma("foreign_key_check")).toEqual([]);
      client.pragma("foreign_keys = ON");
    },
    done: () => {
      client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
