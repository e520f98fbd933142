import { createHash, randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { encodeEntry, type LogEntry } from "../../app/platform/transparency/log-entries";
import {
  type Hash,
  inclusionProof,
  leafHash,
  nodeHash,
  type PerfectNodes,
  treeRoot,
} from "../../app/platform/transparency/merkle";
import { cosign, newNoteSigner, signNote, vkeyOf } from "../../app/platform/transparency/note-signing.server";
import { formatCheckpoint, formatNote, toBase64 } from "../../app/platform/transparency/signed-note";

/**
 * Review of issue 24 (adversarial): what a device does with a token it already holds, and what a
 * front end can do to a device that has not pinned the log yet. IndexedDB is replaced by maps
 * (idb-keyval mocked), fetch by a front end the test plays.
 */

const stores = new Map<string, Map<unknown, unknown>>();
vi.mock("idb-keyval", () => {
  const storeOf = (s: unknown) => {
    const name = String(s);
    let m = stores.get(name);
    if (!m) {
      m = new Map();
      stores.set(name, m);
    }
    return m;
  };
  return {
    createStore: (db: string, table: string) => `${db}/${table}`,
    get: async (k: unknown, s: unknown) => storeOf(s).get(k),
    set: async (k: unknown, v: unknown, s: unknown) => void storeOf(s).set(k, v),
    del: async (k: unknown, s: unknown) => void storeOf(s).delete(k),
    clear: async (s: unknown) => storeOf(s).clear(),
    entries: async (s: unknown) => [...storeOf(s).entries()],
  };
});

const { runIssuance } = await import("../../app/browser/wallet/issuance-run");
const { signAnonymously } = await import("../../app/browser/wallet/signing");
const { checkLog } = await import("../../app/browser/wallet/log-check");

const ORIGIN = "undersigned.example/undersigned-log";

function keyEntry(scope: string): Extract<LogEntry, { type: "key" }> {
  const der = randomBytes(40);
  return {
    type: "key",
    scope,
    fingerprint: createHash("sha256").update(der).digest("hex"),
    publicKey: der.toString("base64url"),
    on: new Date(Date.now()).toISOString().slice(0, 10),
    legacyAnonymous: 0,
  };
}

function makeLog(origin = ORIGIN) {
  const signer = newNoteSigner(origin, 0x01).signer;
  const leaves: Uint8Array[] = [];
  const hashes: Hash[] = [];
  const nodes: PerfectNodes = (level, index) =>
    level === 0
      ? (hashes[index] as Hash)
      : nodeHash(nodes(level - 1, 2 * index), nodes(level - 1, 2 * index + 1));
  const append = (entry: LogEntry) => {
    const data = encodeEntry(entry);
    leaves.push(data);
    hashes.push(leafHash(data));
  };
  const checkpoint = (size: number, witness?: ReturnType<typeof newNoteSigner>["signer"]) => {
    const body = formatCheckpoint({ origin, size, root: treeRoot(size, nodes), extensions: [] });
    return formatNote(body, [
      signNote(body, signer),
      ...(witness ? [cosign(body, witness, Math.floor(Date.now() / 1000))] : []),
    ]);
  };
  const keyProof = (index: number, size: number) => ({
    index,
    data: new TextDecoder().decode(leaves[index]),
    proof: inclusionProof(index, size, nodes).map(toBase64),
  });
  return { vkey: vkeyOf(signer), append, checkpoint, keyProof };
}

const witness = newNoteSigner("witness.staff-council", 0x04).signer;
const real = keyEntry("petition:1");
const tagged = keyEntry("petition:1");
const honestLog = makeLog();
honestLog.append(real);

/** The front end: /api/tokens gives `served`, the log endpoints the honest, witnessed log. */
function frontEnd(served: { publicKey: string; fingerprint: string }) {
  const posted: string[] = [];
  const fetchStub = async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    if (init?.method === "POST") {
      posted.push(url);
      if (url === "/api/tokens") return Response.json({ results: [] });
      return Response.json({ state: "pending" }, { status: 202 });
    }
    if (url === "/api/tokens")
      return Response.json({
        petitions: [{ scope: "petition:1", id: 1, slug: "one", ...served }],
        feedback: [],
      });
    if (url === "/api/log/trust")
      return Response.json({
        origin: ORIGIN,
        logKey: honestLog.vkey,
        witnesses: [vkeyOf(witness)],
        freshnessMinutes: 60,
      });
    if (url === "/api/log/keys")
      return Response.json({
        checkpoint: honestLog.checkpoint(1, witness),
        keys: [{ scope: "petition:1", ...honestLog.keyProof(0, 1) }],
      });
    return new Response("no", { status: 404 });
  };
  return { fetchStub, posted };
}

