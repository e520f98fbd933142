import { mkdirSync, statSync } from "node:fs";
import path from "node:path";
import { getDb } from "../../../db/client";
import { getConfig } from "../../config.server";
import { Refusal } from "../../platform/refusal";
import { say } from "../../platform/said";
import { actorOf, recordAudit } from "../../platform/security/audit.server";
import { DAY_MS, HOUR_MS, MINUTE_MS } from "../../platform/time";
import { listScheduledBackups, scheduledBackupName } from "./backup.server";

/**
 * The admins' backups page: the backups in the folder the schedule and `npm run cli -- backup` write
 * to, and a backup taken now. Restoring stays on the command line: it needs the server stopped.
 */

/** BACKUP_DIR, or backups/ beside the database (as the command line's `backup` without a FILE). */
export function backupFolder(): string {
  const config = getConfig();
  return config.backups?.dir ?? path.join(config.dataDir, "backups");
}

/** How often backups are taken, in the largest whole unit (the page words it in the reader's language). */
export type BackupInterval = { unit: "day" | "hour" | "minute"; n: number };
const interval = (ms: number): BackupInterval => {
  const [unit, size] =
    ms % DAY_MS === 0
      ? (["day", DAY_MS] as const)
      : ms % HOUR_MS === 0
        ? (["hour", HOUR_MS] as const)
        : (["minute", MINUTE_MS] as const);
  return { unit, n: Math.round(ms / size) };
};

/** The schedule (BACKUP_DIR, BACKUP_EVERY, BACKUP_KEEP), or null when backups are taken by hand only. */
export function backupSchedule(): { every: BackupInterval; keep: number } | null {
  const schedule = getConfig().backups;
  return schedule ? { every: interval(schedule.everyMs), keep: schedule.keep } : null;
}

/** The backups in the folder, newest first, with when each was taken and its size. */
export function listBackups(folder = backupFolder()) {
  return listScheduledBackups(folder)
    .reverse()
    .map((backup) => {
      let bytes: number | null = null;
      try {
        bytes = statSync(backup.file).size;
      } catch {
        // Pruned between the listing and now.
      }
      return { name: path.basename(backup.file), at: new Date(backup.at), bytes };
    });
}

/** A backup that could not be taken: why, in the command's own words (a full disk, an unwritable folder). */
export class BackupNotTaken extends Refusal {}

/** How a backup is run: the command in a child process (app/server), so the request's process never stalls. */
export type BackupRunner = (file: string) => Promise<{ code: number | null; output: string }>;

/**
 * Takes a backup now, as `npm run cli -- backup` would into the backups folder (checked the same way),
 * and records it in the audit log either way. Throws BackupNotTaken (503) when it failed.
 */
export async function takeBackupNow(
  admin: { id: number; email: string },
  run: BackupRunner,
  now = Date.now(),
): Promise<{ name: string; bytes: number | null }> {
  const folder = backupFolder();
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const file = path.join(folder, scheduledBackupName(now));
  const { code, output } = await run(file);
  const name = path.basename(file);
  if (code !== 0) {
    const said = output.trim().split("\n").filter(Boolean).at(-1);
    const reason = said ?? "the backup command failed";
    recordAudit(getDb(), actorOf(admin), "database.backup", undefined, { file: name, failed: reason });
    // The command's own last line (English, as it logs it), else the page's words for a silent failure.
    throw new BackupNotTaken(
      said ? say("admin.refusal.backupNotTaken", { reason: said }) : say("admin.refusal.backupCommandFailed"),
      503,
    );
  }
  const bytes = listBackups(folder).find((b) => b.name === name)?.bytes ?? null;
  recordAudit(getDb(), actorOf(admin), "database.backup", undefined, { file: name, bytes });
  return { name, bytes };
}
