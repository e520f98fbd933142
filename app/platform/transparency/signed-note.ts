/**
 * Signed notes (c2sp.org/signed-note), checkpoints (c2sp.org/tlog-checkpoint) and Ed25519
 * cosignatures (c2sp.org/tlog-cosignature): their text formats and their verification. Pure and
 * browser-safe (Ed25519 verification by @noble/curves); signing lives in note-signing.server.ts.
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { HASH_SIZE, type Hash } from "./merkle";

export const SIG_ED25519 = 0x01;
export const SIG_COSIGNATURE = 0x04;

/** The most signatures a note may carry (the spec asks verifiers to accept at least 16). */
export const MAX_SIGNATURES = 32;

export class NoteError extends Error {
  override name = "NoteError";
}

export type Verifier = { name: string; type: 0x01 | 0x04; keyId: number; publicKey: Uint8Array };
/** bytes = the signature after the key ID. */
export type NoteSignature = { name: string; keyId: number; bytes: Uint8Array };
export type Checkpoint = { origin: string; size: number; root: Hash; extensions: string[] };

const utf8 = (text: string) => new TextEncoder().encode(text);

/** Standard base64 with padding (RFC 4648 §4). */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Standard, padded, canonical base64, or a NoteError. */
export function fromBase64(text: string): Uint8Array {
  if (!BASE64.test(text)) throw new NoteError("The text is not standard base64.");
  const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  if (toBase64(bytes) !== text) throw new NoteError("The text is not canonical base64.");
  return bytes;
}

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};

const uint32 = (bytes: Uint8Array, at = 0) =>
  (((bytes[at] as number) << 24) |
    ((bytes[at + 1] as number) << 16) |
    ((bytes[at + 2] as number) << 8) |
    (bytes[at + 3] as number)) >>>
  0;

const uint32Bytes = (n: number) => Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);

/** A u64, big-endian; only timestamps a number holds exactly (below 2^53). */
export function uint64Bytes(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new NoteError(`${n} is not a timestamp.`);
  return concat(uint32Bytes(Math.floor(n / 2 ** 32)), uint32Bytes(n % 2 ** 32));
}

const hex8 = (n: number) => n.toString(16).padStart(8, "0");

/** Key names: non-empty, no Unicode space, no plus sign. */
export function isValidKeyName(name: string): boolean {
  return name !== "" && !/[\s\u0085+]/u.test(name) && isWellFormed(name) && !hasControl(name);
}

/** Any ASCII control character but newline (below U+0020). */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && code !== 0x0a) return true;
  }
  return false;
}
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const isWellFormed = (text: string) => !LONE_SURROGATE.test(text);

/** Note text: valid UTF-8, no control characters but newline, ending in a newline. */
export function checkNoteBody(body: string): void {
  if (!body.endsWith("\n")) throw new NoteError("A note's text ends in a newline.");
  if (!isWellFormed(body)) throw new NoteError("A note is valid UTF-8.");
  if (hasControl(body)) throw new NoteError("A note holds no control characters but newlines.");
}

/** SHA-256(name || 0x0A || type || public key)[:4], as a big-endian uint32. */
export function keyIdOf(name: string, type: number, publicKey: Uint8Array): number {
  return uint32(sha256(concat(utf8(name), Uint8Array.of(0x0a, type), publicKey)));
}

/** name+hex(key ID)+base64(type || public key). */
export function formatVkey(name: string, type: 0x01 | 0x04, publicKey: Uint8Array): string {
  if (!isValidKeyName(name)) throw new NoteError(`"${name}" is not a key name.`);
  if (publicKey.length !== 32) throw new NoteError("An Ed25519 public key is 32 bytes.");
  return `${name}+${hex8(keyIdOf(name, type, publicKey))}+${toBase64(concat(Uint8Array.of(type), publicKey))}`;
}

export function parseVkey(vkey: string): Verifier {
  // The name holds no plus sign and the ID is hex, so the first two split the parts (the base64 key may hold more).
  const first = vkey.indexOf("+");
  const second = vkey.indexOf("+", first + 1);
  if (first < 0 || second < 0) {
    throw new NoteError("A verifier key is a name, a key ID and a key, joined by plus signs.");
  }
  const [name, id, key] = [vkey.slice(0, first), vkey.slice(first + 1, second), vkey.slice(second + 1)];
  if (!isValidKeyName(name)) throw new NoteError("The verifier key's name is empty or holds a space.");
  if (!/^[0-9a-f]{8}$/.test(id)) throw new NoteError("The verifier key's ID is not 8 lowercase hex digits.");
  const material = fromBase64(key);
  const type = material[0];
  if (type !== SIG_ED25519 && type !== SIG_COSIGNATURE) {
    throw new NoteError("The verifier key is neither an Ed25519 key nor an Ed25519 cosignature key.");
  }
  const publicKey = material.slice(1);
  if (publicKey.length !== 32) throw new NoteError("The verifier key's Ed25519 public key is not 32 bytes.");
  const keyId = keyIdOf(name, type, publicKey);
  if (hex8(keyId) !== id) throw new NoteError("The verifier key's ID does not match its name and key.");
  return { name, type, keyId, publicKey };
}

/** "— name base64(key ID || bytes)\n" */
export function signatureLine(s: NoteSignature): string {
  if (!isValidKeyName(s.name)) throw new NoteError(`"${s.name}" is not a key name.`);
  return `— ${s.name} ${toBase64(concat(uint32Bytes(s.keyId), s.bytes))}\n`;
}

const SIGNATURE_PREFIX = "— ";

