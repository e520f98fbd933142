import { clear, createStore, del, entries, get, set } from "idb-keyval";
import {
  finalizeToken,
  fingerprintOf,
  fromBase64url,
  newSignerKey,
  requestToken,
  signAction,
  type TokenRequest,
  toBase64url,
  tokenIdOf,
} from "./blind-tokens";

/**
 * The signer's wallet: what this browser holds of its anonymous acts, in IndexedDB, and nowhere else.
 * The server cannot list it, email it or rebuild it — which is the point: "My petitions" and "My
 * feedback" for anonymous acts are read from here. Losing it loses the ability to withdraw (a token
 * is never issued twice); exporting it moves it to another device. See docs/anonymity.md.
 */

export type PetitionTarget = { id: number; slug: string; publicKey: string; fingerprint: string };

export type Token = { message: string; signature: string; tokenId: string };

export type PetitionToken = {
  kind: "petition";
  petitionId: number;
  slug: string;
  title: string | null;
  publicKey: string;
  /** Pinned: a different key for this petition is refused, never silently accepted. */
  fingerprint: string;
  signer: CryptoKeyPair;
  request: TokenRequest;
  token: Token | null;
  /**
   * unused: held, not spent · pending: sent, waiting for its batch · counted: in the count and the
   * ledger · public: spent on a public signature · refused: the server issues none to this person.
   */
  status: "unused" | "pending" | "counted" | "public" | "refused";
  standing: boolean;
  actionSeq: number;
  /** A withdrawal or re-sign sent and not yet counted: sent again until it is. */
  pendingAction: { action: "withdraw" | "sign"; seq: number; proof: string } | null;
  /** "Why I'm signing", kept only until the signature is counted (it is re-sent with it). */
  reason: string | null;
  receipt: { seq: number; hash: string } | null;
  problem: string | null;
  sentAt: number | null;
};

export type FeedbackToken = {
  kind: "feedback-token";
  scope: string;
  policyId: number;
  publicKey: string;
  fingerprint: string;
  signer: CryptoKeyPair;
  request: TokenRequest;
  token: Token | null;
  used: boolean;
  problem: string | null;
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

type Entry = PetitionToken | FeedbackToken | FeedbackReceipt;

const store = () => createStore("undersigned-wallet", "entries");
const petitionKey = (id: number) => `petition:${id}`;
const feedbackTokenKey = (scope: string) => `feedback-token:${scope}`;
const feedbackKey = (tokenId: string) => `feedback:${tokenId}`;

export class WalletError extends Error {}

async function postJson(
  url: string,
  body: unknown,
  credentials: RequestCredentials,
): Promise<{ status: number; data: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: "POST",
    credentials,
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
  });
  const data = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  return { status: response.status, data };
}

const errorOf = (data: Record<string, unknown>, fallback: string) =>
  typeof data.error === "string" ? data.error : fallback;

export async function petitionToken(petitionId: number): Promise<PetitionToken | undefined> {
  return get<PetitionToken>(petitionKey(petitionId), store());
}

async function savePetitionToken(entry: PetitionToken) {
  await set(petitionKey(entry.petitionId), entry, store());
}

async function checkedFingerprint(publicKey: string, fingerprint: string) {
  if ((await fingerprintOf(publicKey)) !== fingerprint) {
    throw new WalletError("The petition's key does not match its published fingerprint: nothing was sent.");
  }
}

/**
 * This browser's one token for a petition: held already, or fetched now (signed in, with the
 * session's cookie). The blinded request is stored before it is sent, so a lost answer is fetched
 * again with the same request — the server refuses a second, different one.
 */
export function ensurePetitionToken(target: PetitionTarget, title: string | null = null) {
  return oneAtATime(() => fetchPetitionToken(target, title));
}

/**
 * The page and the background worker may both want a petition's token at once: two blinded requests
 * would make the second a refusal (one token per person) and could lose the first. A Web Lock
 * (shared by this origin's pages and workers) makes them take turns.
 */
