import { p256 } from "@noble/curves/nist.js";
import { parseTokenMessage, tokenMessage } from "../platform/anonymity/token-messages";
import { fingerprintOf, tokenIdOf } from "./blind-tokens";
import { fromBase64url, hex, toBase64url, utf8 } from "./bytes";
import {
  blind,
  bytesToInt,
  finalize,
  intToBytes,
  PREFIX_LEN,
  prepare,
  rsaPublicKey,
  SALT_LEN,
} from "./rsabssa";

/**
 * A person's anonymous signatures derived from their wallet secret (ADR 0038): 16 random bytes held
 * by their devices (and, wrapped by a passkey, by the server, which cannot open it). For a scope
 * (`petition:<id>`, `feedback:<policyId>:<week>`) and issuer key, HKDF-SHA256 of the secret gives
 * everything RFC 9474's randomized variant draws — the message prefix, the PSS salt, the blinding
 * factor — and the P-256 signer key the message commits to. So every device holding the secret
 * rebuilds the same blinded message and gets the same blind signature back, and the server need keep
 * only a hash of it. Isomorphic: WebCrypto and BigInt, in the browser and in Node (the demo, the
 * tests, the benchmark). The public point of the derived signer key comes from @noble/curves (p256):
 * WebCrypto imports a P-256 private key only with its public point.
 */

export const RECOVERY_CODE_LENGTH = 26;
const SECRET_BYTES = 16;
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/** The order of P-256's group. */
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const SIGNER_SEED_BYTES = 48;
/** Extra bytes drawn for r beyond the modulus, so r mod n is uniform to within 2⁻²⁵⁶. */
const R_EXTRA_BYTES = 32;

async function hkdf(
  ikm: Uint8Array<ArrayBuffer>,
  info: string,
  bytes: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const key = await crypto.subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: utf8(info) },
    key,
    bytes * 8,
  );
  return new Uint8Array(bits);
}

const ownCopy = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => Uint8Array.from(bytes);

function checkSecret(secret: Uint8Array) {
  if (secret.length !== SECRET_BYTES) throw new Error(`a wallet secret is ${SECRET_BYTES} bytes`);
}

/** 16 random bytes: a new person's wallet secret. */
export function newWalletSecret(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(SECRET_BYTES));
}

/** The secret as a recovery code: Crockford base32, 26 characters, grouped 5-5-5-5-6. */
export function recoveryCodeOf(secret: Uint8Array): string {
  checkSecret(secret);
  // 128 bits and two zero bits make 26 five-bit characters.
  const value = bytesToInt(secret) << 2n;
  let code = "";
  for (let i = RECOVERY_CODE_LENGTH - 1; i >= 0; i--) {
    code += CROCKFORD[Number((value >> BigInt(i * 5)) & 31n)];
  }
  return [0, 5, 10, 15, 20].map((at) => code.slice(at, at === 20 ? undefined : at + 5)).join("-");
}

/**
 * The secret a recovery code spells, or null when it is not one: lower case, spaces and hyphens are
 * fine, I and L read as 1, O as 0.
 */
export function secretFromRecoveryCode(code: string): Uint8Array | null {
  const cleaned = code.toUpperCase().replace(/[\s-]/g, "").replace(/[IL]/g, "1").replace(/O/g, "0");
  if (cleaned.length !== RECOVERY_CODE_LENGTH) return null;
  let value = 0n;
  for (const char of cleaned) {
    const digit = CROCKFORD.indexOf(char);
    if (digit < 0) return null;
    value = (value << 5n) | BigInt(digit);
  }
  if (value & 3n) return null; // the two padding bits are zero in every code we print
  return intToBytes(value >> 2n, SECRET_BYTES);
}

/** What the server keeps to know the person has a wallet and to catch a mistyped code: 32 hex chars. */
export async function walletCheckOf(secret: Uint8Array): Promise<string> {
  checkSecret(secret);
  return hex(await hkdf(ownCopy(secret), "undersigned/v1/wallet-check", 16));
}

