import { fromBase64url } from "./bytes";
/**
 * RFC 9474 §4, RSABSSA-SHA384-PSS-Randomized, the client's steps (prepare, blind, finalize) with
 * BigInt and WebCrypto, in the browser and in Node alike. The random values the RFC draws — the
 * 32-byte message prefix, the 48-byte PSS salt and the blinding factor r — are arguments here, so a
 * caller can derive them from a secret (app/browser/derived-tokens.ts) and rebuild the same request on
 * any device. Checked against the RFC's test vectors (test/unit/derived-tokens.test.ts); ADR 0038 says
 * why this replaces @cloudflare/blindrsa-ts, which draws its randomness itself.
 */

export const PREFIX_LEN = 32;
export const SALT_LEN = 48;
const H_LEN = 48; // SHA-384

export type RsaPublicKey = {
  key: CryptoKey;
  n: bigint;
  e: bigint;
  /** The modulus length in bytes (kLen) and bits. */
  bytes: number;
  bits: number;
};

export const bytesToInt = (bytes: Uint8Array): bigint => {
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return BigInt(`0x${hex || "0"}`);
};

export function intToBytes(value: bigint, length: number): Uint8Array<ArrayBuffer> {
  const hex = value.toString(16);
  if (hex.length > length * 2) throw new Error("integer too large");
  const padded = hex.padStart(length * 2, "0");
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Number.parseInt(padded.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

/** a⁻¹ mod m, or null when a and m share a factor. */
export function modInverse(a: bigint, m: bigint): bigint | null {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) return null;
  return ((oldS % m) + m) % m;
}

function gcd(a: bigint, b: bigint): bigint {
  let [x, y] = [a, b];
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

const concat = (...parts: Uint8Array[]): Uint8Array<ArrayBuffer> => {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};

const sha384 = async (data: Uint8Array<ArrayBuffer>) =>
  new Uint8Array(await crypto.subtle.digest("SHA-384", data));

async function mgf1(seed: Uint8Array, length: number): Promise<Uint8Array> {
  const blocks: Promise<Uint8Array>[] = [];
  for (let counter = 0; blocks.length * H_LEN < length; counter++) {
    blocks.push(sha384(concat(seed, intToBytes(BigInt(counter), 4))));
  }
  return concat(...(await Promise.all(blocks))).subarray(0, length);
}

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with SHA-384, MGF1-SHA-384 and the given 48-byte salt. */
export async function emsaPssEncode(
  message: Uint8Array<ArrayBuffer>,
  emBits: number,
  salt: Uint8Array,
): Promise<Uint8Array<ArrayBuffer>> {
  if (salt.length !== SALT_LEN) throw new Error(`the PSS salt is ${SALT_LEN} bytes`);
  const emLen = Math.ceil(emBits / 8);
  if (emLen < H_LEN + SALT_LEN + 2) throw new Error("encoding error");
  const mHash = await sha384(message);
  const h = await sha384(concat(new Uint8Array(8), mHash, salt));
  const db = concat(new Uint8Array(emLen - SALT_LEN - H_LEN - 2), Uint8Array.of(1), salt);
  const mask = await mgf1(h, db.length);
  const masked = db.map((byte, i) => byte ^ (mask[i] ?? 0));
  masked[0] = (masked[0] ?? 0) & (0xff >> (8 * emLen - emBits));
  return concat(masked, h, Uint8Array.of(0xbc));
}

const publicKeys = new Map<string, Promise<RsaPublicKey>>();

/** The issuer's RSA-PSS (SHA-384) public key from its SPKI DER, with its numbers; cached. */
export function rsaPublicKey(spki: Uint8Array<ArrayBuffer>, cacheKey?: string): Promise<RsaPublicKey> {
  const cached = cacheKey ? publicKeys.get(cacheKey) : undefined;
  if (cached) return cached;
  const made = crypto.subtle
    .importKey("spki", spki, { name: "RSA-PSS", hash: "SHA-384" }, true, ["verify"])
    .then(withNumbers);
  if (cacheKey) {
    if (publicKeys.size > 1_000) publicKeys.clear();
    publicKeys.set(cacheKey, made);
    made.catch(() => publicKeys.delete(cacheKey));
  }
  return made;
}

/** The numbers of an imported RSA-PSS public key. */
export async function withNumbers(key: CryptoKey): Promise<RsaPublicKey> {
  const jwk = await crypto.subtle.exportKey("jwk", key);
  if (!jwk.n || !jwk.e) throw new Error("not an RSA public key");
  const nBytes = fromBase64url(jwk.n);
  const n = bytesToInt(nBytes);
  const bits = n.toString(2).length;
  return { key, n, e: bytesToInt(fromBase64url(jwk.e)), bits, bytes: Math.ceil(bits / 8) };
}

/** Prepare (§4.1, randomized): the 32-byte prefix in front of the message. */
export function prepare(prefix: Uint8Array, message: Uint8Array): Uint8Array<ArrayBuffer> {
  if (prefix.length !== PREFIX_LEN) throw new Error(`the message prefix is ${PREFIX_LEN} bytes`);
  return concat(prefix, message);
}

/** Blind (§4.2) with the given salt and blinding factor r (1 ≤ r < n). */
export async function blind(
  pk: RsaPublicKey,
  prepared: Uint8Array<ArrayBuffer>,
  salt: Uint8Array,
  r: bigint,
): Promise<{ blindedMessage: Uint8Array<ArrayBuffer>; inverse: Uint8Array<ArrayBuffer> }> {
  const m = bytesToInt(await emsaPssEncode(prepared, pk.bits - 1, salt));
  if (gcd(m, pk.n) !== 1n) throw new Error("invalid input");
  if (r < 1n || r >= pk.n) throw new Error("blinding error: r out of range");
  const inv = modInverse(r, pk.n);
  if (inv === null) throw new Error("blinding error: r is not invertible");
  const z = (m * modPow(r, pk.e, pk.n)) % pk.n;
  return { blindedMessage: intToBytes(z, pk.bytes), inverse: intToBytes(inv, pk.bytes) };
}

/**
 * Finalize (§4.3): s = z · inv mod n, then checked as an RSASSA-PSS (SHA-384, 48-byte salt)
 * signature of the prepared message with WebCrypto. Throws when it is not one: an issuer that signed
 * with another key (to tag this signer) or returned garbage is caught here.
 */
export async function finalize(
  pk: RsaPublicKey,
  prepared: Uint8Array<ArrayBuffer>,
  blindSignature: Uint8Array,
  inverse: Uint8Array,
): Promise<Uint8Array<ArrayBuffer>> {
  if (blindSignature.length !== pk.bytes || inverse.length !== pk.bytes) {
    throw new Error("unexpected input size");
  }
  const z = bytesToInt(blindSignature);
  if (z >= pk.n) throw new Error("the blind signature is not below the modulus");
  const signature = intToBytes((z * bytesToInt(inverse)) % pk.n, pk.bytes);
  const valid = await crypto.subtle.verify(
    { name: "RSA-PSS", saltLength: SALT_LEN },
    pk.key,
    signature,
    prepared,
  );
  if (!valid) throw new Error("the issuer's blind signature does not verify");
  return signature;
}
