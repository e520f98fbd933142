import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  CompactRange,
  consistencyProof,
  EMPTY_ROOT,
  type Hash,
  inclusionProof,
  leafHash,
  nodeHash,
  type PerfectNodes,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
} from "../../../app/platform/transparency/merkle";

/**
 * Our RFC 9162 tree against transparency-dev/merkle (Go, which we did not write): its JSON proof
 * vectors (copied into test/fixtures/transparency-dev-merkle) and the hashes of testonly/constants.go.
 */
const FIXTURES = path.resolve("test/fixtures/transparency-dev-merkle");

const b64 = (text: string) => new Uint8Array(Buffer.from(text, "base64"));
const hexBytes = (text: string) => new Uint8Array(Buffer.from(text, "hex"));
const hexOf = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return jsonFiles(full);
      return entry.name.endsWith(".json") ? [full] : [];
    })
    .sort();
}

type InclusionVector = {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
};
type ConsistencyVector = {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
};

const read = <T>(file: string) => JSON.parse(readFileSync(file, "utf8")) as T;
const name = (file: string) => path.relative(FIXTURES, file);

// testonly/constants.go
const LEAF_INPUTS = [
  "",
  "00",
  "10",
  "2021",
  "3031",
  "40414243",
  "5051525354555657",
  "606162636465666768696a6b6c6d6e6f",
].map(hexBytes);
const NODE_HASHES = [
  [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
  ],
  [
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
  ],
  [
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
  ],
  ["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
];
const ROOT_HASHES = [
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

/** Perfect nodes as a server would hold them: filled in from what CompactRange.append completes. */
function storedTree(leaves: Hash[]) {
  const store = new Map<string, Hash>();
  const range = new CompactRange();
  const roots = [range.root()];
  for (const leaf of leaves) {
    for (const node of range.append(leaf)) {
      const key = `${node.level}/${node.index}`;
      expect(store.has(key)).toBe(false);
      store.set(key, node.hash);
    }
    roots.push(range.root());
  }
  const nodes: PerfectNodes = (level, index) => {
    const hash = store.get(`${level}/${index}`);
    if (!hash) throw new Error(`no perfect node ${level}/${index}`);
    return hash;
  };
  return { store, nodes, roots };
}

describe("RFC 9162 Merkle tree against transparency-dev/merkle", () => {
  const inclusionFiles = jsonFiles(path.join(FIXTURES, "inclusion"));
  const consistencyFiles = jsonFiles(path.join(FIXTURES, "consistency"));

  it("finds the copied vectors", () => {
    expect(inclusionFiles).toHaveLength(98);
    expect(consistencyFiles).toHaveLength(98);
  });

  it("verifyInclusion refuses exactly the inclusion vectors transparency-dev refuses", () => {
    const disagreements = inclusionFiles.flatMap((file) => {
      const v = read<InclusionVector>(file);
      const ok = verifyInclusion(
        b64(v.leafHash),
        v.leafIdx,
        v.treeSize,
        (v.proof ?? []).map(b64),
        b64(v.root),
      );
      return ok === !v.wantErr ? [] : [`${name(file)}: ${v.desc}`];
    });
    expect(disagreements).toEqual([]);
  });

  it("verifyConsistency refuses exactly the consistency vectors transparency-dev refuses", () => {
    const disagreements = consistencyFiles.flatMap((file) => {
      const v = read<ConsistencyVector>(file);
      const ok = verifyConsistency(v.size1, v.size2, (v.proof ?? []).map(b64), b64(v.root1), b64(v.root2));
      return ok === !v.wantErr ? [] : [`${name(file)}: ${v.desc}`];
    });
    expect(disagreements).toEqual([]);
  });

  it("the happy-path vectors' proofs are the ones we generate", () => {
    const { nodes } = storedTree(LEAF_INPUTS.map(leafHash));
    let compared = 0;
    for (const file of inclusionFiles.filter((f) => f.endsWith("happy-path.json"))) {
      const v = read<InclusionVector>(file);
      if (v.treeSize > 8 || hexOf(b64(v.root)) !== ROOT_HASHES[v.treeSize]) continue;
      expect(inclusionProof(v.leafIdx, v.treeSize, nodes).map(hexOf), name(file)).toEqual(
        (v.proof ?? []).map((p) => hexOf(b64(p))),
      );
      compared++;
    }
    for (const file of consistencyFiles.filter((f) => f.endsWith("happy-path.json"))) {
      const v = read<ConsistencyVector>(file);
      if (v.size2 > 8 || hexOf(b64(v.root2)) !== ROOT_HASHES[v.size2]) continue;
      expect(consistencyProof(v.size1, v.size2, nodes).map(hexOf), name(file)).toEqual(
        (v.proof ?? []).map((p) => hexOf(b64(p))),
      );
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(8);
  });

  it("leaf hashes, perfect nodes and roots of the 8 test leaves match testonly/constants.go", () => {
    const leaves = LEAF_INPUTS.map(leafHash);
    expect(leaves.map(hexOf)).toEqual(NODE_HASHES[0]);
    expect(hexOf(EMPTY_ROOT)).toBe(ROOT_HASHES[0]);
    const { store, nodes, roots } = storedTree(leaves);
    // Every perfect node CompactRange completed is the one constants.go lists, and no other.
    const expected = NODE_HASHES.flatMap((level, l) => level.map((hash, i) => [`${l}/${i}`, hash]));
    expect([...store].map(([key, hash]) => [key, hexOf(hash)]).sort()).toEqual(expected.sort());
    for (let size = 0; size <= 8; size++) {
      expect(hexOf(treeRoot(size, nodes)), `treeRoot(${size})`).toBe(ROOT_HASHES[size]);
      expect(hexOf(roots[size] as Hash), `CompactRange root at ${size}`).toBe(ROOT_HASHES[size]);
    }
    expect(hexOf(nodeHash(leaves[0] as Hash, leaves[1] as Hash))).toBe(NODE_HASHES[1]?.[0]);
  });

  it("every generated inclusion and consistency proof of trees up to 8 leaves verifies, and a wrong one does not", () => {
    const leaves = LEAF_INPUTS.map(leafHash);
    const { nodes } = storedTree(leaves);
    const root = (size: number) => hexBytes(ROOT_HASHES[size] as string);
    for (let size = 1; size <= 8; size++) {
      for (let index = 0; index < size; index++) {
        const proof = inclusionProof(index, size, nodes);
        expect(verifyInclusion(leaves[index] as Hash, index, size, proof, root(size))).toBe(true);
        const other = leaves[(index + 1) % 8] as Hash;
        expect(verifyInclusion(other, index, size, proof, root(size))).toBe(false);
        if (size > 1)
          expect(verifyInclusion(leaves[index] as Hash, index, size, proof, root(size - 1))).toBe(false);
      }
      for (let size1 = 1; size1 <= size; size1++) {
        const proof = consistencyProof(size1, size, nodes);
        expect(verifyConsistency(size1, size, proof, root(size1), root(size)), `${size1}→${size}`).toBe(true);
        if (size1 < size) {
          expect(verifyConsistency(size1, size, proof, root(size1 - 1), root(size))).toBe(false);
          expect(verifyConsistency(size1, size, proof, root(size1), root(size - 1))).toBe(false);
        }
      }
    }
    expect(consistencyProof(0, 5, nodes)).toEqual([]);
    expect(() => inclusionProof(3, 3, nodes)).toThrow(RangeError);
    expect(() => consistencyProof(4, 3, nodes)).toThrow(RangeError);
  });

  it("a tree of up to 70 leaves built with CompactRange has treeRoot's root at every size, and its proofs verify", () => {
    // Leaves that are not the constants' (a simple deterministic sequence of varied lengths).
    const leaves = Array.from({ length: 70 }, (_, i) =>
      leafHash(Uint8Array.from({ length: (i * 7) % 13 }, (_, j) => (i * 31 + j * 17) % 256)),
    );
    const { nodes, roots } = storedTree(leaves);
    for (let size = 0; size <= 70; size++) {
      expect(hexOf(roots[size] as Hash), `size ${size}`).toBe(hexOf(treeRoot(size, nodes)));
      const fromNodes = CompactRange.fromNodes(size, nodes);
      expect(fromNodes.size).toBe(size);
      expect(hexOf(fromNodes.root())).toBe(hexOf(roots[size] as Hash));
    }
    for (const size of [1, 2, 3, 5, 8, 13, 21, 34, 55, 64, 69, 70]) {
      const root = roots[size] as Hash;
      for (let index = 0; index < size; index++) {
        const proof = inclusionProof(index, size, nodes);
        expect(verifyInclusion(leaves[index] as Hash, index, size, proof, root), `${index} in ${size}`).toBe(
          true,
        );
      }
      for (let size1 = 1; size1 <= size; size1++) {
        const proof = consistencyProof(size1, size, nodes);
        expect(verifyConsistency(size1, size, proof, roots[size1] as Hash, root), `${size1}→${size}`).toBe(
          true,
        );
      }
    }
  });

  it("a CompactRange carried as (size, hashes) resumes where it left off", () => {
    const leaves = Array.from({ length: 23 }, (_, i) => leafHash(Uint8Array.of(i)));
    const whole = new CompactRange();
    for (const leaf of leaves) whole.append(leaf);
    const first = new CompactRange();
    for (const leaf of leaves.slice(0, 11)) first.append(leaf);
    expect(first.hashes).toHaveLength(3); // 11 = 8 + 2 + 1
    const resumed = new CompactRange(first.size, first.hashes);
    for (const leaf of leaves.slice(11)) resumed.append(leaf);
    expect(hexOf(resumed.root())).toBe(hexOf(whole.root()));
    expect(() => new CompactRange(11, first.hashes.slice(1))).toThrow(RangeError);
  });
});
