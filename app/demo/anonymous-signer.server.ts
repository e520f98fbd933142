import { randomBytes } from "node:crypto";
import {
  finalizeToken,
  fromBase64url,
  newSignerKey,
  requestToken,
  signAction,
  tokenIdOf,
} from "../browser/blind-tokens";
import type { User } from "../domain/identity/sessions.server";
import { redeemAnonymously, requestAnonymousAction } from "../domain/petitions/anonymous-signing.server";
import { issuePetitionToken, petitionKeyView } from "../domain/petitions/petition-keys.server";
import type { Petition } from "../domain/petitions/rights.server";
import {
  anonymousFeedbackBySecret,
  commitAnonymousFeedback,
  feedbackKey,
  issueFeedbackToken,
  sendAnonymousFeedback,
} from "../domain/policies/anonymous-feedback.server";
import { ensureFeedbackKeys } from "../domain/policies/feedback-keys.server";
import { petitionScope, tokenMessage } from "../platform/token-messages";
import { fastBlind, fastFinalize } from "./fast-blinding";

/**
 * A colleague signing anonymously through the real protocol, in Node: the browser's side (blinding,
 * finalizing, the signer key) from app/browser/blind-tokens.ts, the server's domain functions for
 * issuance and redemption. The demo seed signs this way, and so do the tests.
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
 * Issues this person's token for the petition (as their browser does in the background). The demo
 * and the tests blind with fast-blinding.ts; `library` blinds with @cloudflare/blindrsa-ts, as
 * browsers do.
 */
export async function fetchToken(
  petition: Pick<Petition, "id">,
  user: User,
  at = Date.now(),
  options: { library?: boolean } = {},
): Promise<HeldToken> {
  const key = petitionKeyView(petition.id);
  if (!key) throw new Error(`petition ${petition.id} has no key`);
  const scope = petitionScope(petition.id);
  const signer = await newSignerKey();
  let message: string;
  let signature: string;
  if (options.library) {
    const request = await requestToken(key.publicKey, scope, signer);
    const blind = issuePetitionToken(
      petition.id,
      user,
      Buffer.from(fromBase64url(request.blindedMessage)),
      at,
    );
    message = request.message;
    signature = await finalizeToken(key.publicKey, request, blind.toString("base64url"));
  } else {
    const signerKey = Buffer.from(await crypto.subtle.exportKey("raw", signer.publicKey)).toString(
      "base64url",
    );
    const request = fastBlind(key.publicKey, Buffer.from(tokenMessage(scope, signerKey)));
    const blind = issuePetitionToken(petition.id, user, request.blindedMessage, at);
    message = request.prepared.toString("base64url");
    signature = fastFinalize(key.publicKey, blind, request.inverse).toString("base64url");
  }
  return {
    petitionId: petition.id,
    tokenId: await tokenIdOf(fromBase64url(message)),
    message,
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
  const signer = await newSignerKey();
  const signerKey = Buffer.from(await crypto.subtle.exportKey("raw", signer.publicKey)).toString("base64url");
  const request = fastBlind(key.publicKey, Buffer.from(tokenMessage(key.scope, signerKey)));
  const blind = issueFeedbackToken(policyId, user, request.blindedMessage, at);
  const signature = fastFinalize(key.publicKey, blind, request.inverse);
  const secret = randomBytes(32).toString("base64url");
  await sendAnonymousFeedback(
    {
      policyId,
      ...input,
      secret,
      message: request.prepared.toString("base64url"),
      signature: signature.toString("base64url"),
      ip: null,
    },
    at,
  );
  // Without `commit`, held for the scheduler's batch (id 0: not stored yet).
  if (options.commit === false) return { secret, id: 0 };
  await commitAnonymousFeedback(at, true);
  const stored = anonymousFeedbackBySecret(secret);
  if (!stored) throw new Error("anonymous feedback was not stored");
  return { secret, id: stored.id };
}
