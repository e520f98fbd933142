import { fromBase64url, hex, utf8 } from "./bytes";

/**
 * Replies to anonymous policy feedback, read without asking the server about any one item (issue 23,
 * "No request names a signer"). The server publishes one digest for everyone,
 * `GET /api/feedback/replies/recent`: `[lookup, ciphertext]` per anonymous item with an owner's reply
 * in the last 90 days. Only whoever holds the item's receipt code can find and open its entry:
 *
 * - secretHash = SHA-256("feedback-secret:" + receipt code), hex — what the server stores
 *   (policy_feedback.reply_secret_hash, `secretHashOf` in anonymous-feedback.server.ts);
 * - lookup = the first 16 hex characters of SHA-256("undersigned/v1/feedback-lookup:" + secretHash);
 * - key = HKDF-SHA256(the 32 bytes of secretHash, no salt, info "undersigned/v1/feedback-replies-key"),
 *   AES-256-GCM; ciphertext = base64url(12-byte IV ‖ ciphertext ‖ tag).
 *
 * Isomorphic (WebCrypto): the browser's My feedback and receipt page, and the tests, in Node.
 */

export const LOOKUP_PREFIX = "undersigned/v1/feedback-lookup:";
export const KEY_INFO = "undersigned/v1/feedback-replies-key";
export const REPLIES_DIGEST_PATH = "/api/feedback/replies/recent";

/** What an entry holds once opened: times to the day only. */
export type FeedbackRepliesEntry = {
  policyTitle: string;
  policySlug: string;
  body: string;
  rating: number | null;
  /** YYYY-MM-DD, the day the feedback was sent. */
  sentOn: string;
  /** The owners' replies, oldest first: sanitized HTML and the day (YYYY-MM-DD) it was written. */
  replies: Array<{ bodyHtml: string; at: string }>;
};

export type FeedbackRepliesDigest = { entries: Array<[string, string]> };

const sha256Hex = async (text: string) =>
  hex(new Uint8Array(await crypto.subtle.digest("SHA-256", utf8(text))));

/** What the server stores for a receipt code: SHA-256("feedback-secret:" + code), hex. */
export const secretHashOfCode = (code: string) => sha256Hex(`feedback-secret:${code}`);

/** The entry's place in the digest: 16 hex characters, random to anyone without the code. */
export const repliesLookupOf = async (secretHash: string) =>
  (await sha256Hex(`${LOOKUP_PREFIX}${secretHash}`)).slice(0, 16);

async function repliesKeyOf(secretHash: string): Promise<CryptoKey> {
  const bytes = Uint8Array.from(secretHash.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
  const base = await crypto.subtle.importKey("raw", bytes, "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: utf8(KEY_INFO) },
    base,
    { name: "AES-GCM", length: 256 },
    false,
    ["decrypt"],
  );
}

/** Opens one entry with its item's secretHash; null when it is not this item's (or was altered). */
export async function openRepliesEntry(
  secretHash: string,
  ciphertext: string,
): Promise<FeedbackRepliesEntry | null> {
  try {
    const sealed = fromBase64url(ciphertext);
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: sealed.slice(0, 12) },
      await repliesKeyOf(secretHash),
      sealed.slice(12),
    );
    return JSON.parse(new TextDecoder().decode(plain)) as FeedbackRepliesEntry;
  } catch {
    return null;
  }
}

/** The entry of the item with this receipt code in the digest, opened on this device; or null. */
export async function findReplies(
  digest: FeedbackRepliesDigest,
  code: string,
): Promise<FeedbackRepliesEntry | null> {
  const secretHash = await secretHashOfCode(code.trim());
  const lookup = await repliesLookupOf(secretHash);
  for (const [place, ciphertext] of digest.entries) {
    if (place !== lookup) continue;
    const entry = await openRepliesEntry(secretHash, ciphertext);
    if (entry) return entry;
  }
  return null;
}

/** Downloads the digest: without cookies, the same for everyone who opens the page. */
export async function downloadRepliesDigest(): Promise<FeedbackRepliesDigest> {
  const response = await fetch(REPLIES_DIGEST_PATH, {
    credentials: "omit",
    headers: { Accept: "application/json" },
  });
  if (!response.ok) throw new Error(`The replies could not be read (${response.status}).`);
  return (await response.json()) as FeedbackRepliesDigest;
}
