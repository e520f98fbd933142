import type { WalletWords } from "./http";

/** What this device holds of one anonymous signature or feedback permission (store.ts). */

export type Token = { message: string; signature: string; tokenId: string };

/**
 * Why the server gave no anonymous signature for a scope: "issued-otherwise" (its record holds a
 * request this device did not make: the server's fault), "signed-publicly" (the person signed
 * publicly without one), or a state of the petition that may change ("not-open", "frozen",
 * "not-eligible", asked again at the next run). This device's own refusals: "key-changed" (another
 * key than the one it kept), "not-in-log" (a key the public log contradicts), both for good;
 * "not-confirmed" (not in the public log yet, asked again).
 */
export type Refusal = { reason: string; message: string };

export type PendingAction = { action: "withdraw" | "sign"; seq: number; proof: string };

export type HeldPetition = {
  kind: "petition";
  scope: string;
  petitionId: number;
  slug: string;
  title: string | null;
  publicKey: string;
  /** Pinned: a different key for this petition is refused, never silently accepted. */
  fingerprint: string;
  token: Token | null;
  /**
   * The fingerprint a verified checkpoint of the public log confirmed for this scope (log-check.ts),
   * recorded by a background run. A held signature is spent only when it equals `fingerprint`: a
   * key the log has not confirmed (yet) is never used, whatever this device holds for it.
   */
  logConfirmed?: string | null;
  /**
   * From the previous design: a random token this browser fetched itself, with its signer key.
   * It keeps working here for its petition; derived tokens rebuild their key from the secret.
   */
  legacySigner?: CryptoKeyPair;
  refused: Refusal | null;
  /**
   * unused: held, not spent · pending: sent, waiting for its batch · counted: seen in the public
   * digest (or answered counted) · public: spent on a public signature.
   */
  status: "unused" | "pending" | "counted" | "public";
  standing: boolean;
  actionSeq: number;
  /** A withdrawal or re-sign sent and not yet seen counted: sent again after a server restart. */
  pendingAction: PendingAction | null;
  /** "Why I'm signing", kept until the signature is counted (it is re-sent with it). */
  reason: string | null;
  problem: string | null;
  sentAt: number | null;
  /**
   * The server start (the digest's bootId) its last send reached: a held act is in the primary's
   * memory only, so when the digest shows a new start the device sends what is not counted again.
   */
  sentBoot: string | null;
};

export type HeldFeedbackPermission = {
  kind: "feedback-token";
  scope: string;
  policyId: number;
  publicKey: string;
  fingerprint: string;
  token: Token | null;
  /** As for a petition: the fingerprint the public log confirmed for this week's key. */
  logConfirmed?: string | null;
  legacySigner?: CryptoKeyPair;
  refused: Refusal | null;
  used: boolean;
};

export type FeedbackReceipt = {
  kind: "feedback";
  tokenId: string;
  policyId: number;
  policySlug: string;
  policyTitle: string;
  /** Reads the owners' replies; it is also the receipt code shown to the sender. */
  secret: string;
  body: string;
  rating: number | null;
  message: string;
  signature: string;
  status: "pending" | "stored";
  sentOn: string;
};

export type HeldEntry = HeldPetition | HeldFeedbackPermission | FeedbackReceipt;

/** One background run (issuance-run.ts): completion is recorded only when every target was asked. */
export type RunState = {
  startedAt: number;
  completedAt: number | null;
  done: number;
  total: number;
  /** The scopes the last completed run covered: a new one means "new targets appeared". */
  scopes: string[];
  /**
   * Why the last run asked for nothing (a required witness has not confirmed the public log lately,
   * or the log cannot be trusted): plain words shown where the run's state and the sign panel are.
   */
  paused?: string | null;
  /** `paused` in the reader's words (a catalog key). */
  pausedWords?: WalletWords | null;
};

export const entryKey = (entry: HeldEntry) =>
  entry.kind === "feedback" ? `receipt:${entry.tokenId}` : entry.scope;