function oneAtATime<T>(step: () => Promise<T>): Promise<T> {
  return typeof navigator !== "undefined" && navigator.locks
    ? navigator.locks.request("undersigned-wallet-issuance", step).then((result) => result)
    : step();
}

async function fetchPetitionToken(target: PetitionTarget, title: string | null): Promise<PetitionToken> {
  let entry = await petitionToken(target.id);
  if (entry && entry.fingerprint !== target.fingerprint) {
    throw new WalletError(
      "This petition now shows a different key from the one your browser pinned for it. Your browser refuses it: someone may be trying to tell your signature apart. Nothing was sent.",
    );
  }
  if (entry?.token || entry?.status === "refused") return entry;
  if (!entry) {
    await checkedFingerprint(target.publicKey, target.fingerprint);
    const signer = await newSignerKey();
    entry = {
      kind: "petition",
      petitionId: target.id,
      slug: target.slug,
      title,
      publicKey: target.publicKey,
      fingerprint: target.fingerprint,
      signer,
      request: await requestToken(target.publicKey, `petition:${target.id}`, signer),
      token: null,
      status: "unused",
      standing: false,
      actionSeq: 0,
      pendingAction: null,
      reason: null,
      receipt: null,
      problem: null,
      sentAt: null,
    };
    await savePetitionToken(entry);
  }
  const { status, data } = await postJson(
    `/api/petitions/${target.id}/tokens`,
    { blindedMessage: entry.request.blindedMessage },
    "same-origin",
  );
  if (status === 409) {
    entry = { ...entry, status: "refused", problem: errorOf(data, "No token is issued to you here.") };
    await savePetitionToken(entry);
    return entry;
  }
  if (status !== 200 || typeof data.blindSignature !== "string") {
    throw new WalletError(errorOf(data, `The token could not be fetched (${status}).`));
  }
  const signature = await finalizeToken(entry.publicKey, entry.request, data.blindSignature);
  entry = {
    ...entry,
    title: entry.title ?? title,
    token: {
      message: entry.request.message,
      signature,
      tokenId: await tokenIdOf(fromBase64url(entry.request.message)),
    },
  };
  await savePetitionToken(entry);
  return entry;
}

type ServerState = {
  tokenId: string;
  state: "pending" | "counted" | "unknown";
  standing: boolean;
  actionSeq: number;
  receipt: { seq: number; hash: string } | null;
};

function applyState(entry: PetitionToken, state: ServerState): PetitionToken {
  if (state.state === "counted") {
    const actionDone = !entry.pendingAction || state.actionSeq >= entry.pendingAction.seq;
    return {
      ...entry,
      status: "counted",
      standing: state.standing,
      actionSeq: state.actionSeq,
      receipt: state.receipt,
      reason: null,
      pendingAction: actionDone ? null : entry.pendingAction,
      problem: null,
    };
  }
  return { ...entry, status: "pending", standing: state.standing || entry.standing };
}

/** Sends the anonymous signature: no cookie, no session, nothing that names the sender. */
async function sendRedemption(entry: PetitionToken): Promise<PetitionToken> {
  if (!entry.token) throw new WalletError("This browser holds no token for this petition.");
  const { status, data } = await postJson(
    `/api/petitions/${entry.petitionId}/anonymous`,
    { message: entry.token.message, signature: entry.token.signature, reason: entry.reason ?? undefined },
    "omit",
  );
  if (status !== 200 && status !== 202) {
    const refused = { ...entry, problem: errorOf(data, `The signature was refused (${status}).`) };
    await savePetitionToken(refused);
    throw new WalletError(refused.problem ?? "");
  }
  const next = applyState(entry, data as ServerState);
  await savePetitionToken(next);
  return next;
}

