import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { entryHash, GENESIS_HASH } from "../../app/domain/petitions/ledger.server";
import { checkLedgerAgainstLog, type IndexedEntry } from "../../app/domain/transparency/log-audit";
import { logCurrentState } from "../../app/domain/transparency/log-writer.server";
import type { LogEntry } from "../../app/platform/transparency/log-entries";
import * as entriesRoute from "../../app/routes/api.log.entries";
import * as consistencyRoute from "../../app/routes/api.log.proof.consistency";
import * as inclusionRoute from "../../app/routes/api.log.proof.inclusion";
import { closeDb, getDb } from "../../db/client";
import { runChild } from "../support/child-process";
import { callRoute } from "../support/fixtures";
import { makeCompany, openPetition } from "../support/petition-fixtures";

/**
 * What an operator might try against `verify-anonymous` / `verify-ledger` with the log in place: (1) Rows padded in a shape the database's pre-token count does not count but the list
 * check skips as pre-token; (2) a `restored` entry the operator appends to excuse a rewritten chain.
 */

const HEAD = (n: number, tag = "") => Buffer.from(`${tag}${n}`.padEnd(32, "-")).toString("hex").slice(0, 64);
// The checks read no clock; logged hours are only compared with each other: any whole hour does.
const AT = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString();

describe("a restored entry written by the operator", () => {
  it("does not excuse a chain rewritten below the point it claims the restore went back to", () => {
    // Logged while honest: the ledger at 4 and 6 entries.
    const state = (length: number, head: string): LogEntry => ({
      type: "petition",
      petition: 7,
      length,
      head,
      count: length,
      tokensIssued: 40,
      publicWithToken: 0,
      publicWithoutToken: length,
      at: AT,
    });
    const entries: IndexedEntry[] = [
      state(4, HEAD(4)),
      state(6, HEAD(6)),
      // The operator drops entry 2, re-hashes (5 entries, every head from 2 on new), and logs a "restore" to 5.
      { type: "restored", petition: 7, length: 5, head: HEAD(5, "x"), at: AT } as LogEntry,
    ].map((entry, index) => ({ index, entry }));
    const rewritten = (seq: number) => (seq === 0 ? GENESIS_HASH : seq === 1 ? HEAD(1) : HEAD(seq, "x"));
    const findings = checkLedgerAgainstLog(7, entries, {
      length: 5,
      head: HEAD(5, "x"),
      hashAt: (seq) => (seq <= 5 ? rewritten(seq) : undefined),
      countAt: (seq) => seq,
    });
    // A real restore goes back to a backup: a prefix of what was logged. The chain at 4 entries
    // must still be the one logged at 4 entries; here it is not, and only a note is printed.
    expect(findings.notes.join("\n")).toMatch(/restored from a backup/);
    expect(findings.problems).not.toEqual([]);
  });
});

describe("pre-token-shaped rows with a message but no signature", () => {
  it("fail the local verify-anonymous as they fail the remote one", async () => {
    const company = makeCompany(8);
    const petition = openPetition(company, "Padded in another shape");
    logCurrentState(Date.now(), { force: true });
    const db = getDb().$client;
    const row = db
      .prepare<[number], { ledger_length: number; ledger_head: string | null; signature_count: number }>(
        "select ledger_length, ledger_head, signature_count from petitions where id = ?",
      )
      .get(petition.id);
    if (!row) throw new Error("no petition");
    let { ledger_length: length, ledger_head: head, signature_count: count } = row;
    const now = Date.now();
    const hour = new Date(now - (now % 3_600_000));
    db.transaction(() => {
      for (let i = 0; i < 30; i++) {
        const tokenId = randomBytes(32).toString("hex");
        const seq = length + 1;
        const prevHash = head ?? GENESIS_HASH;
        const hash = entryHash({
          format: 2,
          petitionId: petition.id,
          seq,
          event: "signed",
          at: hour,
          signer: tokenId,
          prevHash,
        });
        db.prepare(
          "insert into ledger_entries (petition_id, seq, event, at, signer, prev_hash, hash, format) values (?, ?, 'signed', ?, ?, ?, ?, 2)",
        ).run(petition.id, seq, hour.getTime(), tokenId, prevHash, hash);
        // A message, no signature: the list check calls it pre-token, the database's count does not.
        db.prepare(
          `insert into anonymous_signatures (token_id, petition_id, message, signature, signer_key, action_seq, standing, counted_at, changed_at, ledger_seq, ledger_hash)
           values (?, ?, 'AAAA', null, null, 0, 1, ?, ?, ?, ?)`,
        ).run(tokenId, petition.id, now, now, seq, hash);
        length = seq;
        head = hash;
        count++;
      }
      db.prepare(
        "update petitions set ledger_length = ?, ledger_head = ?, signature_count = ? where id = ?",
      ).run(length, head, count, petition.id);
    })();
    closeDb();
    const env = { ...process.env, SMTP_URL: "" };
    const ledger = await runChild(
      ["--import", "tsx", "app/cli.ts", "verify-ledger", String(petition.id)],
      env,
    );
    expect(ledger.status, ledger.output).toBe(0);
    const anonymous = await runChild(
      ["--import", "tsx", "app/cli.ts", "verify-anonymous", String(petition.id)],
      env,
    );
    // 30 anonymous signatures that no token backs, on a petition whose key came first.
    expect(anonymous.status, anonymous.output).toBe(1);
  }, 60_000);
});

describe("the proof and entries endpoints", () => {
  const get = (route: Parameters<typeof callRoute>[0], path: string) =>
    callRoute(route, "loader", null, path, {});
  it("answer odd but well-typed input without a 500", async () => {
    for (const [route, path] of [
      [consistencyRoute, "/api/log/proof/consistency?from=0&to=0"],
      [consistencyRoute, "/api/log/proof/consistency?from=0&to=1"],
      [consistencyRoute, "/api/log/proof/consistency?from=1e300&to=1e300"],
      [inclusionRoute, "/api/log/proof/inclusion?index=0&size=1e300"],
      [entriesRoute, "/api/log/entries?start=0&end=99999999999999999999"],
      [entriesRoute, "/api/log/entries?start=5&end=1"],
    ] as const) {
      const answer = await get(route, path);
      expect(answer.status, path).toBeLessThan(500);
    }
  });
});
