import { createHash, randomBytes } from "node:crypto";
import { and, asc, eq, gt } from "drizzle-orm";
import { type DB, getDb, preparedStatements } from "../../../db/client";
import { ledgerEntries, petitions } from "../../../db/schema";
import { HOUR_MS, startOfHour } from "../../platform/time";
import type { LedgerEvent } from "../../vocabulary/petitions";

/** The chain starts from this hash (64 zeros). */
export const GENESIS_HASH = "0".repeat(64);

/**
 * Format 1 entries carry the event's time to the millisecond, and a public millisecond lined up with
 * a first sign-in or a session (issue 17: one fell 2.0 s before an anonymous entry). Format 2, for
 * every entry written since, carries the hour it falls in; the order is the sequence's. Format 1
 * entries stay as they were (the table is append-only and their hashes cover the exact time), and
 * verify as before. docs/ledger.md describes both.
 */
export const LEDGER_FORMAT = 2;
export type LedgerFormat = 1 | 2;

/** An entry's public time: the start of its hour. */
export const ledgerHour = (at: Date) => new Date(startOfHour(at.getTime()));

/** The exact bytes hashed for an entry: documented in docs/ledger.md. */
export function entryHash(entry: Omit<LedgerEntry, "hash">): string {
  const fields = [
    entry.petitionId,
    entry.seq,
    entry.event,
    entry.at.toISOString(),
    entry.signer,
    entry.prevHash,
  ];
  // The "v2" prefix: a format 2 entry can never be read as a format 1 one (or the other way round).
  const line = (entry.format === 2 ? ["v2", ...fields] : fields).join("|");
  return createHash("sha256").update(line).digest("hex");
}

/** A fresh pseudonym for a new signature: 32 random bytes, hex. It links to no one. */
export const newSignerPseudonym = () => randomBytes(32).toString("hex");

export type LedgerEntry = {
  format: LedgerFormat;
  petitionId: number;
  seq: number;
  event: LedgerEvent;
  at: Date;
  signer: string;
  prevHash: string;
  hash: string;
};

/** The next entry of a petition's chain (not yet written), in the current format: timed by its hour. */
export function nextLedgerEntry(
  petition: { id: number; ledgerLength: number; ledgerHead: string | null },
  event: LedgerEvent,
  signer: string,
  when: Date,
): LedgerEntry {
  const seq = petition.ledgerLength + 1;
  const prevHash = petition.ledgerHead ?? GENESIS_HASH;
  const unhashed = {
    format: LEDGER_FORMAT,
    petitionId: petition.id,
    seq,
    event,
    at: ledgerHour(when),
    signer,
    prevHash,
  } as const;
  return { ...unhashed, hash: entryHash(unhashed) };
}

// Raw prepared statements: this runs once per signature, and drizzle's per-call mapping would cost
// more than the SQL itself (see docs/benchmarks.md).
const statements = preparedStatements((db) => ({
  insert: db.$client.prepare(
    "insert into ledger_entries (petition_id, seq, event, at, signer, prev_hash, hash, format) values (?, ?, ?, ?, ?, ?, ?, ?)",
  ),
  // The chain's head and the count move together, in one statement.
  move: db.$client.prepare(
    "update petitions set ledger_length = ?, ledger_head = ?, signature_count = signature_count + ? where id = ?",
  ),
}));

/**
 * Writes an entry (from nextLedgerEntry) inside the caller's transaction, moving the petition's head
 * and its signature count by `countDelta` in the same statement.
 */
export function writeLedgerEntry(
  entry: LedgerEntry,
  countDelta: number,
  petition: { ledgerLength: number; ledgerHead: string | null; signatureCount: number },
): void {
  const { insert, move } = statements();
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
  move.run(entry.seq, entry.hash, countDelta, entry.petitionId);
  petition.ledgerLength = entry.seq;
  petition.ledgerHead = entry.hash;
  petition.signatureCount += countDelta;
}

export const LEDGER_PAGE_SIZE = 500;

export function listLedger(petitionId: number, afterSeq = 0, limit = LEDGER_PAGE_SIZE) {
  return getDb()
    .select({
      format: ledgerEntries.format,
      seq: ledgerEntries.seq,
      event: ledgerEntries.event,
      at: ledgerEntries.at,
      signer: ledgerEntries.signer,
      prevHash: ledgerEntries.prevHash,
      hash: ledgerEntries.hash,
    })
    .from(ledgerEntries)
    .where(and(eq(ledgerEntries.petitionId, petitionId), gt(ledgerEntries.seq, afterSeq)))
    .orderBy(asc(ledgerEntries.seq))
    .limit(limit)
    .all();
}

export type LedgerCheck = {
  petitionId: number;
  ok: boolean;
  length: number;
  count: number;
  problems: string[];
  /** The chain as replayed (checked against the public log by verify-ledger). */
  chain?: ChainCheck;
};

