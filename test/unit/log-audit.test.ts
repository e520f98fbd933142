import { createHash, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  checkAnonymityAgainstLog,
  checkLedgerAgainstLog,
  checkLog,
  checkLogContents,
  type IndexedEntry,
  staleWitnesses,
} from "../../app/domain/transparency/log-audit";
import { encodeEntry, type LogEntry } from "../../app/platform/transparency/log-entries";
import { CompactRange, leafHash } from "../../app/platform/transparency/merkle";
import {
  cosign,
  newNoteSigner,
  signNote,
  vkeyOf as vkeyText,
} from "../../app/platform/transparency/note-signing.server";
import {
  formatCheckpoint,
  formatNote,
  parseVkey,
  SIG_COSIGNATURE,
  SIG_ED25519,
} from "../../app/platform/transparency/signed-note";

/**
 * The log checker's pure part, shared by the database and --from=URL paths: a log rewritten under a
 * signed or cosigned checkpoint, a second key, a ledger not holding a logged head, a restore.
 */

const log = newNoteSigner("verify.test/log", SIG_ED25519).signer;
const witness = newNoteSigner("verify.test/witness", SIG_COSIGNATURE).signer;

function newKey() {
  const der = generateKeyPairSync("ed25519").publicKey.export({ format: "der", type: "spki" });
  return {
    publicKey: der.toString("base64url"),
    fingerprint: createHash("sha256").update(der).digest("hex"),
  };
}

const HEAD = (n: number) => n.toString(16).padStart(64, "0");
// The checks read no clock; logged hours are only compared with each other: any whole hour does.
const AT = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString();

const state = (length: number, count: number, tokensIssued = 40): LogEntry => ({
  type: "petition",
  petition: 7,
  length,
  head: HEAD(length),
  count,
  tokensIssued,
  publicWithToken: 1,
  publicWithoutToken: 0,
  at: AT,
});

/** A log of `entries` with a checkpoint signed (and cosigned) at each given size. */
function logOf(entries: LogEntry[], sizes: number[]) {
  const rows = entries.map((e, index) => ({ index, data: new TextDecoder().decode(encodeEntry(e)) }));
  const range = new CompactRange();
  const checkpoints: string[] = [];
  rows.forEach((row) => {
    range.append(leafHash(new TextEncoder().encode(row.data)));
    if (!sizes.includes(range.size)) return;
    const body = formatCheckpoint({ origin: log.name, size: range.size, root: range.root(), extensions: [] });
    checkpoints.push(formatNote(body, [signNote(body, log), cosign(body, witness, 1_000)]));
  });
  return {
    rows,
    checkpoints,
    logKey: parseVkey(vkeyText(log)),
    witnesses: [parseVkey(vkeyText(witness))],
    freshnessMs: 60 * 60_000,
  };
}

const indexed = (entries: LogEntry[]): IndexedEntry[] => entries.map((entry, index) => ({ index, entry }));

describe("the log's checkpoints against its entries", () => {
  const key = newKey();
  const entries: LogEntry[] = [
    { type: "key", scope: "petition:7", ...key, on: AT.slice(0, 10), legacyAnonymous: 0 },
    state(3, 2),
    state(5, 4),
  ];

  it("trusts entries whose checkpoints carry the log's signature and give their root", () => {
    const result = checkLog(logOf(entries, [1, 2, 3]));
    expect(result.problems).toEqual([]);
    expect(result.entries).toHaveLength(3);
  });

  it("says the log is not append-only when an entry under a cosigned checkpoint was rewritten", () => {
    const view = logOf(entries, [2, 3]);
    const rewritten = {
      ...view,
      rows: view.rows.map((r, i) => (i === 1 ? { ...r, data: r.data.replace('"count":2', '"count":3') } : r)),
    };
    const problems = checkLog(rewritten).problems;
    expect(problems).toContain(
      "The log is not append-only: the checkpoint of size 2 it signed has a root its first 2 entries do not give.",
    );
  });

  it("says so when the log key re-signed a rewritten log under a witness's cosignature", () => {
    const view = logOf(entries, [3]);
    const rows = view.rows.map((r, i) =>
      i === 2 ? { ...r, data: r.data.replace('"count":4', '"count":9') } : r,
    );
    const range = new CompactRange();
    for (const row of rows) range.append(leafHash(new TextEncoder().encode(row.data)));
    const body = formatCheckpoint({ origin: log.name, size: 3, root: range.root(), extensions: [] });
    const stale = (view.checkpoints[0] ?? "").split("\n").at(-2);
    const resigned = `${formatNote(body, [signNote(body, log)])}${stale}\n`;
    expect(checkLog({ ...view, rows, checkpoints: [resigned] }).problems).toEqual([
      "The log is not append-only: witness verify.test/witness's cosignature on the checkpoint of size 3 does not verify against it.",
    ]);
  });

  it("holds a log whose witness's cosignatures are gone (or old) to nothing: it says so", () => {
    const view = logOf(entries, [3]);
    // Cosigned at 1,000 s after the epoch (logOf): long stale by any clock a verifier runs on.
    const later = 1_000_000 + view.freshnessMs + 1;
    expect(staleWitnesses(view, 1_000_000)).toEqual([]);
    expect(staleWitnesses(view, later)[0]).toMatch(
      /^Witness verify\.test\/witness has not confirmed the public log since/,
    );
    // A rewrite re-signed by the log's key, its cosignatures deleted.
    const stripped = {
      ...view,
      checkpoints: view.checkpoints.map((c) => `${c.split("\n").slice(0, -2).join("\n")}\n`),
    };
    expect(checkLog(stripped).problems).toEqual([]);
    expect(staleWitnesses(stripped, 1_000_000)).toEqual([
      "Witness verify.test/witness has not confirmed the public log at all: what the log shows is held to nothing but the log's own key.",
    ]);
  });

  it("refuses a checkpoint another key signed", () => {
    const other = newNoteSigner(log.name, SIG_ED25519).signer;
    const view = logOf(entries, [3]);
    const body = formatCheckpoint({ origin: log.name, size: 3, root: new Uint8Array(32), extensions: [] });
    const forged = { ...view, checkpoints: [formatNote(body, [signNote(body, other)])] };
    expect(checkLog(forged).problems).toEqual([
      "The checkpoint of size 3 does not carry a valid signature of the log's key.",
    ]);
  });
});

