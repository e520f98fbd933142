import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { policyFeedback } from "../../db/schema";
import { signAction } from "../browser/blind-tokens";
import {
  type DerivedRequest,
  deriveRequest,
  deriveSignerKey,
  finalizeDerived,
  type IssuerKey,
  newWalletSecret,
} from "../browser/derived-tokens";
import type { User } from "../domain/identity/sessions.server";
import { redeemAnonymously, requestAnonymousAction } from "../domain/petitions/anonymous-signing.server";
import { issuePetitionToken, petitionKeyView } from "../domain/petitions/petition-keys.server";
import type { Petition } from "../domain/petitions/rights.server";
import {
  commitAnonymousFeedback,
  feedbackKey,
  issueFeedbackToken,
  secretHashOf,
  sendAnonymousFeedback,
} from "../domain/policies/anonymous-feedback.server";
import { ensureFeedbackKeys } from "../domain/policies/feedback-keys.server";
import { petitionScope } from "../platform/anonymity/token-messages";

/**
 * A colleague signing anonymously through the real protocol, in Node: the browser's side (the
 * requests derived from the person's wallet secret, finalizing, the signer key) from
 * app/browser/derived-tokens.ts, the server's domain functions for issuance and redemption. The demo
 * seed signs this way, and so do the tests.
 */
export type HeldToken = {
  petitionId: number;
  tokenId: string;
  message: string;
  signature: string;
  signer: CryptoKeyPair;
  seq: number;
};

/**
 * Each person's wallet secret, as their devices would hold it: made on first use, for the life of
 * the process (the demo seed and a test file each run in their own). `useWalletSecret` sets one, for
 * a test or the seed that needs to know it.
 */
const walletSecrets = new Map<number, Uint8Array>();

export function walletSecretOf(personId: number): Uint8Array {
  let secret = walletSecrets.get(personId);
  if (!secret) {
    secret = newWalletSecret();
    walletSecrets.set(personId, secret);
  }
  return secret;
}

export function useWalletSecret(personId: number, secret: Uint8Array): void {
  walletSecrets.set(personId, secret);
}

async function derivedToken(
  secret: Uint8Array,
  scope: string,
  issuer: IssuerKey,
  issue: (blindedMessage: Buffer) => Buffer,
): Promise<{ request: DerivedRequest; signature: string; signer: CryptoKeyPair }> {
  const request = await deriveRequest(secret, scope, issuer);
  const blind = issue(Buffer.from(request.blindedMessage, "base64url"));
  return {
    request,
    signature: await finalizeDerived(issuer, request, blind.toString("base64url")),
    signer: await deriveSignerKey(secret, scope, issuer),
  };
}

/**
 * Issues this person's token for the petition (as their device does in its background run), derived
 * from their wallet secret: asking again gives the same token. `secret` stands for another wallet
 * (a device that made its own), whose request the server refuses once the person holds a token.
 */
export async function fetchToken(
  petition: Pick<Petition, "id">,
  user: User,
  at = Date.now(),
  options: { secret?: Uint8Array } = {},
): Promise<HeldToken> {
  const key = petitionKeyView(petition.id);
  if (!key) throw new Error(`petition ${petition.id} has no key`);
  const { request, signature, signer } = await derivedToken(
    options.secret ?? walletSecretOf(user.id),
    petitionScope(petition.id),
    key,
    (blinded) => issuePetitionToken(petition.id, user, blinded, at),
  );
  return {
    petitionId: petition.id,
    tokenId: request.tokenId,
    message: request.message,
    signature,
    signer,
    seq: 0,
  };
}

/** Redeems a token anonymously (no session, no address): held until the petition's next batch. */
export async function redeem(token: HeldToken, options: { reason?: string; at?: number } = {}) {
  return redeemAnonymously(
    {
      petitionId: token.petitionId,
      message: token.message,
      signature: token.signature,
      reason: options.reason,
      ip: null,
    },
    options.at ?? Date.now(),
  );
}

/** A counted token's next action, signed with its signer key. */
export async function act(token: HeldToken, action: "withdraw" | "sign", at = Date.now()) {
  const seq = token.seq + 1;
  const proof = await signAction(token.signer.privateKey, token.tokenId, action, seq);
  const state = await requestAnonymousAction(
    { petitionId: token.petitionId, tokenId: token.tokenId, action, seq, proof, ip: null },
    at,
  );
  token.seq = seq;
  return state;
}

/**
 * Anonymous feedback through the protocol: this week's feedback token issued to `user`, the feedback
 * sent without them, its batch written at once (unless `commit: false`). Returns the secret (the receipt code) and the item's id.
 */
export async function sendFeedbackAnonymously(
  policyId: number,
  user: User,
  input: { body: string; rating?: number },
  at = Date.now(),
  options: { commit?: boolean } = {},
): Promise<{ secret: string; id: number }> {
  await ensureFeedbackKeys(at);
  const key = feedbackKey(policyId, at);
  const { request, signature } = await derivedToken(walletSecretOf(user.id), key.scope, key, (blinded) =>
    issueFeedbackToken(policyId, user, blinded, at),
  );
  const secret = randomBytes(32).toString("base64url");
  await sendAnonymousFeedback(
    {
      policyId,
      ...input,
      secret,
      message: request.message,
      signature,
      ip: null,
    },
    at,
  );
  // Without `commit`, held for the scheduler's batch (id 0: not stored yet).
  if (options.commit === false) return { secret, id: 0 };
  await commitAnonymousFeedback(at, true);
  // The item's id (what the owners see in their inbox), for the demo's replies and tags.
  const stored = getDb()
    .select({ id: policyFeedback.id })
    .from(policyFeedback)
    .where(eq(policyFeedback.replySecretHash, secretHashOf(secret)))
    .get();
  if (!stored) throw new Error("anonymous feedback was not stored");
  return { secret, id: stored.id };
}
