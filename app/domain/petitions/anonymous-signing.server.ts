import { createHash, createPublicKey, verify } from "node:crypto";
import { and, asc, eq, gt } from "drizzle-orm";
import { type Executor, getDb } from "../../../db/client";
import { anonymousSignatures, ledgerEntries, petitions, signatures } from "../../../db/schema";
import { ANONYMOUS_MIN_HOLDERS } from "../../config/environment.server";
import {
  anonymousBatchSettings,
  type Batch,
  flushBatch,
  holdForBatch,
  isHeld,
  nextBoundaryAfter,
  takeDueBatches,
} from "../../platform/anonymity/batches.server";
import {
  publishScopeCounts,
  scopeKey,
  verifyScopeToken,
} from "../../platform/anonymity/token-issuance.server";
import { actionMessage, parseTokenMessage, petitionScope } from "../../platform/anonymity/token-messages";
import { renderMarkdown } from "../../platform/content/markdown.server";
import { Refusal } from "../../platform/refusal";
import { bootId } from "../../platform/runtime/process-group.server";
import { enforceRateLimits } from "../../platform/security/rate-limits.server";
import { DAY_MS, HOUR_MS, MINUTE_MS } from "../../platform/time";
import { postAnonymousReason } from "../discussion/posting.server";
import { ledgerHour, nextLedgerEntry, writeLedgerEntry } from "./ledger.server";
import { recordMilestoneCrossings } from "./milestones.server";
import { acceptsSignatures } from "./rights.server";

/**
 * Anonymous signatures: a blind token redeemed without any cookie (the route neither reads nor sets
 * one), stored with no person, no address and no exact time. A redemption — and later a withdrawal or
 * a signing again, each authorized by the signer key the token commits to — is verified at once and
 * held in memory until its petition's batch (platform/batches.server.ts) writes it with the others,
 * shuffled, dated by the batch. The signer's browser sends it again until it sees it counted.
 */

export class AnonymousRefusal extends Refusal {}

const QUEUE = "anonymous-signatures";
export const REASON_MAX = 1_000;
/** Not per person (there is none): per address, counted in memory only, never written anywhere. */
export const ANONYMOUS_LIMITS = { perAddress: { limit: 120, windowMs: 10 * MINUTE_MS } };

type HeldSignature = {
  kind: "sign";
  tokenId: string;
  message: string;
  signature: string;
  signerKey: string;
  reason: { body: string; bodyHtml: string } | null;
  heldAt: number;
};
type HeldAction = { kind: "withdraw" | "resign"; tokenId: string; seq: number; heldAt: number };
type Held = HeldSignature | HeldAction;

export type AnonymousState = {
  tokenId: string;
  /** counted: in the count and the ledger; pending: held for the next batch; unknown: neither. */
  state: "counted" | "pending" | "unknown";
  standing: boolean;
  actionSeq: number;
  /** The ledger entry of its first signing (counted only). */
  receipt: { seq: number; hash: string } | null;
};

const tokenIdOf = (message: Buffer) => createHash("sha256").update(message).digest("hex");

function decode(value: string, name: string, maxBytes: number): Buffer {
  if (!/^[A-Za-z0-9_-]+$/.test(value) || value.length > Math.ceil((maxBytes * 4) / 3)) {
    throw new AnonymousRefusal(`${name} must be base64url, at most ${maxBytes} bytes.`, 400);
  }
  return Buffer.from(value, "base64url");
}

function openPetitionRow(petitionId: number, now: number) {
  const petition = getDb().select().from(petitions).where(eq(petitions.id, petitionId)).get();
  if (!petition) throw new AnonymousRefusal("There is no such petition.", 404);
  if (!acceptsSignatures(petition, now)) {
    throw new AnonymousRefusal("This petition is not open for signatures.", 409);
  }
  return petition;
}

const limit = (ip: string | null, now: number) =>
  ip
    ? enforceRateLimits(
        [[`anonymous:ip:${ip}`, ANONYMOUS_LIMITS.perAddress]],
        (wait) => `Too many anonymous requests from this network. Please wait ${wait}.`,
        now,
      )
    : Promise.resolve();

/**
 * Redeems a token anonymously: verified now, counted in the petition's next batch. Idempotent: the
 * same token again answers its state (pending or counted).
 */