describe("the log's contents", () => {
  it("fails a second key for a petition and issued tokens going down without a restore", () => {
    const [a, b] = [newKey(), newKey()];
    const problems = checkLogContents(
      indexed([
        { type: "key", scope: "petition:7", ...a, on: AT.slice(0, 10), legacyAnonymous: 0 },
        state(3, 2, 40),
        { type: "key", scope: "petition:7", ...b, on: AT.slice(0, 10), legacyAnonymous: 0 },
        state(4, 3, 30),
      ]),
    ).problems;
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/a second signing key for petition 7 \(entry 2\)/);
    expect(problems[1]).toMatch(/went down from 40 to 30 \(entry 3\) without a restore/);
  });

  it("holds a ledger to every head logged since its last restore, and reports the restore", () => {
    const hashAt = (seq: number) => (seq <= 4 ? HEAD(seq) : `f${HEAD(seq).slice(1)}`);
    const chain = { length: 6, head: hashAt(6), hashAt, countAt: (seq: number) => seq - 1 };
    const entries = indexed([
      state(5, 4),
      state(9, 8),
      { type: "restored", petition: 7, length: 4, head: HEAD(4), at: AT },
      state(6, 5),
    ]);
    // state(6) logs HEAD(6), the chain has another hash there: rewritten.
    const found = checkLedgerAgainstLog(7, entries, chain);
    expect(found.problems).toEqual([
      `Petition 7: the ledger's entry 6 is not the one the public log recorded on ${AT.slice(0, 10)} at ${AT.slice(11, 16)} UTC (entry 3): the ledger was rewritten.`,
    ]);
    expect(found.notes[0]).toMatch(
      /restored from a backup .* taken back to 4 entries; at least 5 logged entries were lost/,
    );
    const honest = { ...chain, hashAt: HEAD, head: HEAD(6) };
    expect(checkLedgerAgainstLog(7, entries, honest).problems).toEqual([]);
  });

  it("fails a published key that is not the first logged, and pre-token rows above the frozen number", () => {
    const [a, b] = [newKey(), newKey()];
    const entries = indexed([
      { type: "key", scope: "petition:7", ...a, on: AT.slice(0, 10), legacyAnonymous: 2 },
      state(5, 4, 3),
    ]);
    const published = {
      petitionId: 7,
      publicKey: b.publicKey,
      legacy: 5,
      redeemed: 3,
      publicWithToken: 1,
      ledger: { length: 5, head: HEAD(5) },
    };
    expect(checkAnonymityAgainstLog(entries, published).problems).toEqual([
      "Petition 7: its published signing key is not the one the public log holds for it (entry 0): signers given it could be told apart.",
      "Petition 7: 5 anonymous signatures from before tokens, but the public log froze their number at 2 with its key: 3 were added since.",
      "Petition 7: 3 tokens redeemed anonymously and 1 spent on public signatures, but the public log says only 3 were issued.",
    ]);
    expect(
      checkAnonymityAgainstLog(entries, { ...published, publicKey: a.publicKey, legacy: 2, redeemed: 2 })
        .problems,
    ).toEqual([]);
  });
});
