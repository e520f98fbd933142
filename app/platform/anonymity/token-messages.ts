import { DAY_MS } from "../time";

/**
 * The texts a blind token and its actions sign, shared by the server and the signer's browser:
 * changing one is a new protocol version.
 *
 * - token message: `undersigned/v1/<scope>/<signer key>`, prepared (RFC 9474: 32 random bytes in
 *   front) before it is blinded; the signer key is the raw P-256 public key, base64url.
 * - action message: `undersigned/v1/action/<token id>/<withdraw|sign>/<seq>`, signed (ECDSA P-256,
 *   SHA-256) by the signer key; `seq` counts the token's actions, so an old one cannot be replayed.
 */
export const TOKEN_PROTOCOL = "undersigned/v1";
export const PREFIX_BYTES = 32;

export const petitionScope = (petitionId: number) => `petition:${petitionId}`;
export const feedbackScope = (policyId: number, week: string) => `feedback:${policyId}:${week}`;

export const tokenMessage = (scope: string, signerKey: string) => `${TOKEN_PROTOCOL}/${scope}/${signerKey}`;
export const actionMessage = (tokenId: string, action: "withdraw" | "sign", seq: number) =>
  `${TOKEN_PROTOCOL}/action/${tokenId}/${action}/${seq}`;

const SIGNER_KEY = /^[A-Za-z0-9_-]{87}$/; // 65 bytes (an uncompressed P-256 point), base64url
const SCOPE = /^(petition:\d{1,12}|feedback:\d{1,12}:\d{4}-W\d{2})$/;

/** The scope and signer key a prepared token message commits to, or null when it is not one of ours. */
export function parseTokenMessage(prepared: Uint8Array): { scope: string; signerKey: string } | null {
  if (prepared.length <= PREFIX_BYTES || prepared.length > PREFIX_BYTES + 200) return null;
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(prepared.subarray(PREFIX_BYTES));
  } catch {
    return null;
  }
  if (!text.startsWith(`${TOKEN_PROTOCOL}/`)) return null;
  const rest = text.slice(TOKEN_PROTOCOL.length + 1);
  const cut = rest.lastIndexOf("/");
  const scope = rest.slice(0, cut);
  const signerKey = rest.slice(cut + 1);
  return SCOPE.test(scope) && SIGNER_KEY.test(signerKey) ? { scope, signerKey } : null;
}

/** The ISO week a date falls in, "2026-W49": anonymous feedback's tokens are one per policy per week. */
export function isoWeek(ms: number): string {
  const at = new Date(ms);
  const day = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  const monday0 = (new Date(day).getUTCDay() + 6) % 7;
  // The week belongs to the year its Thursday falls in.
  const thursday = day + (3 - monday0) * DAY_MS;
  const year = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return `${year}-W${String(week).padStart(2, "0")}`;
}
