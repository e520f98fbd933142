import { and, eq, sql } from "drizzle-orm";
import { type Executor, getDb } from "../../../db/client";
import { petitions } from "../../../db/schema";
import type { BlindKeyPair } from "../../platform/anonymity/blind-signatures.server";
import {
  issueToken,
  newScopeKeyPairOffThread,
  publishedScopeKey,
  publishScopeCounts,
  retireScopeKey,
  scopeKey,
  storeScopeKey,
} from "../../platform/anonymity/token-issuance.server";
import { petitionScope } from "../../platform/anonymity/token-messages";
import { say } from "../../platform/said";
import { DAY_MS } from "../../platform/time";
import type { User } from "../identity/sessions.server";
import { nextLedgerEntry, writeLedgerEntry } from "./ledger.server";
import { acceptsSignatures, PetitionError } from "./rights.server";

/**
 * Each petition's blind-signing key: made when it opens (its fingerprint the ledger's `key-created`
 * entry), its private half deleted when it closes (`key-retired`), so no token can be minted after.
 * Closing also forgets the people of the petition's legacy anonymous signatures (docs/anonymity.md)
 * and the address hashes of its public ones.
 */

type LedgerState = { id: number; ledgerLength: number; ledgerHead: string | null; signatureCount: number };

/** Stores the key of a petition that opens now, with its ledger entry, in the caller's transaction. */
export function openPetitionKey(exec: Executor, petition: LedgerState, keys: BlindKeyPair, at: Date): void {
  const scope = petitionScope(petition.id);
  if (scopeKey(exec, scope)) return;
  storeScopeKey(exec, scope, keys, at.getTime(), legacyAnonymousCount(exec, petition.id));
  writeLedgerEntry(nextLedgerEntry(petition, "key-created", keys.fingerprint, at), 0, petition);
}

/**
 * How many anonymous signatures a petition holds from before tokens existed (with their signer while
 * it is open, without once it closes): frozen in the public log with its key, since none can be added.
 */
export function legacyAnonymousCount(exec: Executor, petitionId: number): number {
  const row = exec.get<{ n: number }>(sql`select
    (select count(*) from signatures where petition_id = ${petitionId} and visibility = 'anonymous') +
    (select count(*) from anonymous_signatures where petition_id = ${petitionId} and message is null) as n`);
  return row?.n ?? 0;
}

/**
 * Retires the key of a petition that stops taking signatures (closed, won), with its ledger entry,
 * and forgets who made its legacy anonymous signatures: they move, dated by day, to the table that
 * holds no person (their "why I'm signing" comments lose their author and exact time too). Its public
 * signatures' address hashes are cleared too.
 */
export function closePetitionKey(exec: Executor, petition: LedgerState, at: Date): void {
  // Its counts as they stand at the close: what its last batches count is compared with these.
  publishScopeCounts(exec, petitionScope(petition.id));
  const retired = retireScopeKey(exec, petitionScope(petition.id), at.getTime());
  if (retired)
    writeLedgerEntry(nextLedgerEntry(petition, "key-retired", retired.fingerprint, at), 0, petition);
  forgetLegacyAnonymous(exec, petition.id);
  forgetAddressHashes(exec, petition.id);
}

/**
 * A closed petition takes no signatures, so no one needs to invalidate its signatures by address any
 * more: the hashes of its public signers' addresses go with its key.
 */
function forgetAddressHashes(exec: Executor, petitionId: number): void {
  exec.run(
    sql`update signatures set ip_hash = null where petition_id = ${petitionId} and ip_hash is not null`,
  );
}

const DAY = String(DAY_MS);
function forgetLegacyAnonymous(exec: Executor, petitionId: number): void {
  exec.run(sql`insert into anonymous_signatures (token_id, petition_id, standing, counted_at, changed_at, ledger_seq, ledger_hash)
    select ledger_signer, petition_id,
      case when withdrawn_at is null and invalidated_at is null then 1 else 0 end,
      created_at - (created_at % ${sql.raw(DAY)}),
      coalesce(withdrawn_at, invalidated_at, created_at) - (coalesce(withdrawn_at, invalidated_at, created_at) % ${sql.raw(DAY)}),
      ledger_seq, ledger_hash
    from signatures where petition_id = ${petitionId} and visibility = 'anonymous'`);
  exec.run(sql`delete from signatures where petition_id = ${petitionId} and visibility = 'anonymous'`);
  exec.run(sql`update comments set author_id = null, emails_author = 0, created_at = created_at - (created_at % ${sql.raw(DAY)})
    where anonymous = 1 and from_signature = 1 and author_id is not null and held = 0 and thread_id in (
      select id from comment_threads where subject_type = 'petition' and subject_id = ${petitionId})`);
}

/**
 * Open petitions without a key (opened before keys existed) get one: the minute scheduler's job, so
 * the first start after the upgrade gives every open petition anonymous signing.
 */
export async function ensurePetitionKeys(now = Date.now()): Promise<number> {
  const open = getDb()
    .select()
    .from(petitions)
    .where(
      and(
        eq(petitions.state, "open"),
        sql`'petition:' || ${petitions.id} not in (select scope from blind_keys)`,
      ),
    )
    .all();
  for (const petition of open) {
    // Off the event loop: after an upgrade this is every open petition at once.
    const keys = await newScopeKeyPairOffThread();
    getDb().transaction(
      (tx) => {
        const fresh = tx.select().from(petitions).where(eq(petitions.id, petition.id)).get();
        if (fresh?.state === "open") openPetitionKey(tx, fresh, keys, new Date(now));
      },
      { behavior: "immediate" },
    );
  }
  return open.length;
}

/** What anyone may know of a petition's key: published in its JSON and pinned by signers' browsers. */
export function petitionKeyView(petitionId: number) {
  const key = publishedScopeKey(petitionScope(petitionId));
  if (!key) return null;
  return {
    publicKey: key.publicKey,
    fingerprint: key.fingerprint,
    // As of the last batch boundary (published by the batch job), never the live count.
    tokensIssued: key.issuedPublished,
    /** Tokens spent on public signatures (withdrawn ones too), counted at the same boundary. */
    publicWithToken: key.spentPublished,
    createdOn: key.createdOn,
    retiredOn: key.retiredOn,
    issuanceFrozenOn: key.issuanceFrozenOn,
  };
}

/** A signed-in colleague's one token for an open petition: the blind signature of their blinded message. */
export function issuePetitionToken(
  petitionId: number,
  user: User,
  blindedMessage: Buffer,
  now = Date.now(),
): Buffer {
  return getDb().transaction(
    (tx) => {
      const petition = tx.select().from(petitions).where(eq(petitions.id, petitionId)).get();
      if (!petition) throw new PetitionError(say("server.petition.noSuchPetition"), 404);
      if (!acceptsSignatures(petition, now)) throw new PetitionError(say("server.petition.notOpen"), 409);
      return issueToken(tx, petitionScope(petition.id), user.id, blindedMessage, now);
    },
    { behavior: "immediate" },
  );
}
