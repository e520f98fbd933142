import { existsSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { backupDatabase } from "../../app/domain/backups/backup.server";
import { LogMismatch, restoreDatabase } from "../../app/domain/backups/restore.server";
import { nextLedgerEntry, verifyLedger } from "../../app/domain/petitions/ledger.server";
import { signPetition } from "../../app/domain/petitions/signing.server";
import { checkLedgerAgainstLog, type IndexedEntry } from "../../app/domain/transparency/log-audit";
import { logCurrentState } from "../../app/domain/transparency/log-writer.server";
import { HOUR_MS } from "../../app/platform/time";
import { appendEntries, logEntries, logSize, logVkey } from "../../app/platform/transparency/log.server";
import { parseEntry } from "../../app/platform/transparency/log-entries";
import { type DB, getDb, openDatabase } from "../../db/client";
import { makeCompany, openPetition } from "../support/petition-fixtures";

/**
 * A restore never rewinds the public log, and says publicly what it took back: the live database's
 * log is carried over only if it is the backup's own log grown (a database a server made afresh after
 * a lost disk is refused, not carried), and each petition taken back gets a `restored` entry at the
 * point where its chains part — so after two restores, the second from another branch, an honest
 * ledger still passes verify-ledger against the log.
 */

const dir = mkdtempSync(path.join(tmpdir(), "undersigned-restore-log-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const company = makeCompany(24);
const staff = company.member;
let signer = 4;
const signPublicly = async (petitionId: number, n: number) => {
  for (let i = 0; i < n; i++)
    await signPetition({ petitionId, user: staff(signer++), ip: null, noAnonymousSignature: true });
};
let slot = Date.now() + HOUR_MS;
const logNow = () => {
  slot += HOUR_MS;
  logCurrentState(slot, { force: true });
};

const entriesOf = (db: DB): IndexedEntry[] =>
  logEntries(0, logSize(db), db).map((row) => ({
    index: row.index,
    entry: parseEntry(new TextEncoder().encode(row.data)),
  }));

describe("a restore over a database a server made afresh", () => {
  it("is refused, keeping both, and once that database is moved aside the backup's own log stays", () => {
    openPetition(company, "Logged before the backup");
    logNow();
    const backupVkey = logVkey();
    const backup = path.join(dir, "backup-before-the-lost-disk.db");
    backupDatabase(backup);
    // The disk is lost; the server started once on an empty database made a log (and key) of its own.
    const live = path.join(dir, "fresh.db");
    const fresh = openDatabase(live);
    appendEntries(
      [
        {
          type: "settings",
          batchMinutes: 60,
          batchMinimum: 5,
          minimumHolders: 20,
          at: new Date(slot - (slot % HOUR_MS)).toISOString(),
        },
      ],
      fresh,
    );
    const freshVkey = logVkey(fresh);
    fresh.$client.close();
    expect(freshVkey).not.toBe(backupVkey);
    expect(() => restoreDatabase(backup, live)).toThrow(LogMismatch);
    const untouched = openDatabase(live);
    expect(logVkey(untouched)).toBe(freshVkey);
    untouched.$client.close();
    renameSync(live, path.join(dir, "fresh-moved-aside.db"));
    for (const side of ["-wal", "-shm"]) if (existsSync(live + side)) rmSync(live + side);
    restoreDatabase(backup, live);
    const restored = openDatabase(live);
    expect(logVkey(restored)).toBe(backupVkey);
    restored.$client.close();
  });
});

describe("two restores, the second from a backup on the first history", () => {
  it("logs where the chains part each time, and an honest ledger passes verify-ledger against the log", async () => {
    const petition = openPetition(company, "Restored twice");
    await signPublicly(petition.id, 3);
    const early = path.join(dir, "early.db");
    backupDatabase(early);
    await signPublicly(petition.id, 2);
    const later = path.join(dir, "later.db");
    backupDatabase(later);
    await signPublicly(petition.id, 2);
    logNow();
    // The live deployment, as a file of its own (a backup is a full copy): 8 entries, logged.
    const live = path.join(dir, "live.db");
    backupDatabase(live);
    const lengthOf = (db: DB) =>
      (
        db.$client.prepare("select ledger_length as n from petitions where id = ?").get(petition.id) as {
          n: number;
        }
      ).n;
    expect(lengthOf(getDb())).toBe(8);

    // The first restore, from the early backup (4 entries): the log says the chain now goes on from 4.
    restoreDatabase(early, live);
    let db = openDatabase(live);
    const first = entriesOf(db).filter(
      (e) => e.entry.type === "restored" && e.entry.petition === petition.id,
    );
    expect(first.map((e) => e.entry)).toMatchObject([{ length: 4 }]);
    // New signatures on that branch, logged.
    const row = db.$client
      .prepare(
        "select id, ledger_length as ledgerLength, ledger_head as ledgerHead, signature_count as signatureCount from petitions where id = ?",
      )
      .get(petition.id) as {
      id: number;
      ledgerLength: number;
      ledgerHead: string | null;
      signatureCount: number;
    };
    const insert = db.$client.prepare(
      "insert into ledger_entries (petition_id, seq, event, at, signer, prev_hash, hash, format) values (?, ?, ?, ?, ?, ?, ?, ?)",
    );
    db.$client.transaction(() => {
      for (let i = 0; i < 3; i++) {
        const entry = nextLedgerEntry(row, "signed", `branch-two-${i}`.padEnd(64, "0"), new Date(slot));
        insert.run(
          entry.petitionId,
          entry.seq,
          entry.event,
          entry.at.getTime(),
          entry.signer,
          entry.prevHash,
          entry.hash,
          entry.format,
        );
        row.ledgerLength = entry.seq;
        row.ledgerHead = entry.hash;
        row.signatureCount++;
      }
      db.$client
        .prepare("update petitions set ledger_length = ?, ledger_head = ?, signature_count = ? where id = ?")
        .run(row.ledgerLength, row.ledgerHead, row.signatureCount, petition.id);
    })();
    appendEntries(
      [
        {
          type: "petition",
          petition: petition.id,
          length: row.ledgerLength,
          head: row.ledgerHead ?? "",
          count: row.signatureCount,
          tokensIssued: 0,
          publicWithToken: 0,
          publicWithoutToken: row.signatureCount,
          at: new Date(slot - (slot % HOUR_MS)).toISOString(),
        },
      ],
      db,
    );
    db.$client.close();

    // "The wrong backup": the later one (6 entries, on the first history). Its chain and the live one
    // part at 4: that is where the log says the chain goes on from, not 6.
    restoreDatabase(later, live);
    db = openDatabase(live);
    const entries = entriesOf(db);
    const restores = entries.filter((e) => e.entry.type === "restored" && e.entry.petition === petition.id);
    expect(restores.map((e) => e.entry)).toMatchObject([{ length: 4 }, { length: 4 }]);
    const check = verifyLedger(petition.id, db);
    expect(check.ok, check.problems.join("\n")).toBe(true);
    if (!check.chain) throw new Error("no chain");
    expect(checkLedgerAgainstLog(petition.id, entries, check.chain).problems).toEqual([]);
    db.$client.close();
  });
});
