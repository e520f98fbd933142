import { actionMessage, tokenMessage } from "../platform/anonymity/token-messages";
import { fromBase64url, hex, toBase64url } from "./bytes";
import { blind, bytesToInt, finalize, PREFIX_LEN, prepare, rsaPublicKey, SALT_LEN } from "./rsabssa";

/**
 * The signer's side of an anonymous signature (RFC 9474 RSABSSA-SHA384-PSS-Randomized, our own
 * implementation of §4 in rsabssa.ts), with WebCrypto and BigInt: it runs in the browser (a Web Worker, app/browser/token-worker.ts) and in Node (the demo
 * seed and the tests sign through the same protocol). The token's message commits to a signer key
 * whose private half never leaves the signer's device: withdrawing or signing again is a signature by
 * it, so the server cannot forge one.
 */

export { fromBase64url, toBase64url };

export async function fingerprintOf(publicKeySpki: string): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", fromBase64url(publicKeySpki)));
}

/** The token's id: SHA-256 of its (prepared) message, hex — its pseudonym in the ledger. */
export async function tokenIdOf(message: Uint8Array<ArrayBuffer>): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", message));
}

/** The signer's key pair, ECDSA P-256; extractable so the signer can move it to another device. */
export function newSignerKey(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
}

const importIssuerKey = (publicKeySpki: string) => rsaPublicKey(fromBase64url(publicKeySpki), publicKeySpki);

export type TokenRequest = {
  /** The prepared message (32 random bytes, then the token message), base64url. */
  message: string;
  /** What the issuer signs without seeing the message, base64url. */
  blindedMessage: string;
  /** The blinding inverse, kept until the blind signature comes back, base64url. */
  inverse: string;
};

/**
 * Step 1: the message for this petition and signer key, prepared and blinded for the issuer's key,
 * with fresh random values (a wallet secret's requests are derived instead: derived-tokens.ts).
 */
export async function requestToken(
  issuerPublicKey: string,
  scope: string,
  signer: CryptoKeyPair,
): Promise<TokenRequest> {
  const signerKey = toBase64url(new Uint8Array(await crypto.subtle.exportKey("raw", signer.publicKey)));
  const pk = await importIssuerKey(issuerPublicKey);
  const random = (length: number) => crypto.getRandomValues(new Uint8Array(length));
  const prepared = prepare(random(PREFIX_LEN), new TextEncoder().encode(tokenMessage(scope, signerKey)));
  const r = (bytesToInt(random(pk.bytes + 32)) % (pk.n - 1n)) + 1n;
  const { blindedMessage, inverse } = await blind(pk, prepared, random(SALT_LEN), r);
  return {
    message: toBase64url(prepared),
    blindedMessage: toBase64url(blindedMessage),
    inverse: toBase64url(inverse),
  };
}

/**
 * Step 2: the token's signature from the issuer's blind signature. finalize checks the result
 * against the issuer's public key, so a server that signed with another key (to tag this signer) or
 * returned garbage is caught here.
 */
export async function finalizeToken(issuerPublicKey: string, request: TokenRequest, blindSignature: string) {
  const signature = await finalize(
    await importIssuerKey(issuerPublicKey),
    fromBase64url(request.message),
    fromBase64url(blindSignature),
    fromBase64url(request.inverse),
  );
  return toBase64url(signature);
}

/** A signer's authorization of one action on their token ("withdraw", "sign"), numbered `seq`. */
export async function signAction(
  signer: CryptoKey,
  tokenId: string,
  action: "withdraw" | "sign",
  seq: number,
): Promise<string> {
  const proof = await crypto.subtle.sign(
    { name: "ECDSA", hash: "SHA-256" },
    signer,
    new TextEncoder().encode(actionMessage(tokenId, action, seq)),
  );
  return toBase64url(new Uint8Array(proof));
}