export async function redeemAnonymously(
  input: { petitionId: number; message: string; signature: string; reason?: string; ip: string | null },
  now = Date.now(),
): Promise<AnonymousState> {
  await limit(input.ip, now);
  const message = decode(input.message, "message", 400);
  const signature = decode(input.signature, "signature", 512);
  const petition = openPetitionRow(input.petitionId, now);
  const scope = petitionScope(petition.id);
  const parsed = parseTokenMessage(message);
  if (!parsed) throw new AnonymousRefusal("This is not an Undersigned token.", 400);
  if (parsed.scope !== scope) throw new AnonymousRefusal("This token is for another petition.", 400);
  if (!scopeKey(getDb(), scope)?.privateKey)
    throw new AnonymousRefusal("This petition takes no tokens.", 409);
  if (!verifyScopeToken(getDb(), scope, message, signature)) {
    throw new AnonymousRefusal("This token's signature is not valid for this petition's key.", 400);
  }
  const tokenId = tokenIdOf(message);
  const known = await anonymousState(petition.id, tokenId);
  if (known.state !== "unknown") return known;
  if (getDb().select({ id: signatures.id }).from(signatures).where(eq(signatures.tokenId, tokenId)).get()) {
    throw new AnonymousRefusal(
      "This token signed publicly: a public signature stays public, it cannot become anonymous.",
      409,
    );
  }
  const reasonText = input.reason?.trim() ?? "";
  if (reasonText.length > REASON_MAX) {
    throw new AnonymousRefusal(`Keep the reason to ${REASON_MAX.toLocaleString("en")} characters.`, 400);
  }
  const held: HeldSignature = {
    kind: "sign",
    tokenId,
    message: input.message,
    signature: input.signature,
    signerKey: parsed.signerKey,
    // Rendered now, before any write lock, like every comment.
    reason: reasonText ? { body: reasonText, bodyHtml: renderMarkdown(reasonText) } : null,
    heldAt: now,
  };
  if ((await holdForBatch<Held>(QUEUE, String(petition.id), tokenId, held, now)) === "full") {
    throw new AnonymousRefusal("The platform is busy counting; please try again in a few minutes.", 503);
  }
  return { tokenId, state: "pending", standing: true, actionSeq: 0, receipt: null };
}

/** The signer key from a token's message: an uncompressed P-256 point, base64url. */
function signerPublicKey(signerKey: string) {
  const raw = Buffer.from(signerKey, "base64url");
  if (raw.length !== 65 || raw[0] !== 4)
    throw new AnonymousRefusal("The token's signer key is malformed.", 400);
  return createPublicKey({
    key: {
      kty: "EC",
      crv: "P-256",
      x: raw.subarray(1, 33).toString("base64url"),
      y: raw.subarray(33).toString("base64url"),
    },
    format: "jwk",
  });
}

/**
 * A counted token's next action, authorized by its signer key: withdraw it, or sign with it again.
 * Held for the batch like a redemption; `seq` must be the token's next action number.
 */
export async function requestAnonymousAction(
  input: {
    petitionId: number;
    tokenId: string;
    action: "withdraw" | "sign";
    seq: number;
    proof: string;
    ip: string | null;
  },
  now = Date.now(),
): Promise<AnonymousState> {
  await limit(input.ip, now);
  if (!/^[0-9a-f]{64}$/.test(input.tokenId)) throw new AnonymousRefusal("That is not a token id.", 400);
  const proof = decode(input.proof, "proof", 72);
  openPetitionRow(input.petitionId, now);
  const row = getDb()
    .select()
    .from(anonymousSignatures)
    .where(
      and(
        eq(anonymousSignatures.tokenId, input.tokenId),
        eq(anonymousSignatures.petitionId, input.petitionId),
      ),
    )
    .get();
  if (!row?.signerKey) {
    throw new AnonymousRefusal(
      (await isHeld(QUEUE, String(input.petitionId), input.tokenId))
        ? "This signature is not counted yet: try again after its batch."
        : "There is no anonymous signature with this token on this petition.",
      409,
    );
  }
  if (input.seq !== row.actionSeq + 1) {
    throw new AnonymousRefusal(
      `This action is number ${input.seq}; the token's next is ${row.actionSeq + 1}.`,
      409,
    );
  }
  if (input.action === "withdraw" ? !row.standing : row.standing) {
    throw new AnonymousRefusal(
      input.action === "withdraw" ? "It is already withdrawn." : "It already counts.",
      409,
    );
  }
  const authorized = verify(
    "sha256",
    Buffer.from(actionMessage(input.tokenId, input.action, input.seq)),
    { key: signerPublicKey(row.signerKey), dsaEncoding: "ieee-p1363" },
    proof,
  );
  if (!authorized) throw new AnonymousRefusal("This action is not signed by the token's signer key.", 403);
  const held: HeldAction = {
    kind: input.action === "withdraw" ? "withdraw" : "resign",
    tokenId: input.tokenId,
    seq: input.seq,
    heldAt: now,
  };
  await holdForBatch<Held>(QUEUE, String(input.petitionId), `${input.tokenId}:${input.seq}`, held, now);
  return { ...stateOf(row), state: "pending" };
}

