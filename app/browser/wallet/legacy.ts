import { clear, entries } from "idb-keyval";
import { petitionScope } from "../../platform/anonymity/token-messages";
import { legacy, readEntry, writeEntry } from "./store";
import type { FeedbackReceipt, HeldFeedbackPermission, HeldPetition, Token } from "./types";

/**
 * Entries from the previous design, when each browser fetched random tokens of its own: those
 * holding a token keep working on this device for their petition or policy (signing, withdrawing,
 * spending it publicly), moved once into this device's store with their signer key.
 */
type LegacyPetition = {
  kind: "petition";
  petitionId: number;
  slug: string;
  title: string | null;
  publicKey: string;
  fingerprint: string;
  signer: CryptoKeyPair;
  token: Token | null;
  status: "unused" | "pending" | "counted" | "public" | "refused";
  standing: boolean;
  actionSeq: number;
  pendingAction: HeldPetition["pendingAction"];
  reason: string | null;
  sentAt: number | null;
};
type LegacyFeedbackToken = {
  kind: "feedback-token";
  scope: string;
  policyId: number;
  publicKey: string;
  fingerprint: string;
  signer: CryptoKeyPair;
  token: Token | null;
  used: boolean;
};
type LegacyEntry = LegacyPetition | LegacyFeedbackToken | FeedbackReceipt;

let moved: Promise<void> | null = null;

/** Moves the previous design's entries that hold something into this device's store, once. */
export function moveLegacyEntries(): Promise<void> {
  moved ??= move().catch(() => undefined);
  return moved;
}

async function move() {
  const old = await entries<string, LegacyEntry>(legacy());
  if (!old.length) return;
  for (const [, entry] of old) {
    if (entry.kind === "feedback") {
      await writeEntry(`receipt:${entry.tokenId}`, entry);
    } else if (entry.kind === "petition" && entry.token && entry.status !== "refused") {
      const scope = petitionScope(entry.petitionId);
      if (await readEntry(scope)) continue;
      const held: HeldPetition = {
        kind: "petition",
        scope,
        petitionId: entry.petitionId,
        slug: entry.slug,
        title: entry.title,
        publicKey: entry.publicKey,
        fingerprint: entry.fingerprint,
        token: entry.token,
        legacySigner: entry.signer,
        refused: null,
        status: entry.status,
        standing: entry.standing,
        actionSeq: entry.actionSeq,
        pendingAction: entry.pendingAction,
        reason: entry.reason,
        problem: null,
        sentAt: entry.sentAt,
        sentBoot: null,
      };
      await writeEntry(scope, held);
    } else if (entry.kind === "feedback-token" && entry.token) {
      if (await readEntry(entry.scope)) continue;
      const held: HeldFeedbackPermission = {
        kind: "feedback-token",
        scope: entry.scope,
        policyId: entry.policyId,
        publicKey: entry.publicKey,
        fingerprint: entry.fingerprint,
        token: entry.token,
        legacySigner: entry.signer,
        refused: null,
        used: entry.used,
      };
      await writeEntry(entry.scope, held);
    }
  }
  await clear(legacy());
}