/** A token this device got before the log existed (issue 23's runs), for a key a front end tailored. */
function holdTokenFor(key: { publicKey: string; fingerprint: string }) {
  const device = new Map<unknown, unknown>();
  stores.set("undersigned-device/state", device);
  device.set("secret", new Uint8Array(16).fill(7));
  device.set("petition:1", {
    kind: "petition",
    scope: "petition:1",
    petitionId: 1,
    slug: "one",
    title: "One",
    publicKey: key.publicKey,
    fingerprint: key.fingerprint,
    token: { message: "bWVzc2FnZQ", signature: "c2lnbmF0dXJl", tokenId: "ab".repeat(32) },
    refused: null,
    status: "unused",
    standing: false,
    actionSeq: 0,
    pendingAction: null,
    reason: null,
    problem: null,
    sentAt: null,
    sentBoot: null,
  });
}

beforeEach(() => {
  stores.clear();
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe("a token held from before the log, for a key that is not the logged one", () => {
  it("is not spent on an anonymous signature while the front end keeps serving the tailored key", async () => {
    holdTokenFor(tagged);
    const { fetchStub, posted } = frontEnd(tagged);
    vi.stubGlobal("fetch", fetchStub);
    await runIssuance({ force: true }, () => undefined);
    // The run verified the log (its key for petition:1 is `real`), yet the held token's key is `tagged`.
    await expect(signAnonymously(1, null, null)).rejects.toThrow(/public log/);
    expect(posted).not.toContain("/api/petitions/1/anonymous");
  }, 10_000);

  it("is not spent once the front end serves the real key either (the 'key-changed' refusal keeps the token)", async () => {
    holdTokenFor(tagged);
    const { fetchStub, posted } = frontEnd(real);
    vi.stubGlobal("fetch", fetchStub);
    await runIssuance({ force: true }, () => undefined);
    const held = stores.get("undersigned-device/state")?.get("petition:1") as {
      refused: { reason: string } | null;
    };
    expect(held.refused?.reason).toBe("key-changed");
    await expect(signAnonymously(1, null, null)).rejects.toThrow();
    expect(posted).not.toContain("/api/petitions/1/anonymous");
  }, 10_000);
});

describe("a device that has not pinned the log yet (new device, or after 'Forget on this device')", () => {
  it("accepts a front end's own log with no witness: a tailored key is then 'verified' without any witness colluding", async () => {
    // The real deployment requires a witness; the front end serves this one address its own log.
    const fake = makeLog();
    fake.append(tagged);
    const pins = {
      pin: undefined as unknown,
      read: async () => pins.pin as never,
      write: async (p: unknown) => {
        pins.pin = p;
      },
    };
    const fetchLog = async (path: string) => {
      if (path === "/api/log/trust")
        return Response.json({ origin: ORIGIN, logKey: fake.vkey, witnesses: [], freshnessMinutes: 60 });
      if (path === "/api/log/keys")
        return Response.json({
          checkpoint: fake.checkpoint(1),
          keys: [{ scope: "petition:1", ...fake.keyProof(0, 1) }],
        });
      return new Response("no", { status: 404 });
    };
    const check = await checkLog(Date.now(), fetchLog, pins);
    // What docs/anonymity.md promises ("Giving one address a key of its own then needs a witness to
    // collude") needs the log key and witnesses from the built bundle, not from first sight.
    expect(check.state).not.toBe("verified");
  });
});
