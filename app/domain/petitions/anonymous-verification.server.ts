import { createHash } from "node:crypto";
import { verifyToken } from "../../platform/anonymity/blind-signatures.server";
import { parseTokenMessage, petitionScope } from "../../platform/anonymity/token-messages";

/**
 * Checking a petition's anonymous signatures as anyone can, from what its API publishes: each token
 * is a valid blind signature of the petition's public key on a message for this petition, its id is
 * the hash of its message, no token counts twice, the standing ones are as many as the count says, and
 * the tokens redeemed anonymously and those spent on standing public signatures are no more than were
 * issued (`npm run cli -- verify-anonymous`).
 */
export type PublishedAnonymous = {
  tokenId: string;
  message: string | null;
  signature: string | null;
  standing: boolean;
};

export type AnonymousCheck = {
  ok: boolean;
  checked: number;
  standing: number;
  /** Signatures from before tokens existed (docs/anonymity.md): counted, without a token to check. */
  legacy: number;
  problems: string[];
};

export function checkAnonymousSignatures(
  petitionId: number,
  publicKey: string | null,
  signatures: PublishedAnonymous[],
  expected?: { anonymous: number; tokensIssued?: number; publicWithToken?: number },
): AnonymousCheck {
  const problems: string[] = [];
  const seen = new Set<string>();
  let standing = 0;
  let legacy = 0;
  for (const s of signatures) {
    if (seen.has(s.tokenId)) problems.push(`token ${s.tokenId} is listed twice`);
    seen.add(s.tokenId);
    if (s.standing) standing++;
    if (s.message === null && s.signature === null) {
      legacy++;
      continue;
    }
    // From before tokens means neither; a message without its signature (or the reverse) is a
    // token nobody can check, never a pre-token signature.
    if (s.message === null || s.signature === null) {
      problems.push(
        `token ${s.tokenId}: it is listed with ${s.message === null ? "a signature but no message" : "a message but no signature"}, so nothing backs it`,
      );
      continue;
    }
    const message = Buffer.from(s.message, "base64url");
    if (createHash("sha256").update(message).digest("hex") !== s.tokenId) {
      problems.push(`token ${s.tokenId}: its id is not the hash of its message`);
    }
    if (parseTokenMessage(message)?.scope !== petitionScope(petitionId)) {
      problems.push(`token ${s.tokenId}: its message is not for this petition`);
    }
    if (!publicKey || !verifyToken(publicKey, message, Buffer.from(s.signature, "base64url"))) {
      problems.push(`token ${s.tokenId}: its signature does not verify against the petition's key`);
    }
  }
  if (expected && standing !== expected.anonymous) {
    problems.push(`${standing} standing anonymous signatures listed, the count says ${expected.anonymous}`);
  }
  // Every token is spent once, anonymously or on a public signature: together they never exceed the
  // tokens issued.
  const spent = signatures.length - legacy + (expected?.publicWithToken ?? 0);
  if (expected?.tokensIssued !== undefined && spent > expected.tokensIssued) {
    problems.push(
      `${signatures.length - legacy} tokens redeemed anonymously and ${expected.publicWithToken ?? 0} spent on public signatures, but only ${expected.tokensIssued} were issued`,
    );
  }
  return { ok: problems.length === 0, checked: signatures.length, standing, legacy, problems };
}
