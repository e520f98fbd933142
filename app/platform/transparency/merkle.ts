/**
 * The Merkle tree of RFC 9162 §2.1 (the Certificate Transparency tree, SHA-256): tree heads,
 * inclusion and consistency proofs, and their verification. Pure and synchronous, so the server,
 * the browser, the witness and the command line share it.
 *
 * Sizes and indexes are JavaScript numbers (safe up to 2^53); the arithmetic below avoids the 32-bit
 * bitwise operators for that reason.
 */
import { sha256 } from "@noble/hashes/sha2.js";

export type Hash = Uint8Array; // 32 bytes

export const HASH_SIZE = 32;

/** MTH({}) = SHA-256 of the empty string. */
export const EMPTY_ROOT: Hash = sha256(new Uint8Array(0));

/** MTH({d}) = SHA-256(0x00 || d). */
export function leafHash(data: Uint8Array): Hash {
  const input = new Uint8Array(1 + data.length);
  input[0] = 0x00;
  input.set(data, 1);
  return sha256(input);
}

/** The interior node: SHA-256(0x01 || left || right). */
export function nodeHash(left: Hash, right: Hash): Hash {
  const input = new Uint8Array(1 + left.length + right.length);
  input[0] = 0x01;
  input.set(left, 1);
  input.set(right, 1 + left.length);
  return sha256(input);
}

/** A lookup of perfect (complete, aligned) subtrees: level 0 = leaf hashes, node (level, index) covers leaves [index·2^level, (index+1)·2^level). */
export type PerfectNodes = (level: number, index: number) => Hash;

export function equalHashes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

const isCount = (n: number) => Number.isSafeInteger(n) && n >= 0;

/** The largest power of two strictly below n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

const isPowerOfTwo = (n: number) => n >= 1 && 2 ** Math.round(Math.log2(n)) === n;
const shift = (n: number) => Math.floor(n / 2);
const lowBit = (n: number) => n % 2 === 1;

/** The number of set bits of n. */
export function onesCount(n: number): number {
  let count = 0;
  for (let x = n; x > 0; x = shift(x)) if (lowBit(x)) count++;
  return count;
}

/** MTH(D[start:start+n]); start is a multiple of the smallest power of two ≥ n, as every range the RFC's recursion visits is. */
function rangeHash(start: number, n: number, nodes: PerfectNodes): Hash {
  if (n === 0) return EMPTY_ROOT;
  if (isPowerOfTwo(n)) return nodes(Math.round(Math.log2(n)), start / n);
  const k = splitPoint(n);
  return nodeHash(rangeHash(start, k, nodes), rangeHash(start + k, n - k, nodes));
}

/** MTH(D[0:size]), RFC 9162 §2.1.1. */
export function treeRoot(size: number, nodes: PerfectNodes): Hash {
  if (!isCount(size)) throw new RangeError(`Tree size ${size} is not a count.`);
  return rangeHash(0, size, nodes);
}

/** PATH(index, D[0:size]), RFC 9162 §2.1.3.1: the audit path, from the leaf's sibling up. */
export function inclusionProof(index: number, size: number, nodes: PerfectNodes): Hash[] {
  if (!isCount(size) || !isCount(index) || index >= size) {
    throw new RangeError(`Leaf ${index} is not in a tree of ${size}.`);
  }
  const path = (m: number, start: number, n: number): Hash[] => {
    if (n === 1) return [];
    const k = splitPoint(n);
    return m < k
      ? [...path(m, start, k), rangeHash(start + k, n - k, nodes)]
      : [...path(m - k, start + k, n - k), rangeHash(start, k, nodes)];
  };
  return path(index, 0, size);
}

/** PROOF(size1, D[0:size2]), RFC 9162 §2.1.4.1; empty when size1 is 0 or equals size2. */
export function consistencyProof(size1: number, size2: number, nodes: PerfectNodes): Hash[] {
  if (!isCount(size1) || !isCount(size2) || size1 > size2) {
    throw new RangeError(`No consistency proof from a tree of ${size1} to one of ${size2}.`);
  }
  if (size1 === 0) return [];
  const subproof = (m: number, start: number, n: number, complete: boolean): Hash[] => {
    if (m === n) return complete ? [] : [rangeHash(start, n, nodes)];
    const k = splitPoint(n);
    return m <= k
      ? [...subproof(m, start, k, complete), rangeHash(start + k, n - k, nodes)]
      : [...subproof(m - k, start + k, n - k, false), rangeHash(start, k, nodes)];
  };
  return subproof(size1, 0, size2, true);
}

