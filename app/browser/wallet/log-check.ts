import { type LogEntry, parseEntry } from "../../platform/transparency/log-entries";
import {
  equalHashes,
  type Hash,
  leafHash,
  verifyConsistency,
  verifyInclusion,
} from "../../platform/transparency/merkle";
import {
  cosignatureTime,
  fromBase64,
  NoteError,
  parseCheckpoint,
  parseNote,
  parseVkey,
  SIG_COSIGNATURE,
  SIG_ED25519,
  signatureBy,
  toBase64,
  type Verifier,
  verifySignature,
} from "../../platform/transparency/signed-note";
import { WalletError, type WalletWords } from "./http";
import type { HeldFeedbackPermission, HeldPetition, Refusal } from "./types";

/**
 * What a background run checks of the public log before it asks for anything (docs/anonymity.md,
 * "The public log"): the log's name and key and the required witnesses, pinned on first sight and
 * never reduced; the checkpoint the keys are proved in, signed by the log, cosigned recently by every
 * required witness and consistent with the last one this device verified; and each petition's key,
 * proved to be in it. Everything is fetched without a cookie: the same answers for every device.
 * Pure but for `fetchLog` and `pins`, so it is tested in Node too.
 */

/** What this device pinned of the public log (IndexedDB, store.ts). */
export type LogPin = {
  origin: string;
  logKey: string;
  witnesses: string[];
  freshnessMinutes: number;
  /** The newest checkpoint this device verified: the log is never accepted smaller or forked from it. */
  verified: { size: number; root: string } | null;
  /** Each witness's newest cosignature this device verified, in ms (for "has not confirmed … since"). */
  lastConfirmed: Record<string, number>;
};

export type PinStore = { read(): Promise<LogPin | undefined>; write(pin: LogPin): Promise<void> };
export type LogFetch = (path: string) => Promise<Response>;

/** A scope's key as the log proves it, or "disproved" (an entry that is not in the checkpoint). */
export type LoggedKey = { fingerprint: string; publicKey: string } | "disproved";

export type LogCheck =
  | { state: "verified"; keys: Map<string, LoggedKey>; witnessNames: string[]; size: number }
  /** Nothing is asked this run: a witness is stale, or the log cannot be trusted at all. */
  | { state: "paused"; message: string; words: WalletWords };

/** Clock skew a witness may have: a cosignature dated further ahead is not accepted. */
const FUTURE_SKEW_MS = 5 * 60_000;

/**
 * The shortest freshness this device accepts, whatever a server says: a front end serving a tiny
 * freshness once would otherwise pause this device's anonymous signing for good (it only goes down).
 */
export const MIN_FRESHNESS_MINUTES = 5;
const floored = (minutes: number) => Math.max(MIN_FRESHNESS_MINUTES, minutes);

export const PUBLIC_STILL_WORKS = "You can still sign publicly.";

type Trust = { origin: string; logKey: string; witnesses: string[]; freshnessMinutes: number };
type KeysAnswer = {
  checkpoint: string | null;
  keys: Array<{ scope: string; index: number; data: string; proof: string[] }>;
};

/** What a request to the public log reads, as its refusal names it. */
const READING = {
  keys: "its keys",
  signingKeys: "its signing keys",
  consistency: "its consistency",
} as const;

async function readJson<T>(fetchLog: LogFetch, path: string, reading: keyof typeof READING): Promise<T> {
  const what = READING[reading];
  let response: Response;
  try {
    response = await fetchLog(path);
  } catch {
    throw new WalletError(`The public log could not be reached (${what}): this device tries again later.`, {
      key: "signing.log.unreachable",
      values: { what: reading },
    });
  }
  if (!response.ok)
    throw new WalletError(
      `The public log could not be read (${what}, ${response.status}): this device tries again later.`,
      { key: "signing.log.unreadable", values: { what: reading, status: response.status } },
    );
  return (await response.json()) as T;
}

const isTrust = (value: unknown): value is Trust => {
  const t = value as Trust;
  return (
    typeof t === "object" &&
    t !== null &&
    typeof t.origin === "string" &&
    typeof t.logKey === "string" &&
    Array.isArray(t.witnesses) &&
    t.witnesses.every((w) => typeof w === "string") &&
    typeof t.freshnessMinutes === "number" &&
    t.freshnessMinutes > 0
  );
};

const stopped = (why: string, key: WalletWords["key"]): LogCheck => ({
  state: "paused",
  message: `Anonymous signing is stopped on this device: ${why} This device will not ask for anything to sign with until that is explained. ${PUBLIC_STILL_WORKS}`,
  words: { key },
});

const when = (ms: number) =>
  `${new Date(ms).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" })} UTC`;

