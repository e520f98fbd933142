import { createHmac } from "node:crypto";
import { and, eq, isNull, sql } from "drizzle-orm";
import { getDb, preparedStatements } from "../../../db/client";
import { signatures } from "../../../db/schema";
import { getConfig } from "../../config.server";
import { renderMarkdown } from "../../platform/markdown.server";
import { enforceRateLimits, type RateLimitHit } from "../../platform/rate-limits.server";
import type { SignatureVisibility } from "../../vocabulary/petitions";
import { postSigningReason, signingReasonWithinLimits } from "../discussion/posting.server";
import type { User } from "../identity/sessions.server";
import { newSignerPseudonym, nextLedgerEntry, writeLedgerEntry } from "./ledger.server";
import { recordMilestoneCrossings } from "./milestones.server";
import { acceptsSignatures, PetitionError } from "./rights.server";

/** Signing and withdrawing: the hot path, one immediate transaction each. */

export const SIGNING_LIMITS = {
  perPerson: { limit: 30, windowMs: 10 * 60_000 },
  perIp: { limit: 120, windowMs: 10 * 60_000 },
};

/** Addresses are kept only as a keyed hash, and only so moderators can invalidate by IP. */
export function hashIp(ip: string): string {
  return createHmac("sha256", getConfig().sessionSecret).update(`ip:${ip}`).digest("hex");
}

export type Receipt = { petitionId: number; seq: number; hash: string };
/** `reasonPosted`: whether the reason became a comment (null without one); see postSigningReason. */
export type SignResult = { receipt: Receipt; reasonPosted: boolean | null };

const isUniqueViolation = (error: unknown) =>
  error instanceof Error && "code" in error && error.code === "SQLITE_CONSTRAINT_UNIQUE";

/**
 * Signing is the hot path: its statements are prepared once per connection, and run raw, because
 * drizzle's per-call query mapping costs more than the SQL (see docs/benchmarks.md).
 */
const statements = preparedStatements((db) => ({
  petition: db.$client.prepare<
    [number],
    {
      id: number;
      state: string;
      hidden_at: number | null;
      closes_at: number | null;
      signature_count: number;
      ledger_length: number;
      ledger_head: string | null;
    }
  >(
    "select id, state, hidden_at, closes_at, signature_count, ledger_length, ledger_head from petitions where id = ?",
  ),
  insert: db.$client.prepare(
    "insert into signatures (petition_id, person_id, visibility, reason, wants_updates, ip_hash, ledger_signer, ledger_seq, ledger_hash, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
  ),
  nextMilestone: db.$client.prepare<[number], { threshold: number }>(
    "select threshold from milestones where petition_id = ? and reached_at is null order by threshold limit 1",
  ),
}));

/** What the petition page reads on every view. */
const pageStatements = preparedStatements((db) => ({
  own: db
    .select()
    .from(signatures)
    .where(
      and(
        eq(signatures.petitionId, sql.placeholder("petitionId")),
        eq(signatures.personId, sql.placeholder("personId")),
        isNull(signatures.withdrawnAt),
      ),
    )
    .prepare(),
}));

/** The petition's signing state, refusing one that is not open. */
function openPetition(petitionId: number, now: number) {
  const row = statements().petition.get(petitionId);
  if (!row) throw new PetitionError("There is no such petition.", 404);
  if (!acceptsSignatures({ state: row.state, hiddenAt: row.hidden_at, closesAt: row.closes_at }, now)) {
    throw new PetitionError("This petition is not open for signatures.", 409);
  }
  return {
    id: row.id,
    signatureCount: row.signature_count,
    ledgerLength: row.ledger_length,
    ledgerHead: row.ledger_head,
  };
}

/**
 * Signs once. The partial unique index makes a second standing signature impossible, whatever the
 * code does. The rate limits are counted first; then one immediate transaction holds the signature,
 * its ledger entry, the count and any milestone crossing, and a refusal inside it rolls it all back.
 */
export async function signPetition(
  input: {
    petitionId: number;
    user: User;
    visibility: SignatureVisibility;
    reason?: string;
    wantsUpdates?: boolean;
    ip: string | null;
  },
  now = Date.now(),
): Promise<SignResult> {
  await enforceRateLimits(
    [
      [`sign:person:${input.user.id}`, SIGNING_LIMITS.perPerson],
      ...(input.ip ? [[`sign:ip:${input.ip}`, SIGNING_LIMITS.perIp] as RateLimitHit] : []),
    ],
    (wait) => `You are signing too fast. Please wait ${wait}.`,
    now,
  );
  const db = getDb();
  // Rendered before the write lock is taken: the reason becomes the signer's comment.
  const reason = input.reason
    ? {
        body: input.reason,
        bodyHtml: renderMarkdown(input.reason),
        withinLimits: await signingReasonWithinLimits(input.user, now),
      }
    : null;
  // better-sqlite3's own transaction (drizzle's wrapper costs ~15 µs a call); drizzle queries on the
  // same connection inside it, like the milestone check, are part of it.
  return db.$client
    .transaction((): SignResult => {
      const petition = openPetition(input.petitionId, now);
      const at = new Date(now);
      const signer = newSignerPseudonym();
      const entry = nextLedgerEntry(petition, "signed", signer, at);
      try {
        statements().insert.run(
          petition.id,
          input.user.id,
          input.visibility,
          input.reason || null,
          input.wantsUpdates ? 1 : 0,
          input.ip === null ? null : hashIp(input.ip),
          signer,
          entry.seq,
          entry.hash,
          now,
        );
      } catch (error) {
        if (isUniqueViolation(error)) throw new PetitionError("You have already signed this petition.", 409);
        throw error;
      }
      writeLedgerEntry(entry, +1, petition);
      const reasonPosted = reason
        ? postSigningReason(db, petition.id, reason, input.visibility === "anonymous", input.user, now) !==
          null
        : null;
      const next = statements().nextMilestone.get(petition.id);
      if (next && next.threshold <= petition.signatureCount) recordMilestoneCrossings(db, petition.id, at);
      return { receipt: { petitionId: petition.id, seq: entry.seq, hash: entry.hash }, reasonPosted };
    })
    .immediate();
}

/** Withdraws while open: off the count, but the ledger keeps the event. */
export function withdrawSignature(petitionId: number, user: User, now = Date.now()): void {
  getDb().transaction(
    (tx) => {
      const petition = openPetition(petitionId, now);
      const at = new Date(now);
      const withdrawn = tx
        .update(signatures)
        .set({ withdrawnAt: at })
        .where(
          and(
            eq(signatures.petitionId, petitionId),
            eq(signatures.personId, user.id),
            isNull(signatures.withdrawnAt),
            isNull(signatures.invalidatedAt),
          ),
        )
        .returning({ signer: signatures.ledgerSigner })
        .all();
      const signature = withdrawn.at(0);
      if (!signature) throw new PetitionError("You have not signed this petition.", 409);
      writeLedgerEntry(nextLedgerEntry(petition, "withdrawn", signature.signer, at), -1, petition);
    },
    { behavior: "immediate" },
  );
}

/** The standing signature of this person, for the petition page (receipt, withdraw button). */
export function findOwnSignature(petitionId: number, personId: number) {
  return pageStatements().own.get({ petitionId, personId });
}
