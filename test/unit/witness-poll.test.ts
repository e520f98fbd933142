import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sha256 } from "@noble/hashes/sha2.js";
import { afterAll, describe, expect, it } from "vitest";
import { encodeEntry, type LogEntry } from "../../app/platform/transparency/log-entries";
import { CompactRange, consistencyProof, type Hash, leafHash } from "../../app/platform/transparency/merkle";
import { newNoteSigner, signNote, vkeyOf } from "../../app/platform/transparency/note-signing.server";
import {
  cosignatureTime,
  formatCheckpoint,
  formatNote,
  parseCheckpoint,
  parseNote,
  parseVkey,
  SIG_ED25519,
  signatureBy,
  toBase64,
  verifySignature,
} from "../../app/platform/transparency/signed-note";
import { type PollResult, pollOnce } from "../../app/witness/witness-poll";
import {
  defaultWitnessName,
  initWitnessState,
  loadWitnessState,
  type WitnessState,
  WitnessStateError,
} from "../../app/witness/witness-state";

/**
 * One poll of the witness against a log served from memory (its checkpoints signed as the server
 * signs them): what it cosigns, and each way a log can fail it — a rewrite, a shrink, another log
 * key, a second key for a scope, a retirement of a key never logged, entries that do not add up.
 */

const NOW = 1_900_000_000_000; // fixed clock
const DAY = new Date(NOW).toISOString().slice(0, 10);
const HOUR = new Date(NOW - (NOW % 3_600_000)).toISOString();