/** "Anonymous signing is paused: the independent witness … has not confirmed the public log since …" */
export function witnessPause(name: string, lastConfirmed: number | undefined): string {
  const since = lastConfirmed ? ` since ${when(lastConfirmed)}` : " recently";
  return `Anonymous signing is paused: the independent witness ${name} has not confirmed the public log${since}. This device asks for nothing to sign with until it does, and neither does anyone else's. ${PUBLIC_STILL_WORKS}`;
}

/** The same in the reader's words (the time stays the UTC one, labelled so). */
export const witnessPauseWords = (name: string, lastConfirmed: number | undefined): WalletWords => ({
  key: "signing.pause.witness",
  values: { name, confirmed: lastConfirmed ? "yes" : "no", since: lastConfirmed ?? 0 },
});

function verifierOf(vkey: string, type: number): Verifier | null {
  try {
    const verifier = parseVkey(vkey);
    return verifier.type === type ? verifier : null;
  } catch {
    return null;
  }
}

function proofOf(encoded: string[]): Hash[] | null {
  try {
    return encoded.map((hash) => fromBase64(hash));
  } catch {
    return null;
  }
}

/** Checks the public log as served now; `now` in ms. Throws WalletError when it cannot be read (tried again later). */
export async function checkLog(now: number, fetchLog: LogFetch, pins: PinStore): Promise<LogCheck> {
  const served = await readJson<unknown>(fetchLog, "/api/log/trust", "keys");
  if (!isTrust(served))
    throw new WalletError("The public log's description could not be read: this device tries again later.", {
      key: "signing.log.descriptionUnreadable",
    });
  let pin = await pins.read();
  if (!pin) {
    // First sight: trusted as served (docs/transparency-log.md, "What it does not protect"); from
    // now on it cannot change for this device, and the key ID and witnesses are shown to compare.
    pin = {
      ...served,
      freshnessMinutes: floored(served.freshnessMinutes),
      verified: null,
      lastConfirmed: {},
    };
    await pins.write(pin);
  }
  if (served.origin !== pin.origin || served.logKey !== pin.logKey) {
    return stopped(
      "the server now shows a public log with another name or key than the one this device first saw, so its records could be rewritten without anyone noticing.",
      "signing.pause.renamed",
    );
  }
  const logVerifier = verifierOf(pin.logKey, SIG_ED25519);
  if (!logVerifier)
    return stopped(
      "the public log's key, as this device first saw it, is not one it can check.",
      "signing.pause.badLogKey",
    );
  // Witnesses are never fewer than this device first saw, and freshness never looser.
  const witnessKeys = [...new Set([...pin.witnesses, ...served.witnesses])];
  const witnesses = witnessKeys.map((key) => verifierOf(key, SIG_COSIGNATURE));
  if (witnesses.some((w) => w === null))
    return stopped(
      "the server names an independent witness whose key is not one this device can check.",
      "signing.pause.badWitnessKey",
    );
  const required = witnesses as Verifier[];
  const freshnessMs = floored(Math.min(pin.freshnessMinutes, served.freshnessMinutes)) * 60_000;
  pin = { ...pin, witnesses: witnessKeys, freshnessMinutes: freshnessMs / 60_000 };
  await pins.write(pin);

  const answer = await readJson<KeysAnswer>(fetchLog, "/api/log/keys", "signingKeys");
  if (!answer.checkpoint) {
    const first = required[0];
    return {
      state: "paused",
      message: first
        ? witnessPause(first.name, pin.lastConfirmed[first.name])
        : `Anonymous signing is paused: the public log has not started yet. ${PUBLIC_STILL_WORKS}`,
      words: first
        ? witnessPauseWords(first.name, pin.lastConfirmed[first.name])
        : { key: "signing.pause.notStarted" },
    };
  }
  let body: string;
  let signatures: ReturnType<typeof parseNote>["signatures"];
  let checkpoint: ReturnType<typeof parseCheckpoint>;
  try {
    ({ body, signatures } = parseNote(answer.checkpoint));
    checkpoint = parseCheckpoint(body);
  } catch (error) {
    if (error instanceof NoteError)
      return stopped(
        "what the server shows as the public log's latest state cannot be read.",
        "signing.pause.unreadable",
      );
    throw error;
  }
  const logSignature = signatureBy(signatures, logVerifier);
  if (checkpoint.origin !== pin.origin || !logSignature || !verifySignature(body, logSignature, logVerifier))
    return stopped(
      "the public log's latest state does not carry the log's own signature.",
      "signing.pause.unsigned",
    );

  const lastConfirmed = { ...pin.lastConfirmed };
  let pause: { message: string; words: WalletWords } | null = null;
  for (const witness of required) {
    const signature = signatureBy(signatures, witness);
    const verifies = signature !== undefined && verifySignature(body, signature, witness);
    const time = verifies && signature ? cosignatureTime(signature) * 1000 : null;
    if (time !== null && time <= now + FUTURE_SKEW_MS) {
      lastConfirmed[witness.name] = Math.max(lastConfirmed[witness.name] ?? 0, time);
      if (now - time <= freshnessMs) continue;
    }
    pause ??= {
      message: witnessPause(witness.name, lastConfirmed[witness.name]),
      words: witnessPauseWords(witness.name, lastConfirmed[witness.name]),
    };
  }
  if (pause) {
    await pins.write({ ...pin, lastConfirmed });
    return { state: "paused", ...pause };
  }

  // Append-only: from the last checkpoint this device verified, the log only grows.
  let verified = { size: checkpoint.size, root: toBase64(checkpoint.root) };
  if (pin.verified) {
    const before = { size: pin.verified.size, root: fromBase64(pin.verified.root) };
    const consistent = await consistentWith(fetchLog, before, checkpoint);
    if (!consistent) {
      return stopped(
        "the public log was rewritten: what it shows now does not extend what this device checked before.",
        "signing.pause.rewritten",
      );
    }
    // An older witnessed checkpoint (a witness was added since) is consistent but moves nothing back.
    if (before.size > checkpoint.size) verified = pin.verified;
  }
  await pins.write({ ...pin, lastConfirmed, verified });

  return {
    state: "verified",
    keys: loggedKeys(answer.keys, checkpoint),
    witnessNames: required.map((w) => w.name),
    size: checkpoint.size,
  };
}