/** Splits a signed note into its text and its signature lines (none verified). */
export function parseNote(text: string): { body: string; signatures: NoteSignature[] } {
  if (!isWellFormed(text)) throw new NoteError("A note is valid UTF-8.");
  if (hasControl(text)) throw new NoteError("A note holds no control characters but newlines.");
  const split = text.lastIndexOf("\n\n");
  if (split < 0) throw new NoteError("A note has a blank line before its signatures.");
  const body = text.slice(0, split + 1);
  const block = text.slice(split + 2);
  if (block === "" || !block.endsWith("\n")) throw new NoteError("A note ends in signature lines.");
  const lines = block.slice(0, -1).split("\n");
  if (lines.length > MAX_SIGNATURES)
    throw new NoteError(`A note carries at most ${MAX_SIGNATURES} signatures.`);
  const signatures = lines.map((line) => {
    if (!line.startsWith(SIGNATURE_PREFIX))
      throw new NoteError("A signature line starts with an em dash and a space.");
    const rest = line.slice(SIGNATURE_PREFIX.length);
    const space = rest.indexOf(" ");
    const name = space < 0 ? rest : rest.slice(0, space);
    const encoded = space < 0 ? "" : rest.slice(space + 1);
    if (!isValidKeyName(name)) throw new NoteError("A signature's key name is empty or holds a space.");
    const bytes = fromBase64(encoded);
    if (bytes.length < 5) throw new NoteError("A signature is a key ID and at least one byte.");
    return { name, keyId: uint32(bytes), bytes: bytes.slice(4) };
  });
  return { body, signatures };
}

/** A note's text (decoded as strict UTF-8) from its bytes. */
export function noteText(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new NoteError("A note is valid UTF-8.");
  }
}

export function formatNote(body: string, signatures: NoteSignature[]): string {
  checkNoteBody(body);
  if (signatures.length === 0) throw new NoteError("A note carries at least one signature.");
  if (signatures.length > MAX_SIGNATURES)
    throw new NoteError(`A note carries at most ${MAX_SIGNATURES} signatures.`);
  return `${body}\n${signatures.map(signatureLine).join("")}`;
}

/** The signature in `signatures` made by `verifier`'s key (same name and key ID), if any. */
export function signatureBy(signatures: NoteSignature[], verifier: Verifier): NoteSignature | undefined {
  return signatures.find((s) => s.name === verifier.name && s.keyId === verifier.keyId);
}

/** "cosignature/v1\ntime T\n" + body: what an Ed25519 cosigner signs. */
export function cosignatureMessage(body: string, timestamp: number): Uint8Array {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0)
    throw new NoteError(`${timestamp} is not a timestamp.`);
  return utf8(`cosignature/v1\ntime ${timestamp}\n${body}`);
}

/** The POSIX timestamp (seconds) a cosignature carries. */
export function cosignatureTime(signature: NoteSignature): number {
  const b = signature.bytes;
  if (b.length < 8) throw new NoteError("A cosignature starts with an 8-byte timestamp.");
  const time = uint32(b, 0) * 2 ** 32 + uint32(b, 4);
  if (!Number.isSafeInteger(time)) throw new NoteError("The cosignature's timestamp is out of range.");
  return time;
}

function ed25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/** Ed25519 (type 1) over the body; cosignature (type 4): bytes = u64 BE timestamp || sig over cosignatureMessage. */
export function verifySignature(body: string, signature: NoteSignature, verifier: Verifier): boolean {
  if (signature.name !== verifier.name || signature.keyId !== verifier.keyId) return false;
  if (verifier.type === SIG_ED25519) return ed25519Verify(signature.bytes, utf8(body), verifier.publicKey);
  if (signature.bytes.length !== 72) return false;
  let time: number;
  try {
    time = cosignatureTime(signature);
  } catch {
    return false;
  }
  return ed25519Verify(signature.bytes.slice(8), cosignatureMessage(body, time), verifier.publicKey);
}

const isLine = (text: string) => text !== "" && !text.includes("\n");

/** origin, size, base64 root, extension lines; ends in "\n". */
export function formatCheckpoint(c: Checkpoint): string {
  if (!isLine(c.origin)) throw new NoteError("A checkpoint's origin is one non-empty line.");
  if (!Number.isSafeInteger(c.size) || c.size < 0) throw new NoteError("A checkpoint's size is a count.");
  if (c.root.length !== HASH_SIZE) throw new NoteError("A checkpoint's root hash is 32 bytes.");
  if (!c.extensions.every(isLine)) throw new NoteError("A checkpoint's extension lines are not empty.");
  const body = [c.origin, String(c.size), toBase64(c.root), ...c.extensions].map((l) => `${l}\n`).join("");
  checkNoteBody(body);
  return body;
}

export function parseCheckpoint(body: string): Checkpoint {
  checkNoteBody(body);
  const lines = body.slice(0, -1).split("\n");
  if (lines.length < 3) throw new NoteError("A checkpoint has an origin, a size and a root hash.");
  const [origin, sizeLine, rootLine, ...extensions] = lines as [string, string, string, ...string[]];
  if (origin === "") throw new NoteError("A checkpoint's origin is not empty.");
  if (!/^(?:0|[1-9][0-9]*)$/.test(sizeLine))
    throw new NoteError("A checkpoint's size is a decimal count without leading zeros.");
  const size = Number(sizeLine);
  if (!Number.isSafeInteger(size)) throw new NoteError("A checkpoint's size is too large.");
  const root = fromBase64(rootLine);
  if (root.length !== HASH_SIZE) throw new NoteError("A checkpoint's root hash is 32 bytes.");
  if (extensions.some((line) => line === ""))
    throw new NoteError("A checkpoint's extension lines are not empty.");
  return { origin, size, root, extensions };
}