/**
 * Signs anonymously with this browser's token: after a short random wait (so the redemption does
 * not follow the page's other requests in a pattern), sent without cookies, then re-sent until its
 * batch counts it.
 */
export async function signAnonymously(target: PetitionTarget, title: string, reason: string | null) {
  const entry = await ensurePetitionToken(target, title);
  if (entry.status === "refused") throw new WalletError(entry.problem ?? "No token is issued to you here.");
  if (entry.status === "public") throw new WalletError("This browser's token signed publicly.");
  const withReason = { ...entry, reason: reason || null, sentAt: Date.now() };
  await savePetitionToken(withReason);
  await new Promise((resolve) => setTimeout(resolve, 500 + Math.random() * 2_500));
  return sendRedemption(withReason);
}

/**
 * Brings a held signature up to date: its state from the server (no cookie), and whatever was not
 * counted yet (a redemption, a withdrawal) sent again — the server may have restarted and forgotten
 * what it held, and durability comes from here.
 */
export async function refreshPetitionToken(petitionId: number): Promise<PetitionToken | undefined> {
  const entry = await petitionToken(petitionId);
  if (!entry?.token || (entry.status !== "pending" && entry.status !== "counted")) return entry;
  const response = await fetch(`/api/petitions/${petitionId}/anonymous/${entry.token.tokenId}`, {
    credentials: "omit",
    headers: { Accept: "application/json" },
  });
  if (!response.ok) return entry;
  const state = (await response.json()) as ServerState;
  if (state.state === "unknown") return sendRedemption(entry);
  let next = applyState(entry, state);
  if (next.pendingAction && state.state === "counted" && state.actionSeq < next.pendingAction.seq) {
    next = await sendAction(next, next.pendingAction);
  }
  await savePetitionToken(next);
  return next;
}

async function sendAction(entry: PetitionToken, action: NonNullable<PetitionToken["pendingAction"]>) {
  if (!entry.token) throw new WalletError("This browser holds no token for this petition.");
  const { status, data } = await postJson(
    `/api/petitions/${entry.petitionId}/anonymous/${entry.token.tokenId}`,
    action,
    "omit",
  );
  if (status !== 202) {
    const refused = { ...entry, pendingAction: null, problem: errorOf(data, `Refused (${status}).`) };
    await savePetitionToken(refused);
    throw new WalletError(refused.problem ?? "");
  }
  const next: PetitionToken = { ...entry, status: "pending", pendingAction: action, problem: null };
  await savePetitionToken(next);
  return next;
}

/** Withdraws the anonymous signature, or signs with the token again: signed by the signer key. */
export async function actOnSignature(petitionId: number, action: "withdraw" | "sign") {
  const entry = await petitionToken(petitionId);
  if (!entry?.token || entry.status !== "counted") {
    throw new WalletError("This browser holds no counted anonymous signature for this petition.");
  }
  const seq = entry.actionSeq + 1;
  const proof = await signAction(entry.signer.privateKey, entry.token.tokenId, action, seq);
  return sendAction(entry, { action, seq, proof });
}

/**
 * The token to spend on a public signature, fetched now if the background worker has not yet (the
 * server refuses a public signature without it from a person who holds one).
 */
export async function prepareTokenForPublicSigning(target: PetitionTarget): Promise<Token | null> {
  const entry = await ensurePetitionToken(target);
  return entry.status === "unused" && entry.token ? entry.token : null;
}

export async function markSignedPublicly(petitionId: number) {
  const entry = await petitionToken(petitionId);
  if (entry?.token && entry.status === "unused") await savePetitionToken({ ...entry, status: "public" });
}

// --- Feedback ---------------------------------------------------------------------------------

type FeedbackKeyView = { scope: string; publicKey: string; fingerprint: string };

/** This week's feedback token for a policy, fetched signed in (in the background, for every policy). */
export function ensureFeedbackToken(policyId: number): Promise<FeedbackToken> {
  return oneAtATime(() => fetchFeedbackToken(policyId));
}

