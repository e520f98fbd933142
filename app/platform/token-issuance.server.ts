import { and, eq, sql } from "drizzle-orm";
import { type Executor, preparedStatements } from "../../db/client";
import { blindKeys, tokenIssuance } from "../../db/schema";
import {
  type BlindKeyPair,
  blindedMessageProblem,
  blindSign,
  generateBlindKeyPair,
  generateBlindKeyPairOffThread,
  verifyToken,
} from "./blind-signatures.server";
import { Refusal } from "./refusal";
import { startOfDay } from "./time";

/**
 * Blind tokens per scope (a petition, a policy's feedback week): one key pair per scope, at most one
 * token per person per scope, and the record of who was issued one — never which token. Callers
 * decide who is eligible; this module keeps the one-per-person rule and the keys.
 */

export class TokenRefusal extends Refusal {}

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

export function storeScopeKey(exec: Executor, scope: string, keys: BlindKeyPair, now: number): ScopeKey {
  return exec
    .insert(blindKeys)
    .values({ scope, ...keys, createdOn: new Date(startOfDay(now)) })
    .returning()
    .get();
}

/**
 * Retires a scope's key: its private half is deleted (no token can be minted after) and so are the
 * issuance rows, which were only needed to refuse a second token; their number stays.
 */
export function retireScopeKey(exec: Executor, scope: string, now: number): ScopeKey | undefined {
  exec.delete(tokenIssuance).where(eq(tokenIssuance.scope, scope)).run();
  return exec
    .update(blindKeys)
    .set({ privateKey: null, retiredOn: new Date(startOfDay(now)) })
    .where(and(eq(blindKeys.scope, scope), sql`${blindKeys.privateKey} is not null`))
    .returning()
    .get();
}

export type Issuance = { token: boolean } | null;

/** Whether this person was issued the scope's token, or signed publicly without one (`token: false`). */
export function issuanceOf(exec: Executor, scope: string, personId: number): Issuance {
  const row = exec
    .select({ blinded: tokenIssuance.blindedMessage })
    .from(tokenIssuance)
    .where(and(eq(tokenIssuance.scope, scope), eq(tokenIssuance.personId, personId)))
    .get();
  return row ? { token: row.blinded !== null } : null;
}

/**
 * Issues this person's one token of the scope: the blind signature of their blinded message. Asking
 * again with the same blinded message gets the same answer (a dropped response is fetched again);
 * another blinded message is refused, as is anyone who signed publicly without a token.
 */
export function issueToken(
  exec: Executor,
  scope: string,
  personId: number,
  blindedMessage: Buffer,
  now: number,
): Buffer {
  const key = scopeKey(exec, scope);
  if (!key?.privateKey) throw new TokenRefusal("Tokens are not issued for this any more.", 409);
  if (key.issuanceFrozenOn) {
    throw new TokenRefusal(
      "New tokens are not issued for this petition since the platform was restored from a backup.",
      409,
    );
  }
  const problem = blindedMessageProblem(blindedMessage, key.publicKey);
  if (problem) throw new TokenRefusal(`The token request is malformed: ${problem}.`, 400);
  const existing = exec
    .select()
    .from(tokenIssuance)
    .where(and(eq(tokenIssuance.scope, scope), eq(tokenIssuance.personId, personId)))
    .get();
  if (existing) {
    if (existing.blindedMessage === null) {
      throw new TokenRefusal("You signed publicly without a token, so no token is issued to you here.", 409);
    }
    if (existing.blindedMessage !== blindedMessage.toString("base64url") || !existing.blindSignature) {
      throw new TokenRefusal(
        "A token was already issued to you for this, in another browser or before its storage was cleared: use that browser, or move your tokens from it.",
        409,
      );
    }
    return Buffer.from(existing.blindSignature, "base64url");
  }
  const signature = blindSign({ publicKey: key.publicKey, privateKey: key.privateKey }, blindedMessage);
  exec
    .insert(tokenIssuance)
    .values({
      scope,
      personId,
      issuedOn: new Date(startOfDay(now)),
      blindedMessage: blindedMessage.toString("base64url"),
      blindSignature: signature.toString("base64url"),
    })
    .run();
  exec
    .update(blindKeys)
    .set({ issued: sql`${blindKeys.issued} + 1` })
    .where(eq(blindKeys.scope, scope))
    .run();
  return signature;
}

/**
 * Records that this person signs publicly without a token (no JavaScript), so that none will be
 * issued to them: refused when they already hold one, which they must sign with.
 */
export function recordSigningWithoutToken(
  _exec: Executor,
  scope: string,
  personId: number,
  now: number,
): void {
  // Raw prepared statements, on the caller's connection and so in its transaction: this runs on
  // every public signature, where drizzle building the two queries cost more than running them.
  const { issuance, markWithoutToken } = statements();
  const existing = issuance.get(scope, personId);
  if (existing?.blinded_message) {
    throw new TokenRefusal(
      "Your browser holds a token for this petition (this one or another): sign from the browser that has it, with JavaScript, or move your tokens to this one.",
      409,
    );
  }
  if (existing) return;
  markWithoutToken.run(scope, personId, startOfDay(now));
}

const statements = preparedStatements((db) => ({
  issuance: db.$client.prepare<[string, number], { blinded_message: string | null }>(
    "select blinded_message from token_issuance where scope = ? and person_id = ?",
  ),
  markWithoutToken: db.$client.prepare<[string, number, number]>(
    "insert into token_issuance (scope, person_id, issued_on, blinded_message, blind_signature) values (?, ?, ?, null, null)",
  ),
  published: db
    .select({
      publicKey: blindKeys.publicKey,
      fingerprint: blindKeys.fingerprint,
      createdOn: blindKeys.createdOn,
      retiredOn: blindKeys.retiredOn,
      issued: blindKeys.issued,
      issuedPublished: blindKeys.issuedPublished,
      issuanceFrozenOn: blindKeys.issuanceFrozenOn,
    })
    .from(blindKeys)
    .where(eq(blindKeys.scope, sql.placeholder("scope")))
    .prepare(),
}));

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
