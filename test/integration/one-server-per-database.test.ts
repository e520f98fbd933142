import { createHash } from "node:crypto";
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { backupDatabase } from "../../app/domain/backups/backup.server";
import { DatabaseInUse, restoreDatabase } from "../../app/domain/backups/restore.server";
import { databaseIsLocked, tryLockDatabase } from "../../app/platform/runtime/database-lock.server";
import { getDb, openDatabase } from "../../db/client";

/**
 * One server per database: the lock a server takes on its SQLite file holds under every name the file
 * has, so neither a second server nor a restore can write under a server that is running.
 */

describe("the one-server-per-database lock", () => {
  it("is one lock for every name of a database: through a symlink to the file or to its folder, a second server and a restore are refused and the live file is untouched", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "undersigned-lock-"));
    try {
      const live = path.join(dir, "data", "app.db");
      mkdirSync(path.dirname(live));
      openDatabase(live).$client.close();
      const fileLink = path.join(dir, "alias.db");
      symlinkSync(live, fileLink);
      const folderLink = path.join(dir, "linked");
      symlinkSync(path.dirname(live), folderLink);
      const viaFolder = path.join(folderLink, "app.db");
      const backup = path.join(dir, "backup.db");
      backupDatabase(backup, { db: getDb() });
      const hash = () => createHash("sha256").update(readFileSync(live)).digest("hex");

      // A server holds the database under its own name; the other names find it held.
      const server = tryLockDatabase(live);
      expect(server).not.toBeNull();
      expect(tryLockDatabase(fileLink)).toBeNull();
      expect(tryLockDatabase(viaFolder)).toBeNull();
      expect(databaseIsLocked(fileLink)).toBe(true);
      const before = hash();
      expect(() => restoreDatabase(backup, fileLink)).toThrow(DatabaseInUse);
      expect(() => restoreDatabase(backup, viaFolder)).toThrow(DatabaseInUse);
      expect(hash()).toBe(before);
      server?.release();

      // Started through the link, it holds the database under its real name too.
      const throughLink = tryLockDatabase(fileLink);
      expect(throughLink).not.toBeNull();
      expect(tryLockDatabase(live)).toBeNull();
      throughLink?.release();

      // No server: a restore through the link replaces the file it names, and the link stays a link.
      const report = restoreDatabase(backup, fileLink, { now: () => Date.now() });
      expect(report.databasePath).toBe(realpathSync(live));
      expect(lstatSync(fileLink).isSymbolicLink()).toBe(true);
      expect(hash()).not.toBe(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