async function fetchFeedbackToken(policyId: number): Promise<FeedbackToken> {
  const keyResponse = await fetch(`/api/policies/${policyId}/feedback-token`, {
    credentials: "omit",
    headers: { Accept: "application/json" },
  });
  if (!keyResponse.ok) throw new WalletError("The policy's feedback key could not be read.");
  const key = (await keyResponse.json()) as FeedbackKeyView;
  let entry = await get<FeedbackToken>(feedbackTokenKey(key.scope), store());
  if (entry && entry.fingerprint !== key.fingerprint) {
    throw new WalletError("The policy's feedback key changed: your browser refuses it. Nothing was sent.");
  }
  if (entry?.token || entry?.problem) return entry;
  if (!entry) {
    await checkedFingerprint(key.publicKey, key.fingerprint);
    const signer = await newSignerKey();
    entry = {
      kind: "feedback-token",
      scope: key.scope,
      policyId,
      publicKey: key.publicKey,
      fingerprint: key.fingerprint,
      signer,
      request: await requestToken(key.publicKey, key.scope, signer),
      token: null,
      used: false,
      problem: null,
    };
    await set(feedbackTokenKey(key.scope), entry, store());
  }
  const { status, data } = await postJson(
    `/api/policies/${policyId}/feedback-token`,
    { blindedMessage: entry.request.blindedMessage },
    "same-origin",
  );
  if (status === 409) {
    entry = { ...entry, problem: errorOf(data, "No token is issued to you this week.") };
    await set(feedbackTokenKey(key.scope), entry, store());
    return entry;
  }
  if (status !== 200 || typeof data.blindSignature !== "string") {
    throw new WalletError(errorOf(data, `The feedback token could not be fetched (${status}).`));
  }
  const signature = await finalizeToken(entry.publicKey, entry.request, data.blindSignature);
  entry = {
    ...entry,
    token: {
      message: entry.request.message,
      signature,
      tokenId: await tokenIdOf(fromBase64url(entry.request.message)),
    },
  };
  await set(feedbackTokenKey(key.scope), entry, store());
  return entry;
}

async function sendFeedbackReceipt(receipt: FeedbackReceipt): Promise<FeedbackReceipt> {
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
  if (status !== 200 && status !== 202) throw new WalletError(errorOf(data, `Refused (${status}).`));
  const next: FeedbackReceipt = { ...receipt, status: data.state === "stored" ? "stored" : "pending" };
  await set(feedbackKey(receipt.tokenId), next, store());
  return next;
}

/** Sends feedback with no author: this week's token, a fresh secret for the replies, no cookie. */
export async function sendFeedbackAnonymously(
  policy: { id: number; slug: string; title: string },
  input: { body: string; rating: number | null },
): Promise<FeedbackReceipt> {
  const token = await ensureFeedbackToken(policy.id);
  if (!token.token) throw new WalletError(token.problem ?? "No feedback token this week.");
  if (token.used) {
    throw new WalletError(
      "You have sent this policy anonymous feedback this week already: one a week, so that nobody can flood it without a name.",
    );
  }
  const receipt: FeedbackReceipt = {
    kind: "feedback",
    tokenId: token.token.tokenId,
    policyId: policy.id,
    policySlug: policy.slug,
    policyTitle: policy.title,
    secret: toBase64url(crypto.getRandomValues(new Uint8Array(32))),
    body: input.body,
    rating: input.rating,
    message: token.token.message,
    signature: token.token.signature,
    status: "pending",
    sentOn: new Date().toISOString().slice(0, 10),
  };
  await set(feedbackKey(receipt.tokenId), receipt, store());
  await new Promise((resolve) => setTimeout(resolve, 500 + Math.random() * 2_500));
  try {
    const sent = await sendFeedbackReceipt(receipt);
    await set(feedbackTokenKey(token.scope), { ...token, used: true }, store());
    return sent;
  } catch (error) {
    if (error instanceof WalletError) {
      // Refused (empty, too long, …): nothing was held, so the week's token stays unspent.
      await del(feedbackKey(receipt.tokenId), store());
    } else {
      // Lost on the way: it may be held; My feedback sends it again with the same secret.
      await set(feedbackTokenKey(token.scope), { ...token, used: true }, store());
    }
    throw error;
  }
}

