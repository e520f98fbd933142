import { createHash } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { type Executor, preparedStatements } from "../../../db/client";
import { blindKeys, erasedTokenIssuance, tokenIssuance } from "../../../db/schema";
import { Refusal, type RefusalStatus } from "../refusal";
import { startOfDay } from "../time";
import { logNewKey, logRetiredKey } from "../transparency/key-entries.server";
import {
  type BlindKeyPair,
  blindedMessageProblem,
  blindSign,
  generateBlindKeyPair,
  generateBlindKeyPairOffThread,
  MODULUS_BYTES,
  verifyToken,
} from "./blind-signatures.server";

/**
 * Blind tokens per scope (a petition, a policy's feedback week): one key pair per scope, at most one
 * token per person per scope, and the record of who was issued one — never which token. Callers
 * decide who is eligible; this module keeps the one-per-person rule and the keys.
 */

export type ScopeKey = typeof blindKeys.$inferSelect;

export function scopeKey(exec: Executor, scope: string): ScopeKey | undefined {
  return exec.select().from(blindKeys).where(eq(blindKeys.scope, scope)).get();
}

/** What is published about a scope's key; every petition page reads it, the private key never. */
export type PublishedScopeKey = Omit<ScopeKey, "privateKey" | "scope">;

export const publishedScopeKey = (scope: string): PublishedScopeKey | undefined =>
  statements().published.get({ scope });

/** A scope's key pair, made before the transaction that stores it (RSA key generation takes a while). */
export const newScopeKeyPair = (): BlindKeyPair => generateBlindKeyPair();
/**
 * For the minute scheduler, which may make many in a row (every policy's key when a week begins):
 * made off the event loop, so the requests this worker serves meanwhile are not held up.
 */
export const newScopeKeyPairOffThread = (): Promise<BlindKeyPair> => generateBlindKeyPairOffThread();

/**
 * Stores a scope's new key and logs it in the public log, in the caller's transaction. `legacyAnonymous`:
 * how many anonymous signatures from before tokens its petition holds (logged, frozen).
 */
export function storeScopeKey(
  exec: Executor,
  scope: string,
  keys: BlindKeyPair,
  now: number,
  legacyAnonymous = 0,
): ScopeKey {
  const stored = exec
    .insert(blindKeys)
    .values({ scope, ...keys, createdOn: new Date(startOfDay(now)) })
    .returning()
    .get();
  logNewKey(scope, stored, now, legacyAnonymous);
  return stored;
}

/**
 * Retires a scope's key: its private half is deleted (no token can be minted after) and so are the
 * issuance rows, which were only needed to refuse a second token; their number stays.
 */
export function retireScopeKey(exec: Executor, scope: string, now: number): ScopeKey | undefined {
  exec.delete(tokenIssuance).where(eq(tokenIssuance.scope, scope)).run();
  exec.delete(erasedTokenIssuance).where(eq(erasedTokenIssuance.scope, scope)).run();
  const retired = exec
    .update(blindKeys)
    .set({ privateKey: null, retiredOn: new Date(startOfDay(now)) })
    .where(and(eq(blindKeys.scope, scope), sql`${blindKeys.privateKey} is not null`))
    .returning()
    .get();
  if (retired) logRetiredKey(scope, retired.fingerprint, now);
  return retired;
}

/** Why a scope's token is not issued to someone: the issuance API answers these per request. */
export type IssuanceRefusalCode =
  | "signed-publicly"
  | "issued-otherwise"
  | "not-open"
  | "frozen"
  | "not-eligible";

export class TokenRefusal extends Refusal {
  constructor(
    message: string,
    status: RefusalStatus,
    /** Set when the refusal concerns this scope alone (a batch answers it and goes on). */
    readonly code?: IssuanceRefusalCode,
  ) {
    super(message, status);
  }
}

/** SHA-256 of a blinded message (32 bytes): what an issuance row keeps of it. */
export const blindedHashOf = (blindedMessage: Buffer): Buffer =>
  createHash("sha256").update(blindedMessage).digest();

/**
 * This person's issuance row for the scope: `hash` is the hash of the blinded message they were
 * issued a token for, null when they signed publicly without one (and so will never be issued one).
 */
export type Issuance = { hash: Buffer | null } | null;

export function issuanceOf(_exec: Executor, scope: string, personId: number): Issuance {
  const row = statements().issuance.get(scope, personId);
  return row ? { hash: row.blinded_hash } : null;
}