export type IssuerKey = { publicKey: string /* SPKI DER b64url */; fingerprint: string /* hex */ };
export type DerivedRequest = {
  scope: string;
  /** The prepared message (derived prefix, then the token message), base64url. */
  message: string;
  /** What the issuer signs without seeing the message, base64url. */
  blindedMessage: string;
  /** The blinding inverse, base64url. */
  inverse: string;
  /** The raw P-256 public point of the derived signer key, base64url. */
  signerKey: string;
  /** SHA-256 of the prepared message, hex: the token's pseudonym in the ledger. */
  tokenId: string;
};

type Derived = { prefix: Uint8Array; salt: Uint8Array; signerScalar: bigint; rBytes: Uint8Array };

/**
 * One HKDF-SHA256 output (no salt; info `undersigned/v1/token/<scope>/<fingerprint>`), cut in order
 * into the message prefix (32 bytes), the PSS salt (48), the signer scalar's seed (48) and r's bytes
 * (the modulus length + 32). Every device must cut it alike: changing any of it is a new protocol
 * version, and people's existing tokens would no longer be rebuilt.
 */
async function derive(secret: Uint8Array, scope: string, issuer: IssuerKey, modulusBytes: number) {
  checkSecret(secret);
  if ((await fingerprintOf(issuer.publicKey)) !== issuer.fingerprint.toLowerCase()) {
    throw new Error("the issuer key's fingerprint does not match the key");
  }
  const rLength = modulusBytes + R_EXTRA_BYTES;
  const out = await hkdf(
    ownCopy(secret),
    `undersigned/v1/token/${scope}/${issuer.fingerprint.toLowerCase()}`,
    PREFIX_LEN + SALT_LEN + SIGNER_SEED_BYTES + rLength,
  );
  let at = 0;
  const take = (length: number) => {
    at += length;
    return out.subarray(at - length, at);
  };
  const derived: Derived = {
    prefix: take(PREFIX_LEN),
    salt: take(SALT_LEN),
    signerScalar: (bytesToInt(take(SIGNER_SEED_BYTES)) % (P256_N - 1n)) + 1n,
    rBytes: take(rLength),
  };
  return derived;
}

const issuerKey = (issuer: IssuerKey) => rsaPublicKey(fromBase64url(issuer.publicKey), issuer.publicKey);

/**
 * Why a device should not use an issuer's key, or null: every petition's and policy's key is RSA, 2048
 * bits, exponent 65537 (platform/blind-signatures.server.ts), so an odd one — a way to tell one
 * person's signature apart — is refused before anything is derived for it.
 */
export async function issuerKeyProblem(issuer: IssuerKey): Promise<string | null> {
  const pk = await issuerKey(issuer).catch(() => null);
  if (!pk) return "it is not an RSA public key";
  return pk.bits === 2048 && pk.e === 65_537n ? null : "it is not a 2048-bit RSA key with exponent 65537";
}

function signerPoint(scalar: bigint): Uint8Array {
  return p256.getPublicKey(intToBytes(scalar, 32), false);
}

/** The request for one scope, the same on every device holding the secret. */
export async function deriveRequest(
  secret: Uint8Array,
  scope: string,
  issuer: IssuerKey,
): Promise<DerivedRequest> {
  const pk = await issuerKey(issuer);
  const { prefix, salt, signerScalar, rBytes } = await derive(secret, scope, issuer, pk.bytes);
  const signerKey = toBase64url(signerPoint(signerScalar));
  const prepared = prepare(prefix, utf8(tokenMessage(scope, signerKey)));
  if (!parseTokenMessage(prepared)) throw new Error(`not a scope anonymous signing knows: ${scope}`);
  // r uniform in [1, n): the RFC's random_integer_uniform(1, n), from derived bytes.
  const r = (bytesToInt(rBytes) % (pk.n - 1n)) + 1n;
  const { blindedMessage, inverse } = await blind(pk, prepared, salt, r);
  return {
    scope,
    message: toBase64url(prepared),
    blindedMessage: toBase64url(blindedMessage),
    inverse: toBase64url(inverse),
    signerKey,
    tokenId: await tokenIdOf(prepared),
  };
}