async function consistentWith(
  fetchLog: LogFetch,
  before: { size: number; root: Hash },
  now: { size: number; root: Hash },
): Promise<boolean> {
  if (before.size === now.size) return equalHashes(before.root, now.root);
  const [small, large] = before.size < now.size ? [before, now] : [now, before];
  if (small.size === 0) return true;
  const answer = await readJson<{ proof?: string[] }>(
    fetchLog,
    `/api/log/proof/consistency?from=${small.size}&to=${large.size}`,
    "consistency",
  );
  const proof = proofOf(answer.proof ?? []);
  return proof !== null && verifyConsistency(small.size, large.size, proof, small.root, large.root);
}

/**
 * Each scope's key as the checkpoint proves it. A scope served more than once is read at its lowest
 * index (the first key logged for it, as the witnesses hold it); two entries that both verify with
 * different keys disprove the scope: the log holds a second key for it.
 */
function loggedKeys(served: unknown, checkpoint: { size: number; root: Hash }): Map<string, LoggedKey> {
  const byScope = new Map<string, Array<{ index: number; key: LoggedKey }>>();
  for (const item of Array.isArray(served) ? (served as KeysAnswer["keys"]) : []) {
    if (typeof item !== "object" || item === null || typeof item.scope !== "string") continue;
    const index = Number.isSafeInteger(item.index) ? item.index : Number.POSITIVE_INFINITY;
    const found = byScope.get(item.scope) ?? [];
    found.push({ index, key: provedKey(item, checkpoint) });
    byScope.set(item.scope, found);
  }
  const keys = new Map<string, LoggedKey>();
  for (const [scope, found] of byScope) {
    const verified = new Set(
      found.flatMap(({ key }) => (key === "disproved" ? [] : [`${key.fingerprint} ${key.publicKey}`])),
    );
    const first = found.reduce((a, b) => (b.index < a.index ? b : a));
    keys.set(scope, verified.size > 1 ? "disproved" : first.key);
  }
  return keys;
}

function provedKey(item: KeysAnswer["keys"][number], checkpoint: { size: number; root: Hash }): LoggedKey {
  const data = new TextEncoder().encode(item.data);
  let entry: LogEntry;
  try {
    entry = parseEntry(data);
  } catch {
    return "disproved";
  }
  const proof = proofOf(item.proof);
  if (
    entry.type !== "key" ||
    entry.scope !== item.scope ||
    !proof ||
    !Array.isArray(item.proof) ||
    !Number.isSafeInteger(item.index) ||
    item.index < 0 ||
    item.index >= checkpoint.size ||
    !verifyInclusion(leafHash(data), item.index, checkpoint.size, proof, checkpoint.root)
  )
    return "disproved";
  return { fingerprint: entry.fingerprint, publicKey: entry.publicKey };
}

/** Why a petition's signing key is refused for good: it is not the one the public log holds for it. */
export const KEY_NOT_LOGGED =
  "This device was given a signing key for this petition that is not the one in the public log. Someone may be trying to tell your signature apart from your colleagues', so this device will not sign it anonymously. You can still sign it publicly.";

/** The same for a policy's feedback this week. */
export const FEEDBACK_KEY_NOT_LOGGED =
  "This device was given a signing key for this policy's feedback this week that is not the one in the public log. Someone may be trying to tell your feedback apart from your colleagues', so this device will not send it anonymously. You can still send it with your name.";

