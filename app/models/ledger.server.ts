import { createHash, createHmac } from "node:crypto";
import { and, asc, eq, gt } from "drizzle-orm";
import { type Executor, getDb } from "../../db/client";
import { ledgerEntries, petitions } from "../../db/schema";
import { getConfig } from "../config.server";
import type { LedgerEvent } from "./petition-states";

/** The chain starts from this hash (64 zeros). */
export const GENESIS_HASH = "0".repeat(64);

/**
 * A per-petition pseudonym: HMAC-SHA-256(key, "petitionId:personId"), so the same person has the same
 * pseudonym within one petition (a withdrawal matches its signature) but nothing links them across
 * petitions or back to a name.
 */
export function signerPseudonym(petitionId: number, personId: number): string {
  const key = createHmac("sha256", getConfig().sessionSecret)
    .update("undersigned ledger pseudonym v1")
    .digest();
  return createHmac("sha256", key).update(`${petitionId}:${personId}`).digest("hex");
}

/** The exact bytes hashed for an entry: documented in docs/ledger.md. */
export function entryHash(entry: {
  petitionId: number;
  seq: number;
  event: LedgerEvent;
  at: Date;
  signer: string;
  prevHash: string;
}): string {
  const line = [
    entry.petitionId,
    entry.seq,
    entry.event,
    entry.at.toISOString(),
    entry.signer,
    entry.prevHash,
  ].join("|");
  return createHash("sha256").update(line).digest("hex");
}

/** Appends one event inside the caller's transaction and moves the petition's head. */
export function appendLedger(
  tx: Executor,
  petition: { id: number; ledgerLength: number; ledgerHead: string | null },
  event: LedgerEvent,
  personId: number,
  at: Date,
): { seq: number; hash: string } {
  const seq = petition.ledgerLength + 1;
  const prevHash = petition.ledgerHead ?? GENESIS_HASH;
  const signer = signerPseudonym(petition.id, personId);
  const hash = entryHash({ petitionId: petition.id, seq, event, at, signer, prevHash });
  tx.insert(ledgerEntries).values({ petitionId: petition.id, seq, event, at, signer, prevHash, hash }).run();
  tx.update(petitions)
    .set({ ledgerLength: seq, ledgerHead: hash })
    .where(eq(petitions.id, petition.id))
    .run();
  petition.ledgerLength = seq;
  petition.ledgerHead = hash;
  return { seq, hash };
}

export const LEDGER_PAGE_SIZE = 500;

export function listLedger(petitionId: number, afterSeq = 0, limit = LEDGER_PAGE_SIZE) {
  return getDb()
    .select({
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
};

/**
 * Recomputes the chain and replays it: every hash must match, each entry must point at the one
 * before, the head must be the stored head, and the standing signatures by replay must equal the
 * stored count.
 */
export function verifyLedger(petitionId: number): LedgerCheck {
  const db = getDb();
  const petition = db.select().from(petitions).where(eq(petitions.id, petitionId)).get();
  if (!petition) return { petitionId, ok: false, length: 0, count: 0, problems: ["no such petition"] };
  const problems: string[] = [];
  const standing = new Set<string>();
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  const entries = db
    .select()
    .from(ledgerEntries)
    .where(eq(ledgerEntries.petitionId, petitionId))
    .orderBy(asc(ledgerEntries.seq))
    .all();
  for (const entry of entries) {
    if (entry.seq !== expectedSeq) problems.push(`entry ${entry.seq}: expected sequence ${expectedSeq}`);
    if (entry.prevHash !== prev)
      problems.push(`entry ${entry.seq}: previous hash does not match entry ${entry.seq - 1}`);
    if (entryHash({ ...entry, petitionId }) !== entry.hash)
      problems.push(`entry ${entry.seq}: hash does not match its contents`);
    if (entry.event === "signed") {
      if (standing.has(entry.signer))
        problems.push(`entry ${entry.seq}: signer already has a standing signature`);
      standing.add(entry.signer);
    } else if (!standing.delete(entry.signer)) {
      problems.push(`entry ${entry.seq}: ${entry.event} without a standing signature`);
    }
    prev = entry.hash;
    expectedSeq = entry.seq + 1;
  }
  const length = expectedSeq - 1;
  if (length !== petition.ledgerLength)
    problems.push(`stored ledger length ${petition.ledgerLength}, chain has ${length}`);
  if ((petition.ledgerHead ?? GENESIS_HASH) !== prev) problems.push("stored head does not match the chain");
  if (standing.size !== petition.signatureCount) {
    problems.push(`stored count ${petition.signatureCount}, ledger replay gives ${standing.size}`);
  }
  return { petitionId, ok: problems.length === 0, length, count: standing.size, problems };
}
