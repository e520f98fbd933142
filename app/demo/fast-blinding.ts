import { createHash, createPublicKey, randomBytes } from "node:crypto";

/**
 * RFC 9474 blinding (RSABSSA-SHA384-PSS-Randomized) with Node's native BigInt, for the demo seed and
 * the tests, which sign anonymously for hundreds of people: @cloudflare/blindrsa-ts, which browsers
 * use (app/browser/blind-tokens.ts), takes ~100–200 ms a token here on its JavaScript big numbers;
 * this takes about a millisecond. Same messages, same server, same checks: every token it makes is
 * verified by node:crypto's RSASSA-PSS like any browser's (ADR 0030; test/unit/blind-signatures).
 */

const HASH = "sha384";
const H_LEN = 48;
const SALT_LEN = 48;

const toBigInt = (bytes: Buffer) => BigInt(`0x${bytes.toString("hex") || "0"}`);
function toBytes(value: bigint, length: number): Buffer {
  const hex = value.toString(16).padStart(length * 2, "0");
  return Buffer.from(hex, "hex");
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
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

function modInverse(a: bigint, m: bigint): bigint | null {
  let [oldR, r] = [a % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) return null;
  return ((oldS % m) + m) % m;
}

function mgf1(seed: Buffer, length: number): Buffer {
  const chunks: Buffer[] = [];
  for (let counter = 0; chunks.length * H_LEN < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    chunks.push(createHash(HASH).update(seed).update(c).digest());
  }
  return Buffer.concat(chunks).subarray(0, length);
}

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with SHA-384, MGF1-SHA-384 and a 48-byte salt. */
function emsaPssEncode(message: Buffer, emBits: number): Buffer {
  const emLen = Math.ceil(emBits / 8);
  const mHash = createHash(HASH).update(message).digest();
  const salt = randomBytes(SALT_LEN);
  const h = createHash(HASH).update(Buffer.alloc(8)).update(mHash).update(salt).digest();
  const db = Buffer.concat([Buffer.alloc(emLen - SALT_LEN - H_LEN - 2), Buffer.from([1]), salt]);
  const masked = mgf1(h, db.length);
  for (let i = 0; i < db.length; i++) masked.writeUInt8((db.at(i) ?? 0) ^ (masked.at(i) ?? 0), i);
  masked.writeUInt8((masked.at(0) ?? 0) & (0xff >> (8 * emLen - emBits)), 0);
  return Buffer.concat([masked, h, Buffer.from([0xbc])]);
}

function publicNumbers(publicKeySpki: string) {
  const jwk = createPublicKey({
    key: Buffer.from(publicKeySpki, "base64url"),
    format: "der",
    type: "spki",
  }).export({
    format: "jwk",
  });
  const n = Buffer.from(jwk.n ?? "", "base64url");
  return {
    n: toBigInt(n),
    e: toBigInt(Buffer.from(jwk.e ?? "", "base64url")),
    bytes: n.length,
    bits: n.length * 8,
  };
}

/** Prepare (32 random bytes in front), encode and blind `message` for the issuer's key. */
export function fastBlind(publicKeySpki: string, message: Buffer) {
  const { n, e, bytes, bits } = publicNumbers(publicKeySpki);
  const prepared = Buffer.concat([randomBytes(32), message]);
  const m = toBigInt(emsaPssEncode(prepared, bits - 1));
  for (;;) {
    const r = toBigInt(randomBytes(bytes)) % n;
    const inv = r > 1n ? modInverse(r, n) : null;
    if (inv === null) continue;
    const blinded = (m * modPow(r, e, n)) % n;
    return { prepared, blindedMessage: toBytes(blinded, bytes), inverse: toBytes(inv, bytes) };
  }
}

/** The token's signature from the blind signature: s = z · r⁻¹ mod n. */
export function fastFinalize(publicKeySpki: string, blindSignature: Buffer, inverse: Buffer): Buffer {
  const { n, bytes } = publicNumbers(publicKeySpki);
  return toBytes((toBigInt(blindSignature) * toBigInt(inverse)) % n, bytes);
}
