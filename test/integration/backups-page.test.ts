import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { backupDatabase } from "../../app/domain/backups/backup.server";
import {
  BackupNotTaken,
  backupFolder,
  listBackups,
  takeBackupNow,
} from "../../app/domain/backups/on-demand.server";
import { grantRole } from "../../app/domain/identity/permissions.server";
import { CLI_ACTOR, listAuditEntries } from "../../app/platform/security/audit.server";
import * as backupsRoute from "../../app/routes/admin.backups";
import { dayFromNow } from "../support/dates";
import { callRoute } from "../support/fixtures";
import { makeCompany } from "../support/petition-fixtures";

const company = makeCompany(5);
const admin = company.staff[4];
if (!admin) throw new Error("no admin");
grantRole(admin.id, "admin", CLI_ACTOR);
admin.roles = ["admin"];

const HOUR_MS = 60 * 60_000;
/** 09:00 UTC, `days` from today (negative: before). */
const nineAm = (days: number) => Date.parse(`${dayFromNow(days)}T09:00:00Z`);

/** The real backup, in this process (the page runs the same command in a child process). */
const inProcess = async (file: string) => {
  backupDatabase(file);
  return { code: 0, output: "" };
};

describe("the admins' backups page", () => {
  it("takes a checked backup now into the backups folder, lists it newest first and records it in the audit log", async () => {
    rmSync(backupFolder(), { recursive: true, force: true });
    expect(listBackups()).toEqual([]);
    const first = await takeBackupNow(admin, inProcess, nineAm(-2));
    const second = await takeBackupNow(admin, inProcess, nineAm(-1));
    expect(first.name).toBe(`undersigned-${dayFromNow(-2)}T09-00-00Z.db`);
    expect(existsSync(path.join(backupFolder(), second.name))).toBe(true);
    const listed = listBackups();
    expect(listed.map((b) => b.name)).toEqual([second.name, first.name]);
    expect(listed[0]?.at).toEqual(new Date(nineAm(-1)));
    expect(listed[0]?.bytes).toBeGreaterThan(0);
    const [entry] = listAuditEntries({ action: "database.backup" }).entries;
    expect(entry).toMatchObject({ actorLabel: admin.email, details: { file: second.name } });
  });

  it("says why a backup could not be taken, and records the attempt", async () => {
    const failing = async () => ({
      code: 1,
      output: "Cannot write the backup: the disk is full (SQLITE_FULL).\n",
    });
    const attempt = takeBackupNow(admin, failing, nineAm(0));
    await expect(attempt).rejects.toThrowError(BackupNotTaken);
    await expect(takeBackupNow(admin, failing, nineAm(0) + HOUR_MS)).rejects.toThrowError(/the disk is full/);
    const [entry] = listAuditEntries({ action: "database.backup" }).entries;
    expect(entry?.details).toMatchObject({
      failed: "Cannot write the backup: the disk is full (SQLITE_FULL).",
    });
  });

  it("is for admins only: the page and taking a backup", async () => {
    expect((await callRoute(backupsRoute, "loader", admin, "/admin/backups", {})).status).toBe(200);
    const staff = company.staff[0] ?? null;
    expect((await callRoute(backupsRoute, "loader", staff, "/admin/backups", {})).status).toBe(403);
    const before = listBackups().length;
    expect(
      (await callRoute(backupsRoute, "action", staff, "/admin/backups", {}, { intent: "backup" })).status,
    ).toBe(403);
    expect(listBackups().length).toBe(before);
  });

  it("takes a backup only from its own form: any other body is a 400 and takes none", async () => {
    const before = listBackups().length;
    expect((await callRoute(backupsRoute, "action", admin, "/admin/backups", {}, {})).status).toBe(400);
    expect(
      (await callRoute(backupsRoute, "action", admin, "/admin/backups", {}, { intent: "restore" })).status,
    ).toBe(400);
    expect(listBackups().length).toBe(before);
  });
});