/** Why a petition's signing key is refused for good: the server now shows another one than this device kept. */
export const KEY_CHANGED =
  "This petition now shows a different signing key from the one this device kept for it. Someone may be trying to tell your signature apart, so this device will not sign it anonymously. You can still sign it publicly.";

export const FEEDBACK_KEY_CHANGED =
  "This policy's feedback now shows a different signing key from the one this device kept for this week. Someone may be trying to tell your feedback apart, so this device will not send it anonymously. You can still send it with your name.";

/** Why nothing is asked for, or spent, with a key this run: the public log has not confirmed it yet. */
export const KEY_NOT_CONFIRMED =
  "This petition's signing key is not yet confirmed in the public log: this device checks again at its next run, within the hour. You can still sign publicly.";

export const FEEDBACK_KEY_NOT_CONFIRMED =
  "This week's signing key for this policy's feedback is not yet confirmed in the public log: this device checks again at its next run, within the hour. You can still send it with your name.";

/** This device's own refusals that stand (the others are the server's, or may change). */
export const KEY_REFUSALS = new Set(["key-changed", "not-in-log"]);

/**
 * Why this device holds no usable signature for a petition, in the reader's words (a catalog key):
 * its own refusals, and the server's "issued-otherwise" (which this device worked out itself);
 * undefined for the server's other refusals, whose message the server worded.
 */
export function petitionRefusalWords(refused: Refusal | null | undefined): WalletWords | undefined {
  switch (refused?.reason) {
    case "not-in-log":
      return { key: "signing.refusal.keyNotLogged" };
    case "key-changed":
      return { key: "signing.refusal.keyChanged" };
    case "not-confirmed":
      return { key: "signing.refusal.keyNotConfirmed" };
    case "issued-otherwise":
      return { key: "signing.refusal.issuedOtherwise" };
    case "key-mismatch":
      return { key: "signing.refusal.keyMismatch" };
    default:
      return undefined;
  }
}

/** The same for a policy's anonymous feedback this week: this device's own refusals of its key. */
export function feedbackRefusalWords(refused: Refusal | null | undefined): WalletWords | undefined {
  switch (refused?.reason) {
    case "not-in-log":
      return { key: "signing.refusal.feedbackKeyNotLogged" };
    case "key-changed":
      return { key: "signing.refusal.feedbackKeyChanged" };
    case "not-confirmed":
      return { key: "signing.refusal.feedbackKeyNotConfirmed" };
    case "key-mismatch":
      return { key: "signing.refusal.keyMismatch" };
    default:
      return undefined;
  }
}

/** unconfirmedKey's answer in the reader's words. */
export function unconfirmedKeyWords(entry: HeldPetition | HeldFeedbackPermission): WalletWords | undefined {
  const petition = entry.kind === "petition";
  if (entry.refused && KEY_REFUSALS.has(entry.refused.reason))
    return petition ? petitionRefusalWords(entry.refused) : feedbackRefusalWords(entry.refused);
  if (!entry.logConfirmed || entry.logConfirmed !== entry.fingerprint)
    return { key: petition ? "signing.refusal.keyNotConfirmed" : "signing.refusal.feedbackKeyNotConfirmed" };
  return undefined;
}

/**
 * Why what this device holds must not be spent anonymously (signing, signing again, sending
 * feedback), or null: its key refused, or not (yet) confirmed by a verified checkpoint of the public
 * log. Decided from what the background run recorded: a click makes no request of its own.
 */
export function unconfirmedKey(entry: HeldPetition | HeldFeedbackPermission): string | null {
  if (entry.refused && KEY_REFUSALS.has(entry.refused.reason)) return entry.refused.message;
  if (!entry.logConfirmed || entry.logConfirmed !== entry.fingerprint)
    return entry.kind === "petition" ? KEY_NOT_CONFIRMED : FEEDBACK_KEY_NOT_CONFIRMED;
  return null;
}

/** A key ID as the log's or a witness's key line shows it (name+ID+key): 8 hex characters. */
export const keyIdHex = (keyId: number) => keyId.toString(16).padStart(8, "0");

/** The key ID in a log's key line, or null when it is not one. */
export function logKeyId(vkey: string): string | null {
  const log = verifierOf(vkey, SIG_ED25519);
  return log ? keyIdHex(log.keyId) : null;
}

/** What this device pinned of the public log, for colleagues to compare: its key ID and witnesses. */
export function pinnedLogSummary(pin: LogPin): { keyId: string; witnesses: string[] } | null {
  const keyId = logKeyId(pin.logKey);
  if (!keyId) return null;
  return {
    keyId,
    witnesses: pin.witnesses.flatMap((key) => verifierOf(key, SIG_COSIGNATURE)?.name ?? []),
  };
}