const work = mkdtempSync(path.join(tmpdir(), "witness-poll-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let files = 0;
const newState = () => initWitnessState(path.join(work, `w${++files}.json`), "witness.unit");

function keyEntry(scope: string): LogEntry {
  const publicKey = randomBytes(40).toString("base64url");
  const fingerprint = Buffer.from(sha256(Buffer.from(publicKey, "base64url"))).toString("hex");
  return { type: "key", scope, fingerprint, publicKey, on: DAY, legacyAnonymous: 0 };
}
const stateEntry = (petition: number, count: number): LogEntry => ({
  type: "petition",
  petition,
  length: count + 1,
  head: "ab".repeat(32),
  count,
  tokensIssued: 0,
  publicWithToken: 0,
  publicWithoutToken: count,
  at: HOUR,
});

/** A log in memory, served over a fake fetch as the server's /api/log endpoints serve it. */
function memoryLog(origin = "example.com/undersigned-log") {
  const { signer } = newNoteSigner(origin, SIG_ED25519);
  const leaves: string[] = [];
  const nodes = new Map<string, Hash>();
  let range = new CompactRange();
  let served: { note: string } = { note: "" };
  const posted: string[] = [];
  const requests: string[] = [];
  let cosignatureStatus = 204;
  let trustKey = vkeyOf(signer);

  const sign = () => {
    const body = formatCheckpoint({ origin, size: range.size, root: range.root(), extensions: [] });
    served = { note: formatNote(body, [signNote(body, signer)]) };
  };
  const log = {
    signer,
    posted,
    requests,
    append(...entries: LogEntry[]) {
      for (const entry of entries) {
        const data = encodeEntry(entry);
        leaves.push(new TextDecoder().decode(data));
        for (const node of range.append(leafHash(data))) nodes.set(`${node.level}/${node.index}`, node.hash);
      }
      sign();
      return log;
    },
    /** Replaces entry `index` and re-signs the whole tree with the log's key: a rewrite. */
    rewrite(index: number, entry: LogEntry) {
      const old = [...leaves];
      old[index] = new TextDecoder().decode(encodeEntry(entry));
      leaves.length = 0;
      nodes.clear();
      range = new CompactRange();
      for (const line of old) {
        leaves.push(line);
        for (const node of range.append(leafHash(new TextEncoder().encode(line))))
          nodes.set(`${node.level}/${node.index}`, node.hash);
      }
      sign();
    },
    serve(note: string) {
      served = { note };
    },
    get note() {
      return served.note;
    },
    set trustKey(vkey: string) {
      trustKey = vkey;
    },
    set cosignatureStatus(status: number) {
      cosignatureStatus = status;
    },
    fetch: (async (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(String(input));
      requests.push(url.pathname + url.search);
      const q = (name: string) => Number(url.searchParams.get(name));
      const json = (value: unknown) => new Response(JSON.stringify(value), { status: 200 });
      switch (url.pathname) {
        case "/api/log/trust":
          return json({ origin, logKey: trustKey, witnesses: [], freshnessMinutes: 60 });
        case "/api/log/checkpoint":
          return new Response(served.note);
        case "/api/log/entries":
          return json({
            entries: leaves
              .slice(q("start"), Math.min(q("end"), q("start") + 2))
              .map((data, i) => ({ index: q("start") + i, data })),
          });
        case "/api/log/proof/consistency":
          return json({
            proof: consistencyProof(q("from"), q("to"), (level, index) => {
              const hash = nodes.get(`${level}/${index}`);
              if (!hash) throw new Error(`no node ${level}/${index}`);
              return hash;
            }).map(toBase64),
          });
        case "/api/log/cosignature":
          posted.push(String(init?.body));
          return new Response(cosignatureStatus === 204 ? null : "not listed", { status: cosignatureStatus });
        default:
          return new Response("not found", { status: 404 });
      }
    }) as typeof fetch,
  };
  return log;
}

type Log = ReturnType<typeof memoryLog>;

async function poll(state: WitnessState, log: Log) {
  const saved: WitnessState[] = [];
  const result = await pollOnce(state, {
    url: "http://server.test/",
    now: () => NOW,
    save: (s) => saved.push(s),
    fetch: log.fetch,
  });
  return { result, saved };
}

function cosignedState(result: PollResult): WitnessState {
  if (result.kind !== "cosigned") throw new Error(`not cosigned: ${JSON.stringify(result)}`);
  return result.state;
}

function refusal(result: PollResult) {
  if (result.kind !== "refused") throw new Error(`not refused: ${JSON.stringify(result)}`);
  return result;
}

describe("the witness's state file", () => {
  it("is made with a new cosigning key, readable by its owner only, and never replaced", () => {
    const file = path.join(work, "fresh.json");
    const state = initWitnessState(file, "witness.council");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(parseVkey(state.vkey)).toMatchObject({ name: "witness.council", type: 0x04 });
    expect(loadWitnessState(file)).toEqual(state);
    expect(() => initWitnessState(file, "witness.council")).toThrow(WitnessStateError);
    expect(loadWitnessState(file).vkey).toBe(state.vkey);
  });

  it("names a witness after its machine without spaces or plus signs", () => {
    expect(defaultWitnessName("Alice's Laptop+2.local")).toBe("witness.alice-s-laptop-2.local");
    expect(() => initWitnessState(path.join(work, "bad.json"), "my witness")).toThrow(WitnessStateError);
  });
});

describe("a poll of an honest log", () => {
  it("pins the log, replays every entry, saves before it sends, and posts a cosignature that verifies", async () => {
    const log = memoryLog().append(keyEntry("petition:1"), stateEntry(1, 0), keyEntry("petition:2"));
    const state = newState();
    const { result, saved } = await poll(state, log);
    const next = cosignedState(result);
    expect(result).toMatchObject({ size: 3, origin: "example.com/undersigned-log" });
    expect(saved).toEqual([next]);
    expect(next.log).toEqual({
      url: "http://server.test",
      origin: "example.com/undersigned-log",
      logKey: vkeyOf(log.signer),
    });
    expect(Object.keys(next.keys)).toEqual(["petition:1", "petition:2"]);
    expect(next.cosigned).toMatchObject({ size: 3, note: log.note });

    const sent = parseNote(log.posted[0] ?? "");
    expect(sent.body).toBe(parseNote(log.note).body);
    const verifier = parseVkey(state.vkey);
    const cosignature = signatureBy(sent.signatures, verifier);
    expect(cosignature && verifySignature(sent.body, cosignature, verifier)).toBe(true);
    expect(cosignature && cosignatureTime(cosignature)).toBe(NOW / 1000);
  });

  it("cosigns a grown log after checking the consistency proof, and the same checkpoint again", async () => {
    const log = memoryLog().append(keyEntry("petition:1"), stateEntry(1, 0), stateEntry(1, 1));
    const first = cosignedState((await poll(newState(), log)).result);
    log.append(stateEntry(1, 2), keyEntry("petition:2"), stateEntry(2, 0));
    log.requests.length = 0;
    const second = cosignedState((await poll(first, log)).result);
    expect(second.cosigned?.size).toBe(6);
    expect(log.requests).toContain("/api/log/proof/consistency?from=3&to=6");
    // Only the new entries are read.
    expect(log.requests.filter((r) => r.startsWith("/api/log/entries"))[0]).toBe(
      "/api/log/entries?start=3&end=6",
    );
    const again = await poll(second, log);
    expect(cosignedState(again.result).cosigned).toEqual(second.cosigned);
    expect(log.posted).toHaveLength(3);
  });

  it("keeps its check when the server does not list it yet, and decides nothing when the server cannot be read", async () => {
    const log = memoryLog().append(keyEntry("petition:1"));
    log.cosignatureStatus = 403;
    const { result } = await poll(newState(), log);
    expect(result).toMatchObject({ kind: "not-listed", size: 1 });

    const down = await pollOnce(newState(), {
      url: "http://server.test",
      now: () => NOW,
      save: () => {
        throw new Error("nothing to save");
      },
      fetch: (async () => {
        throw new TypeError("fetch failed");
      }) as typeof fetch,
    });
    expect(down).toMatchObject({ kind: "unreachable" });
  });
});

describe("a log a witness refuses, with the checkpoint it cosigned and the new one", () => {
  async function cosignedLog() {
    const log = memoryLog().append(keyEntry("petition:1"), stateEntry(1, 4), stateEntry(1, 5));
    const state = cosignedState((await poll(newState(), log)).result);
    log.posted.length = 0;
    return { log, state, cosignedNote: log.note };
  }

  async function expectRefused(log: Log, state: WitnessState, cosignedNote: string, reason: RegExp) {
    const { result, saved } = await poll(state, log);
    const refused = refusal(result);
    expect(refused.reason).toMatch(reason);
    expect(refused.cosignedNote).toBe(cosignedNote);
    expect(refused.newNote).toBe(log.note);
    expect(saved).toEqual([]);
    expect(log.posted).toEqual([]);
  }

  it("refuses a rewritten entry under a checkpoint of the same size", async () => {
    const { log, state, cosignedNote } = await cosignedLog();
    log.rewrite(1, stateEntry(1, 40));
    await expectRefused(log, state, cosignedNote, /same size .* another root/);
  });

  it("refuses a rewritten history that grew, whose consistency proof fails", async () => {
    const { log, state, cosignedNote } = await cosignedLog();
    log.rewrite(1, stateEntry(1, 40));
    log.append(stateEntry(1, 41));
    await expectRefused(log, state, cosignedNote, /not append-only/);
  });

  it("refuses a log that shrank", async () => {
    const { log, state, cosignedNote } = await cosignedLog();
    const body = formatCheckpoint({ ...parseCheckpoint(parseNote(cosignedNote).body), size: 2 });
    log.serve(formatNote(body, [signNote(body, log.signer)]));
    await expectRefused(log, state, cosignedNote, /shrank/);
  });

  it("refuses another log key than the one it pinned, and a checkpoint the log's key did not sign", async () => {
    const { log, state, cosignedNote } = await cosignedLog();
    log.trustKey = vkeyOf(newNoteSigner("example.com/undersigned-log", SIG_ED25519).signer);
    await expectRefused(log, state, cosignedNote, /another log or log key/);

    const other = await cosignedLog();
    const forger = newNoteSigner("example.com/undersigned-log", SIG_ED25519).signer;
    const body = parseNote(other.log.note).body;
    other.log.serve(formatNote(body, [signNote(body, forger)]));
    await expectRefused(other.log, other.state, other.cosignedNote, /not signed by the log's key/);
  });

  it("refuses a second key for a scope, and the retirement of a key the log never held", async () => {
    const { log, state, cosignedNote } = await cosignedLog();
    log.append(stateEntry(1, 6), keyEntry("petition:1"));
    await expectRefused(log, state, cosignedNote, /Entry 4 is a second key for petition:1/);

    const other = await cosignedLog();
    const stray = keyEntry("petition:1") as Extract<LogEntry, { type: "key" }>;
    other.log.append({ type: "key-retired", scope: "petition:1", fingerprint: stray.fingerprint, on: DAY });
    await expectRefused(other.log, other.state, other.cosignedNote, /retires a key .* never held/);
  });

  it("takes entries that do not add up to the checkpoint's root as no answer (they prove nothing), and cosigns nothing", async () => {
    const { log, state, cosignedNote } = await cosignedLog();
    log.append(stateEntry(1, 6));
    const { fetch: honest } = log;
    const lying = (async (input: string | URL | Request, init?: RequestInit) => {
      if (String(input).includes("/api/log/entries"))
        return new Response(
          JSON.stringify({
            entries: [{ index: 3, data: new TextDecoder().decode(encodeEntry(stateEntry(1, 7))) }],
          }),
        );
      return honest(input, init);
    }) as typeof fetch;
    const result = await pollOnce(state, {
      url: "http://server.test",
      now: () => NOW,
      save: () => {},
      fetch: lying,
    });
    expect(result).toMatchObject({ kind: "unreachable" });
    expect(result.kind === "unreachable" && result.message).toMatch(/do not add up/);
    // Nothing new was saved or cosigned: the next poll checks against the same checkpoint.
    expect(state.cosigned?.note).toBe(cosignedNote);
  });
});
