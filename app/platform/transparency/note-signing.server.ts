/**
 * Signing notes with Ed25519 keys held by node:crypto: the log's checkpoint signature (type 0x01)
 * and a witness's cosignature (type 0x04). The private key travels as base64url PKCS#8.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import {
  checkNoteBody,
  cosignatureMessage,
  formatVkey,
  isValidKeyName,
  keyIdOf,
  NoteError,
  type NoteSignature,
  SIG_COSIGNATURE,
  SIG_ED25519,
  uint64Bytes,
} from "./signed-note";

export type NoteSigner = { name: string; type: 0x01 | 0x04; publicKey: Uint8Array; privateKey: KeyObject };

function signerOf(name: string, type: 0x01 | 0x04, privateKey: KeyObject): NoteSigner {
  if (!isValidKeyName(name)) throw new NoteError(`"${name}" is not a key name.`);
  if (type !== SIG_ED25519 && type !== SIG_COSIGNATURE)
    throw new NoteError("Notes are signed with type 1 or 4.");
  if (privateKey.asymmetricKeyType !== "ed25519")
    throw new NoteError("A note signing key is an Ed25519 key.");
  const jwk = createPublicKey(privateKey).export({ format: "jwk" });
  const publicKey = new Uint8Array(Buffer.from(jwk.x ?? "", "base64url"));
  if (publicKey.length !== 32) throw new NoteError("An Ed25519 public key is 32 bytes.");
  return { name, type, publicKey, privateKey };
}

export function newNoteSigner(name: string, type: 0x01 | 0x04): { signer: NoteSigner; pkcs8: string } {
  const { privateKey } = generateKeyPairSync("ed25519");
  const signer = signerOf(name, type, privateKey);
  return { signer, pkcs8: privateKey.export({ format: "der", type: "pkcs8" }).toString("base64url") };
}

export function noteSignerFrom(name: string, type: 0x01 | 0x04, pkcs8: string): NoteSigner {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: Buffer.from(pkcs8, "base64url"), format: "der", type: "pkcs8" });
  } catch {
    throw new NoteError("The note signing key is not a PKCS#8 private key.");
  }
  return signerOf(name, type, privateKey);
}

const ed25519Sign = (message: Uint8Array, signer: NoteSigner) =>
  new Uint8Array(sign(null, message, signer.privateKey));

/** The log's signature (type 1) over the note text. */
export function signNote(body: string, signer: NoteSigner): NoteSignature {
  if (signer.type !== SIG_ED25519)
    throw new NoteError("A cosigning key makes cosignatures, not note signatures.");
  checkNoteBody(body);
  return {
    name: signer.name,
    keyId: keyIdOf(signer.name, SIG_ED25519, signer.publicKey),
    bytes: ed25519Sign(new TextEncoder().encode(body), signer),
  };
}

/** A timestamped Ed25519 cosignature (type 4, c2sp.org/tlog-cosignature); timestamp in seconds. */
export function cosign(body: string, signer: NoteSigner, timestamp: number): NoteSignature {
  if (signer.type !== SIG_COSIGNATURE) throw new NoteError("A note signing key does not make cosignatures.");
  checkNoteBody(body);
  const signature = ed25519Sign(cosignatureMessage(body, timestamp), signer);
  const bytes = new Uint8Array(8 + signature.length);
  bytes.set(uint64Bytes(timestamp), 0);
  bytes.set(signature, 8);
  return { name: signer.name, keyId: keyIdOf(signer.name, SIG_COSIGNATURE, signer.publicKey), bytes };
}

export const vkeyOf = (s: NoteSigner) => formatVkey(s.name, s.type, s.publicKey);