/** The derived signer key for one scope (ECDSA P-256), for signing the token's actions. */
export async function deriveSignerKey(
  secret: Uint8Array,
  scope: string,
  issuer: IssuerKey,
): Promise<CryptoKeyPair> {
  const pk = await issuerKey(issuer);
  const { signerScalar } = await derive(secret, scope, issuer, pk.bytes);
  const point = signerPoint(signerScalar);
  const jwk = {
    kty: "EC",
    crv: "P-256",
    x: toBase64url(point.subarray(1, 33)),
    y: toBase64url(point.subarray(33, 65)),
  };
  const algorithm = { name: "ECDSA", namedCurve: "P-256" };
  return {
    privateKey: await crypto.subtle.importKey(
      "jwk",
      { ...jwk, d: toBase64url(intToBytes(signerScalar, 32)) },
      algorithm,
      false,
      ["sign"],
    ),
    publicKey: await crypto.subtle.importKey("jwk", jwk, algorithm, true, ["verify"]),
  };
}

/**
 * The token's signature from the issuer's blind signature, checked against the issuer's key: throws
 * when it does not verify (a server that signed with another key, or answered garbage).
 */
export async function finalizeDerived(
  issuer: IssuerKey,
  request: DerivedRequest,
  blindSignature: string,
): Promise<string> {
  const pk = await issuerKey(issuer);
  const signature = await finalize(
    pk,
    fromBase64url(request.message),
    fromBase64url(blindSignature),
    fromBase64url(request.inverse),
  );
  return toBase64url(signature);
}

/** The WebAuthn PRF input: SHA-256 of UTF-8 "undersigned/v1/wallet-prf" (a test checks it). */
export const PRF_SALT: Uint8Array = Uint8Array.from(
  "8cec602ae3be4096916b94eb0881372a20e856760ef4d82858ee5c597b226234".match(/../g) ?? [],
  (pair) => Number.parseInt(pair, 16),
);

const WRAP_IV_BYTES = 12;
const WRAP_AAD = utf8("undersigned/v1/wallet-secret");

async function wrapKey(prfOutput: Uint8Array) {
  if (prfOutput.length < 32) throw new Error("a passkey's PRF output is 32 bytes");
  const raw = await hkdf(ownCopy(prfOutput), "undersigned/v1/wallet-wrap", 32);
  return crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
}

/** The secret sealed (AES-256-GCM under a key derived from the passkey's PRF output), base64url. */
export async function wrapSecret(secret: Uint8Array, prfOutput: Uint8Array): Promise<string> {
  checkSecret(secret);
  const iv = crypto.getRandomValues(new Uint8Array(WRAP_IV_BYTES));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: WRAP_AAD },
    await wrapKey(prfOutput),
    ownCopy(secret),
  );
  const out = new Uint8Array(WRAP_IV_BYTES + sealed.byteLength);
  out.set(iv);
  out.set(new Uint8Array(sealed), WRAP_IV_BYTES);
  return toBase64url(out);
}

/** The secret back from its sealed form; throws when this PRF output did not seal it. */
export async function unwrapSecret(wrapped: string, prfOutput: Uint8Array): Promise<Uint8Array> {
  const bytes = fromBase64url(wrapped);
  if (bytes.length !== WRAP_IV_BYTES + SECRET_BYTES + 16) throw new Error("not a sealed wallet secret");
  let opened: ArrayBuffer;
  try {
    opened = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: bytes.subarray(0, WRAP_IV_BYTES), additionalData: WRAP_AAD },
      await wrapKey(prfOutput),
      bytes.subarray(WRAP_IV_BYTES),
    );
  } catch {
    throw new Error("this passkey did not seal this wallet secret");
  }
  return new Uint8Array(opened);
}

/** A receipt short enough to read aloud: the token id's first 10 hex characters, "7f3a9-2c10b". */
export function receiptOf(tokenId: string): string {
  const id = tokenId.toLowerCase();
  if (!/^[0-9a-f]{10}/.test(id)) throw new Error("not a token id");
  return `${id.slice(0, 5)}-${id.slice(5, 10)}`;
}
