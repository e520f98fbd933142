import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sha256 } from "@noble/hashes/sha2.js";
import { afterAll, describe, expect, it } from "vitest";
import { encodeEntry, type LogEntry } from "../../app/platform/transparency/log-entries";
import { CompactRange, leafHash } from "../../app/platform/transparency/merkle";
import { newNoteSigner, signNote, vkeyOf } from "../../app/platform/transparency/note-signing.server";
import {
  formatCheckpoint,
  formatNote,
  parseCheckpoint,
  parseNote,
  parseVkey,
  SIG_ED25519,
  signatureBy,
  verifySignature,
} from "../../app/platform/transparency/signed-note";
import { pollOnce } from "../../app/witness/witness-poll";
import { initWitness, readWitnessState } from "../support/witness";

/**
 * A malicious server against a running witness process
 * (`npm run witness`). The server keeps every cosignature it is sent but answers the POST with an
 * error: the witness saved the new checkpoint to its file, but keeps checking the next poll against
 * the one it had in memory, so it cosigns a second checkpoint of the same size (a fork).
 */

const origin = "fork.example/undersigned-log";
const { signer } = newNoteSigner(origin, SIG_ED25519);
const day = new Date(Date.now()).toISOString().slice(0, 10);

function keyEntry(scope: string): LogEntry {
  const publicKey = randomBytes(40).toString("base64url");
  const fingerprint = Buffer.from(sha256(Buffer.from(publicKey, "base64url"))).toString("hex");
  return { type: "key", scope, fingerprint, publicKey, on: day, legacyAnonymous: 0 };
}

/** A branch of the log: its leaf lines and its signed checkpoint. */
function branch(entries: LogEntry[]) {
  const leaves = entries.map((e) => new TextDecoder().decode(encodeEntry(e)));
  const range = new CompactRange();
  for (const line of leaves) range.append(leafHash(new TextEncoder().encode(line)));
  const body = formatCheckpoint({ origin, size: range.size, root: range.root(), extensions: [] });
  return { leaves, note: formatNote(body, [signNote(body, signer)]), body };
}

const shared = keyEntry("petition:1");
// Two checkpoints of size 2: petition 2's key for everyone (A), and another one for one person (B).
const forkA = branch([shared, keyEntry("petition:2")]);
const forkB = branch([shared, keyEntry("petition:2")]);

const servers: Server[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
  for (const server of servers) server.close();
});

describe("a server that keeps cosignatures but answers their POST with an error", () => {
  it("does not get the witness to cosign two different checkpoints of the same size", async () => {
    const witness = await initWitness({ name: "witness.review" });
    const verifier = parseVkey(witness.vkey);
    const cosigned: string[] = [];
    let serving = forkA;
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      if (req.method === "POST" && url.pathname === "/api/log/cosignature") {
        let body = "";
        req.on("data", (chunk) => {
          body += chunk;
        });
        req.on("end", () => {
          cosigned.push(body);
          // Kept; the witness is told it failed. Next poll, the other branch.
          serving = serving === forkA ? forkB : forkA;
          res.writeHead(503).end("busy, try again\n");
        });
        return;
      }
      if (url.pathname === "/api/log/trust") {
        res.end(JSON.stringify({ origin, logKey: vkeyOf(signer), witnesses: [], freshnessMinutes: 60 }));
      } else if (url.pathname === "/api/log/checkpoint") {
        res.end(serving.note);
      } else if (url.pathname === "/api/log/entries") {
        const start = Number(url.searchParams.get("start"));
        const end = Number(url.searchParams.get("end"));
        res.end(
          JSON.stringify({
            entries: serving.leaves.slice(start, end).map((data, i) => ({ index: start + i, data })),
          }),
        );
      } else {
        res.writeHead(404).end("no\n");
      }
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "app/witness/witness-command.ts",
        url,
        "--state",
        witness.stateFile,
        "--every",
        "0.3",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    children.push(child);
    let output = "";
    child.stdout?.on("data", (d) => {
      output += d;
    });
    child.stderr?.on("data", (d) => {
      output += d;
    });
    const deadline = Date.now() + 20_000;
    while (cosigned.length < 3 && Date.now() < deadline && child.exitCode === null)
      await new Promise((r) => setTimeout(r, 100));
    child.kill("SIGKILL");

    // Which checkpoints did the witness put its cosignature on?
    const signedRoots = new Set<string>();
    for (const text of cosigned) {
      const note = parseNote(text);
      const signature = signatureBy(note.signatures, verifier);
      if (signature && verifySignature(note.body, signature, verifier)) {
        const checkpoint = parseCheckpoint(note.body);
        signedRoots.add(`${checkpoint.size} ${Buffer.from(checkpoint.root).toString("base64")}`);
      }
    }
    expect(cosigned.length, output).toBeGreaterThanOrEqual(1);
    // One size, one root: anything else is a split view the server can show two audiences.
    expect([...signedRoots], output).toHaveLength(1);
    // The other branch is refused with both checkpoints as evidence, and the witness stops.
    expect(output).toContain("REFUSED");
    expect(output).toContain(forkA.note);
    expect(output).toContain(forkB.note);
    expect(readWitnessState(witness.stateFile).cosigned?.size).toBe(2);
    witness.remove();
  }, 40_000);
});

describe("a server that never answers", () => {
  it("does not hang a poll forever", async () => {
    const witness = await initWitness({ name: "witness.review2" });
    const state = readWitnessState(witness.stateFile);
    const never = (() => new Promise<Response>(() => undefined)) as typeof fetch;
    const result = await Promise.race([
      pollOnce(state, {
        url: "http://stuck.example",
        now: Date.now,
        save: () => undefined,
        fetch: never,
        timeoutMs: 1_000,
      }),
      new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), 5_000)),
    ]);
    witness.remove();
    // A witness that hangs confirms nothing and says nothing: it should give up on a poll (a timeout) and say so.
    expect(result).not.toBe("hung");
    expect(result).toMatchObject({ kind: "unreachable" });
  }, 20_000);
});

describe("a server that sends its headers and then nothing", () => {
  it("gives up on the poll", async () => {
    const witness = await initWitness({ name: "witness.trickle" });
    const st = readWitnessState(witness.stateFile);
    // Headers arrive at once; the body never ends.
    const trickle = (async () =>
      new Response(new ReadableStream({ start() {} }), { status: 200 })) as typeof fetch;
    const result = await Promise.race([
      pollOnce(st, {
        url: "http://slow.example",
        now: Date.now,
        save: () => undefined,
        fetch: trickle,
        timeoutMs: 1_000,
      }),
      new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), 5_000)),
    ]);
    witness.remove();
    expect(result).not.toBe("hung");
  }, 20_000);
});
