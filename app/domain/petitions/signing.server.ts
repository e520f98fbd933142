import { createHash, createHmac, randomBytes } from "node:crypto";
import { and, eq, isNull, sql } from "drizzle-orm";
import { getDb, isUniqueViolation, preparedStatements } from "../../../db/client";
import { signatures } from "../../../db/schema";
import { getConfig } from "../../config.server";
import { recordSigningWithoutToken, verifyScopeToken } from "../../platform/anonymity/token-issuance.server";
import { parseTokenMessage, petitionScope } from "../../platform/anonymity/token-messages";
import { renderMarkdown } from "../../platform/content/markdown.server";
import { saidText, say } from "../../platform/said";
import { enforceRateLimits, type RateLimitHit } from "../../platform/security/rate-limits.server";
import { postSigningReason, signingReasonWithinLimits } from "../discussion/posting.server";
import type { User } from "../identity/sessions.server";
import { isHeldForBatch } from "./anonymous-signing.server";
import { newSignerPseudonym, nextLedgerEntry, writeLedgerEntry } from "./ledger.server";
import { recordMilestoneCrossings } from "./milestones.server";
import { acceptsSignatures, PetitionError } from "./rights.server";

/** Signing and withdrawing: the hot path, one immediate transaction each. */

export const SIGNING_LIMITS = {
  perPerson: { limit: 30, windowMs: 10 * 60_000 },
  perIp: { limit: 120, windowMs: 10 * 60_000 },
};

/** The key made when IP_HASH_KEY is unset: in this process's memory only, never on disk. */
let memoryIpKey: string | null = null;

/**
 * Public signers' addresses are kept only as a keyed hash, only so moderators can invalidate by IP,
 * and only until the petition closes. The key is IP_HASH_KEY, or a random one held in memory: never
 * the session secret, which lives in the data folder — a copy of that folder would let anyone hash
 * the whole corporate address range and read every signer's address back.
 */
export function hashIp(ip: string): string {
  if (memoryIpKey === null) memoryIpKey = randomBytes(32).toString("base64url");
  const key = getConfig().ipHashKey ?? memoryIpKey;
  return createHmac("sha256", key).update(`ip:${ip}`).digest("hex");
}

export type Receipt = { petitionId: number; seq: number; hash: string };
/** `reasonPosted`: whether the reason became a comment (null without one); see postSigningReason. */
export type SignResult = { receipt: Receipt; reasonPosted: boolean | null };

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
  // The signer's department and location are copied from the directory as they are now: breakdowns
  // read them from here, so a later directory edit moves no count.
  insert: db.$client.prepare(
    "insert into signatures (petition_id, person_id, visibility, reason, wants_updates, ip_hash, ledger_signer, token_id, ledger_seq, ledger_hash, created_at, department, location) select ?, id, ?, ?, ?, ?, ?, ?, ?, ?, ?, department, location from people where id = ?",
  ),
  earlierToken: db.$client.prepare<[number, number], { token_id: string }>(
    "select token_id from signatures where petition_id = ? and person_id = ? and token_id is not null order by id desc limit 1",
  ),
  anonymousToken: db.$client.prepare<[string], { token_id: string }>(
    "select token_id from anonymous_signatures where token_id = ?",
  ),
  // Whose public signature spent a token, withdrawn or not (signatures_token_idx).
  tokenOwner: db.$client.prepare<[string], { person_id: number }>(
    "select person_id from signatures where token_id = ? and token_id is not null limit 1",
  ),
  ownStanding: db.$client.prepare<[number, number], { id: number }>(
    "select id from signatures where petition_id = ? and person_id = ? and withdrawn_at is null",
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
  if (!row) throw new PetitionError(say("server.petition.noSuchPetition"), 404);
  if (!acceptsSignatures({ state: row.state, hiddenAt: row.hidden_at, closesAt: row.closes_at }, now)) {
    throw new PetitionError(say("server.petition.notOpen"), 409);
  }
  return {
    id: row.id,
    signatureCount: row.signature_count,
    ledgerLength: row.ledger_length,
    ledgerHead: row.ledger_head,
  };
}

/** What the form asks a public signer without their token (the no-JavaScript form, a new device). */
export const NO_ANONYMOUS_SIGNATURE_QUESTION = say("server.petition.noAnonymousSignatureQuestion");

/**
 * Signs publicly, once — never refused for want of a token. A signer whose device holds the
 * petition's token spends it here (`token`), and it is theirs from then on: it never redeems
 * anonymously, and serves nobody else's public signature (a withdrawn signer signs again with it, or
 * without any). One without it (no JavaScript, a device without their wallet) is asked first whether
 * they signed anonymously elsewhere (`noAnonymousSignature`); each petition publishes how many such
 * signatures it holds (`publicWithoutToken`), the most by which its count can exceed its signers.
 * Someone never issued a token who signs so is recorded, so that none is issued to them later. Rate
 * limits are counted first; then one immediate transaction holds the signature, its ledger entry, the
 * count and any milestone crossing, and a refusal inside it rolls it all back. Anonymous signatures are
 * made by redeeming the token without a session (anonymous-signing.server.ts).
 */