/**
 * What an erased person's issuance row is kept under (erased_token_issuance): the scope and their
 * address, hashed together, so an account made again for that address meets it and nothing else does.
 */
export const erasedHolderOf = (scope: string, email: string): string =>
  createHash("sha256").update(`erased-issuance\n${scope}\n${email.toLowerCase()}`).digest("hex");

/** Whether the scope's token was issued to an erased account of this person's address. */
function issuedBeforeErasure(scope: string, personId: number): boolean {
  const email = statements().email.get(personId)?.email;
  return email !== undefined && Boolean(statements().erasedIssuance.get(scope, erasedHolderOf(scope, email)));
}

export const REFUSALS = {
  notOpen: () => new TokenRefusal("Anonymous signing has closed here.", 409, "not-open"),
  frozen: () =>
    new TokenRefusal(
      "Anonymous signing stopped here when the platform was restored from a backup. You can still sign publicly.",
      409,
      "frozen",
    ),
  signedPublicly: () =>
    new TokenRefusal(
      "You signed publicly from a device without anonymous signing, so you cannot also sign anonymously here. Your public signature counts.",
      409,
      "signed-publicly",
    ),
  issuedOtherwise: () =>
    new TokenRefusal(
      "The server's record says your anonymous signature here was already prepared from a request this device did not make. The record is wrong, not your device: you can still sign publicly.",
      409,
      "issued-otherwise",
    ),
} as const;

/** What stops this person being issued the scope's token for this blinded message, or null. */
export function issuanceProblem(
  exec: Executor,
  key: Pick<ScopeKey, "privateKey" | "issuanceFrozenOn"> | undefined,
  scope: string,
  personId: number,
  blindedHash: Buffer,
): TokenRefusal | null {
  if (!key?.privateKey) return REFUSALS.notOpen();
  if (key.issuanceFrozenOn) return REFUSALS.frozen();
  const existing = issuanceOf(exec, scope, personId);
  // A "signed publicly without a token" row stands only beside that public signature: one written by
  // hand for someone who never signed would silently block them and blame them for it.
  if (existing && existing.hash === null)
    return signedPubliclyHere(scope, personId) ? REFUSALS.signedPublicly() : REFUSALS.issuedOtherwise();
  if (existing?.hash && !existing.hash.equals(blindedHash)) return REFUSALS.issuedOtherwise();
  // An account made again after its person was erased is not issued a second token (docs/privacy.md).
  if (!existing && issuedBeforeErasure(scope, personId)) return REFUSALS.issuedOtherwise();
  return null;
}

/** Whether the person has a public signature on the scope's petition (any state: withdrawn too). */
function signedPubliclyHere(scope: string, personId: number): boolean {
  const petitionId = /^petition:(\d+)$/.exec(scope)?.[1];
  return petitionId !== undefined && Boolean(statements().publicSignature.get(Number(petitionId), personId));
}

/** The blind signature of a blinded message with the scope's key (deterministic: raw RSA). */
export function signBlinded(key: ScopeKey, blindedMessage: Buffer): Buffer {
  if (!key.privateKey) throw REFUSALS.notOpen();
  return blindSign({ publicKey: key.publicKey, privateKey: key.privateKey }, blindedMessage);
}

/**
 * A blinded message that is not one for this key (or for any key, without one): the device's bug,
 * answered 400.
 */
export function malformedRequest(key: ScopeKey | undefined, blindedMessage: Buffer): TokenRefusal | null {
  const problem = key
    ? blindedMessageProblem(blindedMessage, key.publicKey)
    : blindedMessage.length !== MODULUS_BYTES
      ? `a blinded message is ${MODULUS_BYTES} bytes`
      : blindedMessage.every((b) => b === 0)
        ? "the blinded message is zero"
        : null;
  return problem ? new TokenRefusal(`This device's request is malformed: ${problem}.`, 400) : null;
}

/**
 * Issues this person's one token of the scope: the blind signature of their blinded message. Asking
 * again with the same blinded message gets the same answer, signed again (raw RSA signing is
 * deterministic, so only the message's hash is kept); another blinded message is refused, as is
 * anyone who signed publicly without a token. `signed`: the signature, made by the caller before its
 * transaction took the write lock (a batch signs fifty at once).
 */
