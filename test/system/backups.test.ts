import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scheduledBackupName } from "../../app/domain/backups/backup.server";
import { checkDatabaseFile, openFile, verifyContents } from "../../app/domain/backups/inspect.server";
import { DAY_MS } from "../../app/platform/time";
import { type AppServer, startAppServer } from "../support/app-server";
import { httpRequest, loopbackAddress, sessionCookies, useAppDatabase } from "../support/http-client";
import { makeCompany, openPetition } from "../support/petition-fixtures";

/**
 * Backups taken while the server serves, and restores: what a backup holds, what a restore refuses
 * (a running server's database, a truncated file, another app's database, a newer schema, something
 * that is not SQLite) and that it then replaces nothing; scheduled backups in the server.
 */

const NODE_WITH_TSX = [process.execPath, "--import", "tsx"];

let app: AppServer;
let company: ReturnType<typeof makeCompany>;
let work: string;
beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), "undersigned-backups-"));
  app = await startAppServer();
  useAppDatabase(app);
  company = makeCompany(300);
});
afterAll(async () => {
  await app?.stop();
});

/** `npm run cli -- …` on the server's database, without blocking this process (the load goes on). */
function cli(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ status: number | null; out: string }>((resolve) => {
    const child = spawn(NODE_WITH_TSX[0] ?? "node", [...NODE_WITH_TSX.slice(1), "app/cli.ts", ...args], {
      env: { ...process.env, DATABASE_URL: app.databasePath, ...env },
    });
    let out = "";
    child.stdout.on("data", (c) => {
      out += c;
    });
    child.stderr.on("data", (c) => {
      out += c;
    });
    child.on("exit", (status) => resolve({ status, out }));
  });
}

const hashOf = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

describe("a backup taken during a signing load", () => {
  let backup: string;
  let acknowledgedBefore: Set<number>;

  it("holds every signature acknowledged before it began, and its ledgers verify and its counts match", async () => {
    const petition = openPetition(company, "Let staff opt out of logging, backed up as they sign");
    const signers = company.staff.slice(4, 300);
    const cookies = await sessionCookies(signers.map((s) => s.id));
    const acknowledged = new Set<number>();
    let next = 0;
    let stop = false;
    const worker = async (c: number) => {
      while (!stop && next < signers.length) {
        const i = next++;
        const response = await httpRequest(`${app.baseUrl}/petitions/${petition.slug}?index`, {
          form: { intent: "sign", visibility: "public", noAnonymousSignature: "on" },
          cookie: cookies[i],
          from: loopbackAddress(c),
        });
        expect(response.status).toBe(302);
        acknowledged.add(signers[i]?.id ?? 0);
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, (_, c) => worker(c)));
    while (acknowledged.size < 60) await new Promise((resolve) => setTimeout(resolve, 20));
    acknowledgedBefore = new Set(acknowledged);
    backup = path.join(work, "during-load.db");
    const taken = await cli(["backup", backup]);
    const duringBackup = acknowledged.size - acknowledgedBefore.size;
    stop = true;
    await load;
    expect(taken.status).toBe(0);
    expect(taken.out).toMatch(
      /Backup written to .*during-load\.db: [\d.]+ (KiB|MiB) in [\d.]+ s\. Checked: integrity ok/,
    );
    // Readable by its owner only: it holds everything the database holds.
    expect(statSync(backup).mode & 0o077).toBe(0);
    expect(existsSync(`${backup}.partial`)).toBe(false);
    // The load went on while the copy was taken (nothing waited for it).
    expect(duringBackup).toBeGreaterThanOrEqual(0);

    checkDatabaseFile(backup);
    const copy = openFile(backup, { readonly: true });
    verifyContents(copy, "the backup");
    const inCopy = new Set(
      copy.$client
        .prepare<[number], { person_id: number }>("select person_id from signatures where petition_id = ?")
        .all(petition.id)
        .map((r) => r.person_id),
    );
    copy.$client.close();
    for (const personId of acknowledgedBefore) expect(inCopy.has(personId)).toBe(true);
  });

  it("restores to a database whose ledger verifies and whose counts match", async () => {
    // A restore refuses while the server holds the database: its file stays as it was.
    const before = hashOf(app.databasePath);
    const refused = await cli(["restore", backup]);
    expect(refused.status).toBe(1);
    expect(refused.out).toContain(`A server (or another restore) is using ${app.databasePath}`);
    expect(hashOf(app.databasePath)).toBe(before);

    app.signal("SIGTERM");
    expect(await app.exited()).toBe(0);
    const restored = await cli(["restore", backup]);
    expect(restored.status).toBe(0);
    expect(restored.out).toMatch(
      /^Restored .*during-load\.db to .*app\.db: \d+ petitions, \d+ standing signatures/m,
    );
    expect(restored.out).toContain("Every ledger verifies and every count matches.");
    expect(restored.out).toMatch(/Ended \d+ sessions and \d+ unused sign-in links from the backup/);
    const aside = /kept at (\S+);/.exec(restored.out)?.[1] ?? "";
    expect(existsSync(aside)).toBe(true);

    const db = openFile(app.databasePath, { readonly: true });
    verifyContents(db, "the restored database");
    const people = new Set(
      db.$client
        .prepare<[], { person_id: number }>("select person_id from signatures")
        .all()
        .map((r) => r.person_id),
    );
    expect(db.$client.prepare("select count(*) as n from sessions").get()).toEqual({ n: 0 });
    expect(
      db.$client.prepare("select count(*) as n from audit_log where action = 'database.restore'").get(),
    ).toEqual({ n: 1 });
    db.$client.close();
    for (const personId of acknowledgedBefore) expect(people.has(personId)).toBe(true);

    // The server starts on the restored database.
    await app.restart();
    expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);
  });
});

