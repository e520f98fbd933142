import { signAction } from "../blind-tokens";
import { deriveSignerKey } from "../derived-tokens";
import { errorOf, postJson, randomWait, refusalOf, WalletError } from "./http";
import { petitionRefusalWords, unconfirmedKey, unconfirmedKeyWords } from "./log-check";
import type { Digest } from "./status";
import { seenInDigest } from "./status";
import { readEntry, readRun, walletSecret, writeEntry } from "./store";
import type { HeldPetition, PendingAction, Token } from "./types";

/**
 * A petition's anonymous signature on this device: sent without cookies after a random wait,
 * checked against the public digest, sent again after a server restart, withdrawn or made again
 * with the signer key (derived from the wallet secret, or kept from the previous design).
 */

const scopeOf = (petitionId: number) => `petition:${petitionId}`;

export const heldPetition = (petitionId: number) => readEntry<HeldPetition>(scopeOf(petitionId));

async function save(entry: HeldPetition) {
  await writeEntry(entry.scope, entry);
  return entry;
}

/** Names the petition for My petitions (the run knows only its slug). */
export async function rememberTitle(petitionId: number, title: string) {
  const entry = await heldPetition(petitionId);
  if (entry && entry.title !== title) await save({ ...entry, title });
}

/** What the redemption or action answered: counted (with its standing) or held for the next batch. */
function applyAnswer(entry: HeldPetition, data: Record<string, unknown>): HeldPetition {
  if (data.state === "counted") {
    const actionSeq = typeof data.actionSeq === "number" ? data.actionSeq : entry.actionSeq;
    const actionDone = !entry.pendingAction || actionSeq >= entry.pendingAction.seq;
    return {
      ...entry,
      status: "counted",
      standing: data.standing === true,
      actionSeq,
      reason: null,
      pendingAction: actionDone ? null : entry.pendingAction,
      problem: null,
    };
  }
  return { ...entry, status: entry.status === "counted" ? "counted" : "pending", problem: null };
}

/** This device's state brought up to what the public digest shows (no request of its own). */
export async function reconcile(petitionId: number, digest: Digest): Promise<HeldPetition | undefined> {
  const entry = await heldPetition(petitionId);
  if (!entry?.token || entry.status === "public") return entry;
  const seen = seenInDigest(digest, entry.token.tokenId);
  if (!seen) return entry;
  const actionDone = !entry.pendingAction || seen.actionSeq >= entry.pendingAction.seq;
  return save({
    ...entry,
    status: "counted",
    standing: seen.standing,
    actionSeq: Math.max(seen.actionSeq, entry.actionSeq),
    reason: null,
    pendingAction: actionDone ? null : entry.pendingAction,
    problem: null,
  });
}

/** Whether something this device sent is not counted and the server has restarted since it was sent. */
export function needsResend(entry: HeldPetition | undefined, digest: Digest): boolean {
  if (!entry?.token || entry.sentBoot === digest.bootId) return false;
  return entry.status === "pending" || entry.pendingAction !== null;
}

async function sendRedemption(entry: HeldPetition, bootId: string | null): Promise<HeldPetition> {
  if (!entry.token)
    throw new WalletError("This device cannot sign this petition anonymously.", {
      key: "signing.wallet.cannotSign",
    });
  const { status, data } = await postJson(
    `/api/petitions/${entry.petitionId}/anonymous`,
    { message: entry.token.message, signature: entry.token.signature, reason: entry.reason ?? undefined },
    "omit",
  );
  if (status !== 200 && status !== 202) {
    await save({ ...entry, problem: errorOf(data, `Your anonymous signature was refused (${status}).`) });
    throw refusalOf(data, `Your anonymous signature was refused (${status}).`, {
      key: "signing.wallet.refused",
      values: { status },
    });
  }
  return save(applyAnswer({ ...entry, sentBoot: bootId ?? entry.sentBoot }, data));
}