/** Re-sends what is still pending; feedback that was stored keeps only its secret's use. */
export async function refreshFeedback(receipt: FeedbackReceipt): Promise<FeedbackReceipt> {
  if (receipt.status === "stored") return receipt;
  return sendFeedbackReceipt(receipt);
}

// --- The whole wallet -------------------------------------------------------------------------

export async function walletEntries(): Promise<Entry[]> {
  return (await entries<string, Entry>(store())).map(([, value]) => value);
}

/** Forgets every token and receipt on this device (a shared computer, someone demanding to look). */
export async function forgetWallet() {
  await clear(store());
}

export async function forgetPetition(petitionId: number) {
  await del(petitionKey(petitionId), store());
}

type ExportedKeys = { publicKey: JsonWebKey; privateKey: JsonWebKey };
type Exported = { format: "undersigned-wallet/1"; entries: Array<Record<string, unknown>> };

const exportKeys = async (pair: CryptoKeyPair): Promise<ExportedKeys> => ({
  publicKey: await crypto.subtle.exportKey("jwk", pair.publicKey),
  privateKey: await crypto.subtle.exportKey("jwk", pair.privateKey),
});

const importKeys = async (keys: ExportedKeys): Promise<CryptoKeyPair> => ({
  publicKey: await crypto.subtle.importKey(
    "jwk",
    keys.publicKey,
    { name: "ECDSA", namedCurve: "P-256" },
    true,
    ["verify"],
  ),
  privateKey: await crypto.subtle.importKey(
    "jwk",
    keys.privateKey,
    { name: "ECDSA", namedCurve: "P-256" },
    true,
    ["sign"],
  ),
});

/** Everything this browser holds, as one code to carry to another device (it can withdraw: keep it safe). */
export async function exportWallet(): Promise<string> {
  const all = await walletEntries();
  const exported: Exported = {
    format: "undersigned-wallet/1",
    entries: await Promise.all(
      all.map(async (entry) =>
        "signer" in entry ? { ...entry, signer: await exportKeys(entry.signer) } : { ...entry },
      ),
    ),
  };
  return toBase64url(new TextEncoder().encode(JSON.stringify(exported)));
}

const keyOf = (entry: Entry) =>
  entry.kind === "petition"
    ? petitionKey(entry.petitionId)
    : entry.kind === "feedback-token"
      ? feedbackTokenKey(entry.scope)
      : feedbackKey(entry.tokenId);

/** Adds an exported wallet's entries; one this browser already holds with a token is kept. */
export async function importWallet(code: string): Promise<number> {
  let parsed: Exported;
  try {
    parsed = JSON.parse(new TextDecoder().decode(fromBase64url(code.trim()))) as Exported;
  } catch {
    throw new WalletError("This is not a code exported from Undersigned.");
  }
  if (parsed?.format !== "undersigned-wallet/1" || !Array.isArray(parsed.entries)) {
    throw new WalletError("This is not a code exported from Undersigned.");
  }
  let added = 0;
  for (const raw of parsed.entries) {
    const entry = (
      raw.signer ? { ...raw, signer: await importKeys(raw.signer as ExportedKeys) } : raw
    ) as Entry;
    if (!["petition", "feedback-token", "feedback"].includes(entry.kind)) continue;
    const existing = await get<Entry>(keyOf(entry), store());
    if (existing && (!("token" in existing) || existing.token)) continue;
    await set(keyOf(entry), entry, store());
    added++;
  }
  return added;
}