const stateOf = (row: typeof anonymousSignatures.$inferSelect): AnonymousState => ({
  tokenId: row.tokenId,
  state: "counted",
  standing: row.standing,
  actionSeq: row.actionSeq,
  receipt: { seq: row.ledgerSeq, hash: row.ledgerHash },
});

/**
 * Whether a token's anonymous signature is held for the petition's next batch: a public signature may
 * not spend it meanwhile (the person's other device signed anonymously with it, and it would be lost).
 */
export const isHeldForBatch = (petitionId: number, tokenId: string) =>
  isHeld(QUEUE, String(petitionId), tokenId);

/** What is known of a token on a petition: public (the ledger lists every counted token). */
export async function anonymousState(petitionId: number, tokenId: string): Promise<AnonymousState> {
  const row = getDb()
    .select()
    .from(anonymousSignatures)
    .where(and(eq(anonymousSignatures.tokenId, tokenId), eq(anonymousSignatures.petitionId, petitionId)))
    .get();
  if (row) {
    const pendingAction = await isHeld(QUEUE, String(petitionId), `${tokenId}:${row.actionSeq + 1}`);
    return { ...stateOf(row), state: pendingAction ? "pending" : "counted" };
  }
  const held = await isHeld(QUEUE, String(petitionId), tokenId);
  return { tokenId, state: held ? "pending" : "unknown", standing: held, actionSeq: 0, receipt: null };
}

/**
 * The minute scheduler's job (platform/batches.server.ts says when a batch is due: only at fixed
 * boundaries, or the day's leftovers after midnight): at a boundary's first run it publishes every
 * scope's issued count, then writes each due batch of the petitions that at least
 * ANONYMOUS_MIN_HOLDERS colleagues hold the token of (the others stay held), in one transaction each,
 * shuffled, every row, ledger entry and reason dated by the batch. `onlyPetition` flushes one
 * petition's whatever its size (tests and the demo's history; the scheduler never does, and the
 * holders' rule still applies). What was held while the petition took signatures counts even
 * if it has closed since; what can no longer be written (a token counted meanwhile, an action out of
 * turn) is dropped, and its sender's next attempt is answered then.
 */
export async function commitAnonymousBatches(now = Date.now(), onlyPetition?: number): Promise<number> {
  let due: Batch<Held>[];
  if (onlyPetition === undefined) {
    due = await takeDueBatches<Held>(QUEUE, now, (_boundary, groups) => {
      // At the boundary, before anything is released: tokensIssued moves now, never in between.
      publishIssuedCounts();
      return groups.filter((group) => enoughHolders(Number(group)));
    });
  } else {
    // Tests and the demo's history only: the scheduler never flushes.
    publishIssuedCounts();
    due = enoughHolders(onlyPetition) ? await flushBatch<Held>(QUEUE, String(onlyPetition), now) : [];
  }
  let written = 0;
  for (const batch of due) written += commitBatch(Number(batch.group), batch);
  return written;
}

/**
 * Publishes every open scope's number of issued tokens (`issued_published`, the petition JSON's
 * `tokensIssued`), and of tokens spent on public signatures (`spent_published`: withdrawn ones too, a
 * token is spent once), as they are at this
 * batch boundary: between boundaries it does not move, so the
 * published number minus public signers says nothing about who signed just now.
 */
export function publishIssuedCounts(): number {
  return publishScopeCounts(getDb());
}

/** Whether at least ANONYMOUS_MIN_HOLDERS colleagues held the petition's token at the last boundary. */
function enoughHolders(petitionId: number): boolean {
  const key = scopeKey(getDb(), petitionScope(petitionId));
  return (key?.issuedPublished ?? 0) >= ANONYMOUS_MIN_HOLDERS;
}

/**
 * The time a batch's rows and ledger entries carry: its boundary; for a day's leftovers, that day's
 * last hour (ledger entries never go back in time, and the day's earlier batches are dated within it),
 * or the petition's last entry's hour if that is later (a public signature in the first minutes of
 * the new day).
 */
function batchDate(exec: Executor, petition: { id: number; ledgerLength: number }, batch: Batch<Held>): Date {
  if (batch.kind !== "day") return new Date(batch.at);
  const last = exec
    .select({ at: ledgerEntries.at })
    .from(ledgerEntries)
    .where(and(eq(ledgerEntries.petitionId, petition.id), eq(ledgerEntries.seq, petition.ledgerLength)))
    .get();
  return new Date(Math.max(batch.at + DAY_MS - HOUR_MS, last?.at.getTime() ?? 0));
}