export function issueToken(
  exec: Executor,
  scope: string,
  personId: number,
  blindedMessage: Buffer,
  now: number,
  signed?: Buffer,
): Buffer {
  const key = scopeKey(exec, scope);
  const malformed = malformedRequest(key, blindedMessage);
  if (malformed) throw malformed;
  const hash = blindedHashOf(blindedMessage);
  const problem = issuanceProblem(exec, key, scope, personId, hash);
  if (problem || !key) throw problem ?? REFUSALS.notOpen();
  const signature = signed ?? signBlinded(key, blindedMessage);
  if (issuanceOf(exec, scope, personId)) return signature;
  statements().insertIssuance.run(scope, personId, startOfDay(now), hash);
  exec
    .update(blindKeys)
    .set({ issued: sql`${blindKeys.issued} + 1` })
    .where(eq(blindKeys.scope, scope))
    .run();
  return signature;
}

/**
 * Records that this person signs publicly without a token, so that none will be issued to them
 * later. One who was issued one already may sign without it too (a device without their wallet, no
 * JavaScript): each petition publishes how many such signatures it holds.
 */
export function recordSigningWithoutToken(
  _exec: Executor,
  scope: string,
  personId: number,
  now: number,
): void {
  // Raw prepared statements, on the caller's connection and so in its transaction: this runs on
  // every public signature without a token, where drizzle building the queries cost more than running them.
  const { issuance, markWithoutToken } = statements();
  if (issuance.get(scope, personId)) return;
  markWithoutToken.run(scope, personId, startOfDay(now));
}

const statements = preparedStatements((db) => ({
  issuance: db.$client.prepare<[string, number], { blinded_hash: Buffer | null }>(
    "select blinded_hash from token_issuance where scope = ? and person_id = ?",
  ),
  email: db.$client.prepare<[number], { email: string }>("select email from people where id = ?"),
  erasedIssuance: db.$client.prepare<[string, string], { n: number }>(
    "select 1 as n from erased_token_issuance where scope = ? and holder = ?",
  ),
  publicSignature: db.$client.prepare<[number, number], { n: number }>(
    "select 1 as n from signatures where petition_id = ? and person_id = ? and visibility = 'public' limit 1",
  ),
  insertIssuance: db.$client.prepare<[string, number, number, Buffer]>(
    "insert into token_issuance (scope, person_id, issued_on, blinded_hash) values (?, ?, ?, ?)",
  ),
  markWithoutToken: db.$client.prepare<[string, number, number]>(
    "insert into token_issuance (scope, person_id, issued_on, blinded_hash) values (?, ?, ?, null)",
  ),
  published: db
    .select({
      publicKey: blindKeys.publicKey,
      fingerprint: blindKeys.fingerprint,
      createdOn: blindKeys.createdOn,
      retiredOn: blindKeys.retiredOn,
      issued: blindKeys.issued,
      issuedPublished: blindKeys.issuedPublished,
      spentPublished: blindKeys.spentPublished,
      issuanceFrozenOn: blindKeys.issuanceFrozenOn,
    })
    .from(blindKeys)
    .where(eq(blindKeys.scope, sql.placeholder("scope")))
    .prepare(),
}));

/**
 * Publishes the issued count (`issued_published`) and the tokens spent on public signatures
 * (`spent_published`, withdrawn ones too) of every scope that still issues, or of `scope` alone:
 * at each batch boundary, and as a petition closes (so what its last batches count is compared with
 * what was issued until then).
 */
export function publishScopeCounts(exec: Executor, scope?: string): number {
  const where = scope === undefined ? sql`private_key is not null` : sql`scope = ${scope}`;
  return exec.run(sql`update blind_keys set issued_published = issued, spent_published = case
    when scope like 'petition:%' then (select count(distinct s.token_id) from signatures s
      where s.petition_id = cast(substr(blind_keys.scope, 10) as integer) and s.token_id is not null)
    else 0 end
  where ${where}`).changes;
}

/** Whether a finalized token is valid for the scope's key (retired keys still verify). */
export function verifyScopeToken(exec: Executor, scope: string, message: Buffer, signature: Buffer): boolean {
  const key = scopeKey(exec, scope);
  return key ? verifyToken(key.publicKey, message, signature) : false;
}

/** After a restore from a backup, no scope still open may issue tokens again (docs/anonymity.md). */
export function freezeIssuance(exec: Executor, now: number): number {
  return exec
    .update(blindKeys)
    .set({ issuanceFrozenOn: new Date(startOfDay(now)) })
    .where(sql`${blindKeys.privateKey} is not null and ${blindKeys.issuanceFrozenOn} is null`)
    .run().changes;
}