async function sendAction(entry: HeldPetition, action: PendingAction, bootId: string | null) {
  if (!entry.token)
    throw new WalletError("This device cannot act on this signature.", { key: "signing.wallet.cannotAct" });
  const { status, data } = await postJson(
    `/api/petitions/${entry.petitionId}/anonymous/actions`,
    { tokenId: entry.token.tokenId, ...action },
    "omit",
  );
  if (status !== 202 && status !== 200) {
    await save({ ...entry, pendingAction: null, problem: errorOf(data, `Refused (${status}).`) });
    throw refusalOf(data, `Refused (${status}).`, {
      key: "signing.wallet.actionRefused",
      values: { status },
    });
  }
  return save({ ...entry, pendingAction: action, sentBoot: bootId ?? entry.sentBoot, problem: null });
}

/**
 * Signs anonymously with this device's signature for the petition: after a random 0.5–3 s wait (so
 * that the redemption does not follow the click's other requests in a pattern), without cookies.
 */
export async function signAnonymously(petitionId: number, reason: string | null, bootId: string | null) {
  const entry = await heldPetition(petitionId);
  if (!entry?.token) {
    throw entry?.refused
      ? new WalletError(entry.refused.message, petitionRefusalWords(entry.refused))
      : new WalletError("This device has no anonymous signature for this petition. You can sign publicly.", {
          key: "signing.wallet.noSignature",
        });
  }
  if (entry.status === "public")
    throw new WalletError("You signed this petition publicly from this device.", {
      key: "signing.wallet.signedPublicly",
    });
  // Only with the key the public log confirmed (the background run checked it): never a held
  // signature for a key tailored to this device, whenever it was fetched.
  const unconfirmed = unconfirmedKey(entry);
  if (unconfirmed) throw new WalletError(unconfirmed, unconfirmedKeyWords(entry));
  const withReason = await save({ ...entry, reason: reason || null, sentAt: Date.now() });
  await randomWait(500, 3_000);
  return sendRedemption(withReason, bootId);
}

/**
 * Withdraws the anonymous signature, or signs again: authorized by the signer key. Signing again
 * needs the key the public log confirmed, as a first signature does; a withdrawal is always possible.
 */
export async function actOnSignature(petitionId: number, action: "withdraw" | "sign", bootId: string | null) {
  const entry = await heldPetition(petitionId);
  if (!entry?.token || entry.status !== "counted") {
    throw new WalletError("This device has no counted anonymous signature for this petition.", {
      key: "signing.wallet.noCounted",
    });
  }
  const unconfirmed = action === "sign" ? unconfirmedKey(entry) : null;
  if (unconfirmed) throw new WalletError(unconfirmed, unconfirmedKeyWords(entry));
  // Signing again waits out a paused log, as a first signature does (background-tokens.ts ensureReady).
  const run = action === "sign" ? await readRun() : null;
  if (run?.paused) throw new WalletError(run.paused, run.pausedWords ?? undefined);
  const seq = entry.actionSeq + 1;
  const proof = await signAction(await signerOf(entry), entry.token.tokenId, action, seq);
  await randomWait(500, 3_000);
  return sendAction(entry, { action, seq, proof }, bootId);
}

async function signerOf(entry: HeldPetition): Promise<CryptoKey> {
  if (entry.legacySigner) return entry.legacySigner.privateKey;
  const secret = await walletSecret();
  if (!secret) {
    throw new WalletError("This device no longer holds your anonymous signing: unlock it again first.", {
      key: "signing.wallet.noLongerHeld",
    });
  }
  const pair = await deriveSignerKey(secret, entry.scope, {
    publicKey: entry.publicKey,
    fingerprint: entry.fingerprint,
  });
  return pair.privateKey;
}

/** Sends again what a restarted server forgot (called 2–15 minutes after the digest showed it). */
export async function resendUncounted(petitionId: number, digest: Digest) {
  const entry = await heldPetition(petitionId);
  if (!entry || !needsResend(entry, digest)) return entry;
  if (entry.status === "pending") return sendRedemption(entry, digest.bootId);
  if (entry.pendingAction) return sendAction(entry, entry.pendingAction, digest.bootId);
  return entry;
}

/** This device's unspent signature, to spend on a public signature (one per person). */
export async function tokenForPublicSigning(petitionId: number): Promise<Token | null> {
  const entry = await heldPetition(petitionId);
  return entry?.token && entry.status === "unused" ? entry.token : null;
}

export async function markSignedPublicly(petitionId: number) {
  const entry = await heldPetition(petitionId);
  if (entry?.token && entry.status === "unused") await save({ ...entry, status: "public" });
}