function commitBatch(petitionId: number, batch: Batch<Held>): number {
  const db = getDb();
  const { items } = batch;
  return db.transaction(
    (tx) => {
      const petition = tx.select().from(petitions).where(eq(petitions.id, petitionId)).get();
      if (!petition) return 0;
      // Held while it took signatures: before it closed, or before its closing time.
      const endedAt =
        petition.closedAt?.getTime() ?? petition.closesAt?.getTime() ?? Number.POSITIVE_INFINITY;
      const wasOpen = (heldAt: number) =>
        (petition.state === "open" || petition.state === "closed") && !petition.hiddenAt && heldAt < endedAt;
      const ledger = {
        id: petition.id,
        ledgerLength: petition.ledgerLength,
        ledgerHead: petition.ledgerHead,
        signatureCount: petition.signatureCount,
      };
      const when = batchDate(tx, petition, batch);
      const at = when.getTime();
      let written = 0;
      for (const item of items) {
        if (!wasOpen(item.heldAt)) continue;
        if (item.kind === "sign") {
          const spent =
            tx
              .select({ id: anonymousSignatures.tokenId })
              .from(anonymousSignatures)
              .where(eq(anonymousSignatures.tokenId, item.tokenId))
              .get() ||
            tx
              .select({ id: signatures.id })
              .from(signatures)
              .where(eq(signatures.tokenId, item.tokenId))
              .get();
          if (spent) continue;
          const entry = nextLedgerEntry(ledger, "signed", item.tokenId, when);
          tx.insert(anonymousSignatures)
            .values({
              tokenId: item.tokenId,
              petitionId,
              message: item.message,
              signature: item.signature,
              signerKey: item.signerKey,
              countedAt: when,
              changedAt: when,
              ledgerSeq: entry.seq,
              ledgerHash: entry.hash,
            })
            .run();
          writeLedgerEntry(entry, +1, ledger);
          if (item.reason) postAnonymousReason(tx, petitionId, item.reason, at);
        } else {
          const row = tx
            .select()
            .from(anonymousSignatures)
            .where(eq(anonymousSignatures.tokenId, item.tokenId))
            .get();
          if (!row || row.actionSeq + 1 !== item.seq) continue;
          const withdrawing = item.kind === "withdraw";
          if (withdrawing !== row.standing) continue;
          tx.update(anonymousSignatures)
            .set({ standing: !withdrawing, actionSeq: item.seq, changedAt: when })
            .where(eq(anonymousSignatures.tokenId, item.tokenId))
            .run();
          writeLedgerEntry(
            nextLedgerEntry(ledger, withdrawing ? "withdrawn" : "signed", item.tokenId, when),
            withdrawing ? -1 : +1,
            ledger,
          );
        }
        written++;
      }
      if (written) recordMilestoneCrossings(tx, petitionId, when);
      return written;
    },
    { behavior: "immediate" },
  );
}

export const ANONYMOUS_PAGE_SIZE = 500;

/**
 * Every counted anonymous signature of a petition with its token and signature, for anyone to check
 * against the petition's public key and count (docs/anonymity.md). In token id order, which is random.
 */
export function listAnonymousSignatures(petitionId: number, afterTokenId = "") {
  const rows = getDb()
    .select({
      tokenId: anonymousSignatures.tokenId,
      message: anonymousSignatures.message,
      signature: anonymousSignatures.signature,
      standing: anonymousSignatures.standing,
      countedAt: anonymousSignatures.countedAt,
    })
    .from(anonymousSignatures)
    .where(and(eq(anonymousSignatures.petitionId, petitionId), gt(anonymousSignatures.tokenId, afterTokenId)))
    .orderBy(asc(anonymousSignatures.tokenId))
    .limit(ANONYMOUS_PAGE_SIZE)
    .all();
  // Rounded as the ledger rounds its entries: the hour, never finer than the batch's boundary.
  return rows.map((row) => ({ ...row, countedAt: ledgerHour(row.countedAt) }));
}

/** How long the digest lists a change: a browser asleep over a weekend day still finds its own. */
export const RECENT_MS = 48 * HOUR_MS;

/**
 * The public digest of a petition's recent anonymous changes (GET …/anonymous/recent): every counted
 * token whose row changed in the last 48 hours, as [first 16 hex characters of its id, standing 1|0,
 * its action number], with this start's boot id, the batch settings and the next boundary. Every
 * petition view downloads the same one, signer or not, so a signer's browser checks its own state
 * here without any request naming its token.
 */
export function recentAnonymousDigest(petitionId: number, now: number) {
  const entries = getDb()
    .$client.prepare<[number, number], { prefix: string; standing: number; seq: number }>(
      `select substr(token_id, 1, 16) as prefix, standing, action_seq as seq from anonymous_signatures
       where petition_id = ? and changed_at >= ? order by token_id`,
    )
    .all(petitionId, now - RECENT_MS);
  return {
    bootId: bootId(),
    batch: anonymousBatchSettings(),
    nextBatchAt: new Date(nextBoundaryAfter(now)).toISOString(),
    entries: entries.map((e): [string, 0 | 1, number] => [e.prefix, e.standing ? 1 : 0, e.seq]),
  };
}