const wellFormed = (proof: Hash[]) => proof.every((h) => h.length === HASH_SIZE);

/** RFC 9162 §2.1.3.2: does `proof` show the leaf hash at `index` in the tree of `size` with head `root`? */
export function verifyInclusion(leaf: Hash, index: number, size: number, proof: Hash[], root: Hash): boolean {
  if (!isCount(index) || !isCount(size) || index >= size) return false;
  if (leaf.length !== HASH_SIZE || !wellFormed(proof)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (lowBit(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!lowBit(fn)) {
        while (!lowBit(fn) && fn !== 0) {
          fn = shift(fn);
          sn = shift(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = shift(fn);
    sn = shift(sn);
  }
  return sn === 0 && equalHashes(r, root);
}

/**
 * RFC 9162 §2.1.4.2: does `proof` show that the tree of `size2` with head `root2` extends the tree of
 * `size1` with head `root1`? Equal sizes need an empty proof and equal heads; a proof from the empty
 * tree means nothing and is refused (as transparency-dev's verifier does).
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: Hash[],
  root1: Hash,
  root2: Hash,
): boolean {
  if (!isCount(size1) || !isCount(size2) || size1 > size2 || size1 === 0) return false;
  if (size1 === size2) return proof.length === 0 && equalHashes(root1, root2);
  if (proof.length === 0 || !wellFormed(proof)) return false;
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (lowBit(fn)) {
    fn = shift(fn);
    sn = shift(sn);
  }
  let fr = path[0] as Hash;
  let sr = path[0] as Hash;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (lowBit(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!lowBit(fn)) {
        while (!lowBit(fn) && fn !== 0) {
          fn = shift(fn);
          sn = shift(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = shift(fn);
    sn = shift(sn);
  }
  return sn === 0 && equalHashes(fr, root1) && equalHashes(sr, root2);
}

/** A perfect node a CompactRange completed: the server stores these and answers PerfectNodes from them. */
export type PerfectNode = { level: number; index: number; hash: Hash };

/**
 * The right edge of a tree (transparency-dev's compact range from 0): the roots of the perfect
 * subtrees for the set bits of `size`, largest first. Append leaf hashes, get the root; what a
 * witness keeps, and how the server learns which perfect nodes each append completes.
 */
export class CompactRange {
  #size: number;
  #hashes: Hash[];

  constructor(size = 0, hashes: Hash[] = []) {
    if (!isCount(size)) throw new RangeError(`Tree size ${size} is not a count.`);
    if (hashes.length !== onesCount(size) || !wellFormed(hashes)) {
      throw new RangeError(`A tree of ${size} has ${onesCount(size)} edge hashes, not ${hashes.length}.`);
    }
    this.#size = size;
    this.#hashes = [...hashes];
  }

  /** The right edge of the tree of `size`, read from its perfect nodes. */
  static fromNodes(size: number, nodes: PerfectNodes): CompactRange {
    if (!isCount(size)) throw new RangeError(`Tree size ${size} is not a count.`);
    const hashes: Hash[] = [];
    let start = 0;
    for (let level = Math.floor(Math.log2(Math.max(size, 1))) + 1; level >= 0; level--) {
      const width = 2 ** level;
      if (start + width <= size) {
        hashes.push(nodes(level, start / width));
        start += width;
      }
    }
    return new CompactRange(size, hashes);
  }

  get size(): number {
    return this.#size;
  }

  get hashes(): Hash[] {
    return [...this.#hashes];
  }

  /** Appends one leaf hash; returns the perfect nodes it completes, the leaf itself first. */
  append(leaf: Hash): PerfectNode[] {
    if (leaf.length !== HASH_SIZE) throw new RangeError("A leaf hash is 32 bytes.");
    const index = this.#size;
    const completed: PerfectNode[] = [{ level: 0, index, hash: leaf }];
    let hash = leaf;
    let level = 0;
    for (let rest = index; lowBit(rest); rest = shift(rest)) {
      hash = nodeHash(this.#hashes.pop() as Hash, hash);
      level++;
      completed.push({ level, index: Math.floor(index / 2 ** level), hash });
    }
    this.#hashes.push(hash);
    this.#size = index + 1;
    return completed;
  }

  /** MTH of the tree so far. */
  root(): Hash {
    const hashes = this.#hashes;
    if (hashes.length === 0) return EMPTY_ROOT;
    let root = hashes[hashes.length - 1] as Hash;
    for (let i = hashes.length - 2; i >= 0; i--) root = nodeHash(hashes[i] as Hash, root);
    return root;
  }
}