/**
 * Recomputes the chain and replays it: every hash must match, each entry must point at the one
 * before, the head must be the stored head, and the standing signatures by replay must equal the
 * stored count.
 */
export function verifyLedger(petitionId: number, db: DB = getDb()): LedgerCheck {
  // One read transaction, so one snapshot: checked from another process (the CLI) while the server
  // takes signatures, a signature committed between the reads below would look like a break.
  return db.transaction(() => verifySnapshot(db, petitionId));
}

function verifySnapshot(db: DB, petitionId: number): LedgerCheck {
  const petition = db.select().from(petitions).where(eq(petitions.id, petitionId)).get();
  if (!petition) return { petitionId, ok: false, length: 0, count: 0, problems: ["no such petition"] };
  const entries = db
    .select()
    .from(ledgerEntries)
    .where(eq(ledgerEntries.petitionId, petitionId))
    .orderBy(asc(ledgerEntries.seq))
    .all();
  const chain = checkChain(petitionId, entries);
  const problems = [
    ...chain.problems,
    ...compareWithStored(chain, {
      length: petition.ledgerLength,
      head: petition.ledgerHead,
      count: petition.signatureCount,
    }),
  ];
  return { petitionId, ok: problems.length === 0, length: chain.length, count: chain.count, problems, chain };
}

/** An entry as read (its format unchecked). */
export type ChainEntry = Omit<LedgerEntry, "petitionId" | "format"> & { format: number };

/** A chain as recomputed and replayed: its problems, and each entry's hash and the count it leaves. */
export type ChainCheck = {
  problems: string[];
  length: number;
  head: string;
  count: number;
  /** The hash of entry `seq` (1-based) as the chain holds it, if it has one. */
  hashAt: (seq: number) => string | undefined;
  /** The standing signatures replayed up to and including entry `seq` (0 before any). */
  countAt: (seq: number) => number | undefined;
};

/**
 * Recomputes a chain's hashes and replays it (docs/ledger.md, steps 1–2): from this database or
 * from any server's public API (`verify-ledger --from=URL`). Entries in sequence order.
 */
export function checkChain(petitionId: number, entries: ChainEntry[]): ChainCheck {
  const problems: string[] = [];
  const standing = new Set<string>();
  const hashes: string[] = [GENESIS_HASH];
  const counts: number[] = [0];
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let format: LedgerFormat = 1;
  for (const entry of entries) {
    if (entry.seq !== expectedSeq) problems.push(`entry ${entry.seq}: expected sequence ${expectedSeq}`);
    if (entry.prevHash !== prev)
      problems.push(`entry ${entry.seq}: previous hash does not match entry ${entry.seq - 1}`);
    if (entry.format !== 1 && entry.format !== 2)
      problems.push(`entry ${entry.seq}: unknown format ${entry.format}`);
    else if (entry.format < format)
      problems.push(`entry ${entry.seq}: format ${entry.format} after format ${format}`);
    else format = entry.format;
    if (entry.format === 2 && entry.at.getTime() % HOUR_MS !== 0)
      problems.push(`entry ${entry.seq}: a format 2 time must be a whole hour`);
    if (entryHash({ ...entry, format: entry.format === 2 ? 2 : 1, petitionId }) !== entry.hash)
      problems.push(`entry ${entry.seq}: hash does not match its contents`);
    if (entry.event === "key-created" || entry.event === "key-retired") {
      // The petition's blind-signing key (its fingerprint as signer): no signature changes.
    } else if (entry.event === "signed") {
      if (standing.has(entry.signer))
        problems.push(`entry ${entry.seq}: signer already has a standing signature`);
      standing.add(entry.signer);
    } else if (!standing.delete(entry.signer)) {
      problems.push(`entry ${entry.seq}: ${entry.event} without a standing signature`);
    }
    prev = entry.hash;
    expectedSeq = entry.seq + 1;
    hashes[entry.seq] = entry.hash;
    counts[entry.seq] = standing.size;
  }
  return {
    problems,
    length: expectedSeq - 1,
    head: prev,
    count: standing.size,
    hashAt: (seq) => hashes[seq],
    countAt: (seq) => counts[seq],
  };
}

/** The problems of a chain whose stored (or published) length, head and count are not the chain's. */
export function compareWithStored(
  chain: ChainCheck,
  stored: { length: number; head: string | null; count: number },
): string[] {
  const problems: string[] = [];
  if (chain.length !== stored.length)
    problems.push(`stored ledger length ${stored.length}, chain has ${chain.length}`);
  if ((stored.head ?? GENESIS_HASH) !== chain.head) problems.push("stored head does not match the chain");
  if (chain.count !== stored.count) {
    problems.push(`stored count ${stored.count}, ledger replay gives ${chain.count}`);
  }
  return problems;
}