export async function signPetition(
  input: {
    petitionId: number;
    user: User;
    reason?: string;
    wantsUpdates?: boolean;
    ip: string | null;
    token?: { message: string; signature: string };
    /** "I have not signed this petition anonymously": needed when signing without a token. */
    noAnonymousSignature?: boolean;
  },
  now = Date.now(),
): Promise<SignResult> {
  await enforceRateLimits(
    [
      [`sign:person:${input.user.id}`, SIGNING_LIMITS.perPerson],
      ...(input.ip ? [[`sign:ip:${input.ip}`, SIGNING_LIMITS.perIp] as RateLimitHit] : []),
    ],
    "server.petition.signingTooFast",
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
  const token = input.token ? checkedToken(input.petitionId, input.token) : null;
  if (token && (await isHeldForBatch(input.petitionId, token))) {
    throw new PetitionError(say("server.petition.heldForBatch"), 409);
  }
  // better-sqlite3's own transaction (drizzle's wrapper costs ~15 µs a call); drizzle queries on the
  // same connection inside it, like the milestone check, are part of it.
  return db.$client
    .transaction((): SignResult => {
      const petition = openPetition(input.petitionId, now);
      const tokenId = token ?? earlierToken(petition.id, input.user.id);
      if (tokenId === null) {
        if (!input.noAnonymousSignature) {
          throw new PetitionError(NO_ANONYMOUS_SIGNATURE_QUESTION, 400, {
            noAnonymousSignature: [saidText(NO_ANONYMOUS_SIGNATURE_QUESTION)],
          });
        }
        recordSigningWithoutToken(db, petitionScope(petition.id), input.user.id, now);
      } else if (statements().anonymousToken.get(tokenId)) {
        throw new PetitionError(say("server.petition.alreadyAnonymous"), 409);
      } else if ((statements().tokenOwner.get(tokenId)?.person_id ?? input.user.id) !== input.user.id) {
        throw new PetitionError(say("server.petition.tokenUsedBySomeoneElse"), 409);
      }
      const at = new Date(now);
      const signer = newSignerPseudonym();
      const entry = nextLedgerEntry(petition, "signed", signer, at);
      try {
        const inserted = statements().insert.run(
          petition.id,
          "public",
          input.reason || null,
          input.wantsUpdates ? 1 : 0,
          input.ip === null ? null : hashIp(input.ip),
          signer,
          tokenId,
          entry.seq,
          entry.hash,
          now,
          input.user.id,
        );
        if (inserted.changes !== 1) throw new PetitionError(say("server.petition.noSuchPersonToSign"), 404);
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new PetitionError(
            statements().ownStanding.get(petition.id, input.user.id)
              ? say("server.petition.alreadySigned")
              : say("server.petition.tokenUsedBySomeoneElse"),
            409,
          );
        }
        throw error;
      }
      writeLedgerEntry(entry, +1, petition);
      const reasonPosted = reason
        ? postSigningReason(db, petition.id, reason, false, input.user, now) !== null
        : null;
      const next = statements().nextMilestone.get(petition.id);
      if (next && next.threshold <= petition.signatureCount) recordMilestoneCrossings(db, petition.id, at);
      return { receipt: { petitionId: petition.id, seq: entry.seq, hash: entry.hash }, reasonPosted };
    })
    .immediate();
}

/** The id of a valid token for this petition (verified against its key), or a refusal. */
function checkedToken(petitionId: number, token: { message: string; signature: string }): string {
  const base64url = /^[A-Za-z0-9_-]{1,700}$/;
  if (!base64url.test(token.message) || !base64url.test(token.signature)) {
    throw new PetitionError(say("server.petition.tokenMalformed"), 400);
  }
  const message = Buffer.from(token.message, "base64url");
  const scope = petitionScope(petitionId);
  if (parseTokenMessage(message)?.scope !== scope)
    throw new PetitionError(say("server.petition.tokenForAnotherPetition"), 400);
  if (!verifyScopeToken(getDb(), scope, message, Buffer.from(token.signature, "base64url"))) {
    throw new PetitionError(say("server.petition.tokenDoesNotCheckOut"), 400);
  }
  return createHash("sha256").update(message).digest("hex");
}

/** A public signer signing again after withdrawing signs with the token their first signature spent. */
const earlierToken = (petitionId: number, personId: number): string | null =>
  statements().earlierToken.get(petitionId, personId)?.token_id ?? null;

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
      if (!signature) throw new PetitionError(say("server.petition.notSigned"), 409);
      writeLedgerEntry(nextLedgerEntry(petition, "withdrawn", signature.signer, at), -1, petition);
    },
    { behavior: "immediate" },
  );
}

/** The standing signature of this person, for the petition page (receipt, withdraw button). */
export function findOwnSignature(petitionId: number, personId: number) {
  return pageStatements().own.get({ petitionId, personId });
}
