import { createHash, randomBytes } from "node:crypto";
import { encodeEntry, type LogEntry } from "../../app/platform/transparency/log-entries";
import {
  type Hash,
  inclusionProof,
  leafHash,
  nodeHash,
  type PerfectNodes,
  treeRoot,
} from "../../app/platform/transparency/merkle";
import {
  cosign,
  type NoteSigner,
  newNoteSigner,
  signNote,
  vkeyOf,
} from "../../app/platform/transparency/note-signing.server";
import { formatCheckpoint, formatNote, toBase64 } from "../../app/platform/transparency/signed-note";

/**
 * A public log built in memory with the server's own signing code, for tests of what devices and
 * verifiers check: leaves, checkpoints the log signs (cosigned by the witnesses given), inclusion
 * proofs of key entries as `/api/log/keys` serves them.
 */

/** A key entry for a scope, with a random key (its fingerprint the SHA-256 of it, as the server makes it). */
export function keyEntry(scope: string, now: number): Extract<LogEntry, { type: "key" }> {
  const der = randomBytes(40);
  return {
    type: "key",
    scope,
    fingerprint: createHash("sha256").update(der).digest("hex"),
    publicKey: der.toString("base64url"),
    on: new Date(now).toISOString().slice(0, 10),
    legacyAnonymous: 0,
  };
}

export function memoryLog(origin = "undersigned.example/undersigned-log") {
  const signer = newNoteSigner(origin, 0x01).signer;
  const leaves: Uint8Array[] = [];
  const hashes: Hash[] = [];
  const nodes: PerfectNodes = (level, index) =>
    level === 0
      ? (hashes[index] as Hash)
      : nodeHash(nodes(level - 1, 2 * index), nodes(level - 1, 2 * index + 1));
  /** Appends an entry; returns its index. */
  const append = (entry: LogEntry) => {
    const data = encodeEntry(entry);
    leaves.push(data);
    hashes.push(leafHash(data));
    return leaves.length - 1;
  };
  /** The signed checkpoint of `size`, cosigned by each witness at its time (ms). */
  const checkpoint = (size: number, cosigners: Array<{ witness: NoteSigner; at: number }> = []) => {
    const body = formatCheckpoint({ origin, size, root: treeRoot(size, nodes), extensions: [] });
    return formatNote(body, [
      signNote(body, signer),
      ...cosigners.map(({ witness, at }) => cosign(body, witness, Math.floor(at / 1000))),
    ]);
  };
  const keyProof = (index: number, size: number) => ({
    index,
    data: new TextDecoder().decode(leaves[index]),
    proof: inclusionProof(index, size, nodes).map(toBase64),
  });
  return { signer, vkey: vkeyOf(signer), append, checkpoint, keyProof, nodes, leaves };
}
