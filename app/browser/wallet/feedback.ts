import { feedbackScope, isoWeek } from "../../platform/anonymity/token-messages";
import { ensureReady } from "../background-tokens";
import { toBase64url } from "../blind-tokens";
import { postJson, randomWait, refusalOf, WalletError } from "./http";
import type { Progress } from "./issuance-run";
import { feedbackRefusalWords, unconfirmedKey, unconfirmedKeyWords } from "./log-check";
import { allEntries, dropEntry, readEntry, walletSecret, writeEntry } from "./store";
import type { FeedbackReceipt, HeldFeedbackPermission } from "./types";

/**
 * Anonymous policy feedback: this week's permission for the policy (from the background run), sent
 * without cookies after a random wait. The secret that reads the owners' replies is derived from the
 * wallet secret and the permission's id, so any device holding the wallet can rebuild it.
 */

export const thisWeeksScope = (policyId: number, now = Date.now()) => feedbackScope(policyId, isoWeek(now));

/** HKDF-SHA256(wallet secret, info "undersigned/v1/feedback-replies/<id>"), 32 bytes, base64url. */
export async function replySecretOf(secret: Uint8Array, tokenId: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", Uint8Array.from(secret), "HKDF", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    {
      name: "HKDF",
      hash: "SHA-256",
      salt: new Uint8Array(0),
      info: new TextEncoder().encode(`undersigned/v1/feedback-replies/${tokenId}`),
    },
    key,
    256,
  );
  return toBase64url(new Uint8Array(bits));
}

async function sendReceipt(receipt: FeedbackReceipt): Promise<FeedbackReceipt> {
  const { status, data } = await postJson(
    `/api/policies/${receipt.policyId}/anonymous-feedback`,
    {
      body: receipt.body,
      rating: receipt.rating ?? undefined,
      secret: receipt.secret,
      message: receipt.message,
      signature: receipt.signature,
    },
    "omit",
  );
  if (status !== 200 && status !== 202) throw refusalOf(data, `Refused (${status}).`);
  const next: FeedbackReceipt = { ...receipt, status: data.state === "stored" ? "stored" : "pending" };
  await writeEntry(`receipt:${receipt.tokenId}`, next);
  return next;
}

export async function sendFeedbackAnonymously(
  policy: { id: number; slug: string; title: string },
  input: { body: string; rating: number | null },
  onProgress: (progress: Progress) => void = () => undefined,
): Promise<FeedbackReceipt> {
  const scope = thisWeeksScope(policy.id);
  if (!(await walletSecret())) {
    throw new WalletError(
      "This device is not set up for anonymous signing and feedback yet: get it ready on “Anonymous signing on this device” (My petitions links to it), or send it with your name.",
      { key: "signing.feedback.notSetUp" },
    );
  }
  // Before this device's run has completed, the sender waits for it: nothing is fetched for sending.
  await ensureReady(scope, onProgress);
  const permission = await readEntry<HeldFeedbackPermission>(scope);
  if (!permission?.token) {
    throw permission?.refused
      ? new WalletError(permission.refused.message, feedbackRefusalWords(permission.refused))
      : new WalletError(
          "This device cannot send this policy anonymous feedback this week. You can send it with your name.",
          { key: "signing.feedback.cannotSend" },
        );
  }
  // Only with this week's key as the public log confirmed it (checked by the background run).
  const unconfirmed = unconfirmedKey(permission);
  if (unconfirmed) throw new WalletError(unconfirmed, unconfirmedKeyWords(permission));
  if (permission.used) {
    throw new WalletError(
      "You have sent this policy anonymous feedback this week already: one a week, so that nobody can flood it without a name.",
      { key: "signing.feedback.alreadySent" },
    );
  }
  const secret = await walletSecret();
  const receipt: FeedbackReceipt = {
    kind: "feedback",
    tokenId: permission.token.tokenId,
    policyId: policy.id,
    policySlug: policy.slug,
    policyTitle: policy.title,
    secret:
      secret && !permission.legacySigner
        ? await replySecretOf(secret, permission.token.tokenId)
        : toBase64url(crypto.getRandomValues(new Uint8Array(32))),
    body: input.body,
    rating: input.rating,
    message: permission.token.message,
    signature: permission.token.signature,
    status: "pending",
    sentOn: new Date().toISOString().slice(0, 10),
  };
  await writeEntry(`receipt:${receipt.tokenId}`, receipt);
  await randomWait(500, 3_000);
  try {
    const sent = await sendReceipt(receipt);
    await writeEntry(scope, { ...permission, used: true });
    return sent;
  } catch (error) {
    if (error instanceof WalletError) {
      // Refused (empty, too long, …): nothing was held, so the week's permission stays unspent.
      await dropEntry(`receipt:${receipt.tokenId}`);
    } else {
      // Lost on the way: it may be held; My feedback sends it again with the same secret.
      await writeEntry(scope, { ...permission, used: true });
    }
    throw error;
  }
}

/**
 * Re-sends what is still pending, after the same random wait as the first send (so that it does not
 * follow the click, or the page's other requests, in a pattern); stored feedback is left alone.
 */
export async function refreshFeedback(receipt: FeedbackReceipt): Promise<FeedbackReceipt> {
  if (receipt.status === "stored") return receipt;
  await randomWait(500, 3_000);
  return sendReceipt(receipt);
}

export async function feedbackReceipts(): Promise<FeedbackReceipt[]> {
  return (await allEntries()).filter((entry): entry is FeedbackReceipt => entry.kind === "feedback");
}
