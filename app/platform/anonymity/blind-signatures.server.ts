import {
  constants,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  generateKeyPairSync,
  type KeyObject,
  privateDecrypt,
  publicEncrypt,
  verify,
} from "node:crypto";

/**
 * RSA blind signatures, RFC 9474 RSABSSA-SHA384-PSS-Randomized, server side: key pairs, blind
 * signing and verifying finalized tokens, all with node:crypto (ADR 0030). The client side — prepare,
 * blind, finalize — runs in the signer's browser (app/browser/rsabssa.ts, derived-tokens.ts).
 *
 * A blind signature is raw RSA on the blinded message: s = m^d mod n. Blinding hides the message from
 * the signer perfectly, so the server cannot later recognise the token it signed.
 */

export const MODULUS_BITS = 2048;
export const MODULUS_BYTES = MODULUS_BITS / 8;
/** PSS with SHA-384 and a 48-byte salt, as the RFC's RSABSSA-SHA384-PSS variants. */
export const PSS_SALT_BYTES = 48;

export type BlindKeyPair = {
  /** SubjectPublicKeyInfo, DER, base64url: what is published and pinned. */
  publicKey: string;
  /** PKCS #8, DER, base64url: kept in the database until the key is retired. */
  privateKey: string;
  /** SHA-256 of the public key's DER, hex: short enough to compare by eye. */
  fingerprint: string;
};

export const fingerprintOf = (publicKeyDer: Buffer) =>
  createHash("sha256").update(publicKeyDer).digest("hex");

const RSA_OPTIONS = { modulusLength: MODULUS_BITS, publicExponent: 65537 } as const;

function exported(publicKey: KeyObject, privateKey: KeyObject): BlindKeyPair {
  const spki = publicKey.export({ type: "spki", format: "der" });
  return {
    publicKey: spki.toString("base64url"),
    privateKey: privateKey.export({ type: "pkcs8", format: "der" }).toString("base64url"),
    fingerprint: fingerprintOf(spki),
  };
}

/**
 * A fresh key pair, used for one scope (one petition) and nothing else. Synchronous: 100–300 ms of
 * CPU on this machine, during which the process answers nothing — for one person's action only.
 */
export function generateBlindKeyPair(): BlindKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", RSA_OPTIONS);
  return exported(publicKey, privateKey);
}

/** The same, made on libuv's thread pool: the process keeps answering requests meanwhile. */
export function generateBlindKeyPairOffThread(): Promise<BlindKeyPair> {
  return new Promise((resolve, reject) => {
    generateKeyPair("rsa", RSA_OPTIONS, (error, publicKey, privateKey) => {
      if (error) reject(error);
      else resolve(exported(publicKey, privateKey));
    });
  });
}

const publicKeys = new Map<string, KeyObject>();
function publicKeyObject(publicKey: string): KeyObject {
  let key = publicKeys.get(publicKey);
  if (!key) {
    key = createPublicKey({ key: Buffer.from(publicKey, "base64url"), format: "der", type: "spki" });
    if (publicKeys.size > 1_000) publicKeys.clear();
    publicKeys.set(publicKey, key);
  }
  return key;
}

/**
 * Parsed private keys, by their PKCS #8 text: parsing one is ~0.45 ms, a third of a blind signature,
 * and a person's full run asks for a token of every open petition. Only a caller that already read
 * the key from the database finds it here; a few hundred at most, dropped together when full.
 */
const privateKeys = new Map<string, KeyObject>();
function privateKeyObject(privateKey: string): KeyObject {
  let key = privateKeys.get(privateKey);
  if (!key) {
    key = createPrivateKey({ key: Buffer.from(privateKey, "base64url"), format: "der", type: "pkcs8" });
    if (privateKeys.size >= 512) privateKeys.clear();
    privateKeys.set(privateKey, key);
  }
  return key;
}

/** Why a blinded message cannot be signed, or null: the wrong length, or not less than the modulus. */
export function blindedMessageProblem(blinded: Buffer, publicKey: string): string | null {
  if (blinded.length !== MODULUS_BYTES) return `a blinded message is ${MODULUS_BYTES} bytes`;
  const jwk = publicKeyObject(publicKey).export({ format: "jwk" });
  const n = Buffer.from(jwk.n ?? "", "base64url");
  if (Buffer.compare(blinded, n) >= 0) return "the blinded message is not less than the modulus";
  if (blinded.every((b) => b === 0)) return "the blinded message is zero";
  return null;
}

/**
 * The blind signature of a blinded message (RSASP1), checked before it leaves (RSAVP1 gives the
 * blinded message back): a fault in the signing step must never hand out a wrong signature, which
 * could leak the private key.
 */
export function blindSign(keys: Pick<BlindKeyPair, "publicKey" | "privateKey">, blinded: Buffer): Buffer {
  const problem = blindedMessageProblem(blinded, keys.publicKey);
  if (problem) throw new Error(problem);
  const signature = privateDecrypt(
    { key: privateKeyObject(keys.privateKey), padding: constants.RSA_NO_PADDING },
    blinded,
  );
  const back = publicEncrypt(
    { key: publicKeyObject(keys.publicKey), padding: constants.RSA_NO_PADDING },
    signature,
  );
  if (!back.equals(blinded)) throw new Error("blind signing failed its check");
  return signature;
}

/** Whether `signature` is a valid RSASSA-PSS (SHA-384, 48-byte salt) signature of `message`. */
export function verifyToken(publicKey: string, message: Buffer, signature: Buffer): boolean {
  if (signature.length !== MODULUS_BYTES) return false;
  return verify(
    "sha384",
    message,
    { key: publicKeyObject(publicKey), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: PSS_SALT_BYTES },
    signature,
  );
}
