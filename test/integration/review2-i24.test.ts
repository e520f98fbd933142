import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { backupDatabase } from "../../app/domain/backups/backup.server";
import { restoreDatabase } from "../../app/domain/backups/restore.server";
import { checkLedgerAgainstLog, type IndexedEntry } from "../../app/domain/transparency/log-audit";
import { appendEntries, logSize, logVkey } from "../../app/platform/transparency/log.server";
import type { LogEntry } from "../../app/platform/transparency/log-entries";
import { pollOnce } from "../../app/witness/witness-poll";
import { getDb, openDatabase } from "../../db/client";
import { makeCompany, openPetition } from "../support/petition-fixtures";
import { initWitness, readWitnessState } from "../support/witness";

const AT = "2030-01-01T10:00:00.000Z";
const H = (tag: string, n: number) => `${tag}${n.toString(16)}`.padEnd(64, "0");
const state = (length: number, head: string): LogEntry => ({
  type: "petition",
  petition: 7,
  length,
  head,
  count: length,
  tokensIssued: 100,
  publicWithToken: 0,
  publicWithoutToken: 0,
  at: AT,
});

describe("review 2: verify-ledger after two restores", () => {
  it("fails an honest deployment restored from an older backup, then from a newer one taken before that restore", () => {
    // Timeline X: ledger reaches 20 (logged at 20). Backup B2 was taken at X@18, backup B1 at X@10.
    // Restore B1 → restored(10). New signatures: timeline Y to 15, logged Y@15.
    // Operator: "wrong backup" → restore B2 (X@18): logRestoredPetitions sees Y@15 not in X → restored(18).
    const entries: IndexedEntry[] = [
      state(20, H("a", 20)),
      { type: "restored", petition: 7, length: 10, head: H("a", 10), at: AT },
      state(15, H("b", 15)),
      { type: "restored", petition: 7, length: 18, head: H("a", 18), at: AT },
    ].map((entry, index) => ({ index, entry: entry as LogEntry }));
    // The live chain is X up to 18 (the restored B2), honestly.
    const chain = {
      length: 18,
      head: H("a", 18),
      hashAt: (seq: number) => (seq <= 18 ? H("a", seq) : undefined),
      countAt: (seq: number) => (seq <= 18 ? seq : undefined),
    };
    const findings = checkLedgerAgainstLog(7, entries, chain);
    // An honest chain: nothing should be a problem.
    expect(findings.problems).toEqual([]);
  });
});

describe("review 2: a witness against a server that sends headers and then trickles nothing", () => {
  it("gives up on the poll", async () => {
    const witness = await initWitness({ name: "witness.review2b" });
    const st = readWitnessState(witness.stateFile);
    // Headers arrive at once; the body never ends.
    const trickle = (async () =>
      new Response(new ReadableStream({ start() {} }), { status: 200 })) as typeof fetch;
    const result = await Promise.race([
      pollOnce(st, {
        url: "http://slow.example",
        now: Date.now,
        save: () => undefined,
        fetch: trickle,
        timeoutMs: 1_000,
      }),
      new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), 5_000)),
    ]);
    witness.remove();
    expect(result).not.toBe("hung");
  }, 20_000);
});

describe("review 2: restore over a database a server started fresh", () => {
  it("keeps the backup's witnessed log, not the fresh database's new log and key", () => {
    const company = makeCompany(6);
    openPetition(company, "Logged before the backup");
    const dir = mkdtempSync(path.join(tmpdir(), "undersigned-rr-"));
    try {
      const backupVkey = logVkey(getDb());
      const backupSize = logSize(getDb());
      expect(backupVkey).not.toBeNull();
      expect(backupSize).toBeGreaterThan(0);
      const backup = path.join(dir, "backup.db");
      backupDatabase(backup, { db: getDb() });
      // A lost disk: the operator reinstalls and starts the server once, which makes a log of its own.
      const live = path.join(dir, "app.db");
      const fresh = openDatabase(live);
      appendEntries(
        [{ type: "settings", batchMinutes: 60, batchMinimum: 5, minimumHolders: 5, at: AT }],
        fresh,
      );
      fresh.$client.close();
      const report = restoreDatabase(backup, live, { now: () => Date.now() });
      const restored = openDatabase(live);
      const after = { vkey: logVkey(restored), size: logSize(restored) };
      restored.$client.close();
      // What witnesses and every device pinned is the backup's log: it must survive the restore.
      expect({ steps: report.steps.join("\n"), ...after }).toMatchObject({ vkey: backupVkey });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