describe("restore refuses, replacing nothing", () => {
  // The server is stopped: only the file decides.
  beforeAll(async () => {
    app.signal("SIGTERM");
    await app.exited();
  });
  afterAll(() => app.restart());
  const cases: Array<[string, (file: string) => void, RegExp]> = [
    [
      "a truncated backup",
      (file) => {
        copyFileSync(app.databasePath, file);
        truncateSync(file, Math.floor(statSync(file).size / 2));
      },
      /is damaged|cannot be opened/,
    ],
    [
      "a database of another app",
      (file) => {
        const other = new Database(file);
        other.exec(
          "create table invoices (id integer primary key, total real); insert into invoices values (1, 9.5)",
        );
        other.close();
      },
      /is not an Undersigned database/,
    ],
    [
      "a backup from a newer version",
      (file) => {
        const source = new Database(app.databasePath, { readonly: true });
        source.prepare("VACUUM INTO ?").run(file);
        source.close();
        const newer = new Database(file);
        newer
          .prepare("insert into __drizzle_migrations (hash, created_at) values ('f'||hex(randomblob(31)), ?)")
          .run(Date.now() + 365 * DAY_MS);
        newer.close();
      },
      /written by a newer version of Undersigned/,
    ],
    [
      "a file that is not SQLite",
      (file) => writeFileSync(file, "email,name\nx@corp.example,X\n"),
      /is not a SQLite database/,
    ],
    ["a file that does not exist", () => {}, /does not exist/],
  ];
  for (const [what, make, message] of cases) {
    it(what, async () => {
      const file = path.join(work, `${what.replaceAll(" ", "-")}.db`);
      make(file);
      const before = hashOf(app.databasePath);
      const replaced = () =>
        readdirSync(path.dirname(app.databasePath)).filter((f) => f.includes(".replaced-"));
      const keptBefore = replaced();
      const result = await cli(["restore", file]);
      expect(result.status).toBe(1);
      expect(result.out).toMatch(message);
      expect(result.out).toContain("Nothing was replaced.");
      expect(result.out).not.toMatch(/\n\s+at /);
      expect(hashOf(app.databasePath)).toBe(before);
      expect(replaced()).toEqual(keptBefore);
      expect(existsSync(`${app.databasePath}.restoring`)).toBe(false);
    });
  }
});

describe("backup refuses", () => {
  it("a path it cannot write, saying so, leaving nothing behind", async () => {
    const missing = await cli(["backup", path.join(work, "no-such-folder", "b.db")]);
    expect(missing.status).toBe(1);
    expect(missing.out).toContain("the folder does not exist");
    const readOnly = path.join(work, "read-only");
    mkdirSync(readOnly);
    const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", readOnly]).status === 0;
    try {
      const target = path.join(readOnly, "b.db");
      const result = await cli(["backup", target]);
      expect(result.status).toBe(1);
      expect(result.out).toMatch(mounted ? /read-only file system \(EROFS\)/ : /not writable|Cannot write/);
      expect(result.out).not.toMatch(/\n\s+at /);
      expect(existsSync(target)).toBe(false);
      expect(existsSync(`${target}.partial`)).toBe(false);
    } finally {
      if (mounted) spawnSync("umount", [readOnly]);
    }
    const existing = path.join(work, "exists.db");
    writeFileSync(existing, "keep me");
    const over = await cli(["backup", existing]);
    expect(over.status).toBe(1);
    expect(over.out).toContain("already exists");
    expect(readFileSync(existing, "utf8")).toBe("keep me");
  });
});

describe("scheduled backups", () => {
  it("are off by default and said so at start; with BACKUP_DIR, taken, checked, renamed and pruned", async () => {
    expect(app.output()).toContain("Backups: off. Set BACKUP_DIR");
    const dir = path.join(work, "scheduled");
    mkdirSync(dir);
    // Three old backups (by their names) and a temporary copy a stopped backup left behind.
    const old = [3, 2, 1].map((days) => path.join(dir, scheduledBackupName(Date.now() - days * DAY_MS)));
    for (const file of old) writeFileSync(file, "old");
    writeFileSync(`${old[2]}.partial`, "left behind");
    const scheduled = await startAppServer({ BACKUP_DIR: dir, BACKUP_EVERY: "1d", BACKUP_KEEP: "2" });
    try {
      expect(scheduled.output()).toContain(`Backups: every 1d into ${dir}, keeping the newest 2`);
      await scheduled.waitUntil(
        () => /Scheduled backup: Backup written to/.test(scheduled.output()),
        120_000,
      );
      // Two old backups and the temporary copy go; the log says so once the folder is as left.
      expect(scheduled.output()).toMatch(/Scheduled backup: Backup written to .* Pruned 3 older files\./);
      const left = readdirSync(dir).sort();
      expect(left).toHaveLength(2);
      expect(left).toContain(path.basename(old[2] ?? ""));
      const fresh = left.find((f) => !old.includes(path.join(dir, f)));
      expect(fresh).toMatch(/^undersigned-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z\.db$/);
      checkDatabaseFile(path.join(dir, fresh ?? ""));
    } finally {
      await scheduled.stop();
    }
  });
});
