import { describe, expect, it } from "vitest";
import { checkLog, type LogPin, type PinStore } from "../../app/browser/wallet/log-check";
import { encodeEntry } from "../../app/platform/transparency/log-entries";
import { consistencyProof, type Hash, treeRoot } from "../../app/platform/transparency/merkle";
import { cosign, newNoteSigner, signNote, vkeyOf } from "../../app/platform/transparency/note-signing.server";
import { formatCheckpoint, formatNote, toBase64 } from "../../app/platform/transparency/signed-note";
import { keyEntry as memoryKeyEntry, memoryLog } from "../support/memory-log";

/**
 * What a device's background run checks of the public log (app/browser/wallet/log-check.ts), against
 * a log built here with the server's own signing code and a witness's cosignatures: which keys it
 * trusts, when it pauses (a witness stale or missing), when it stops (another log key, a rewrite).
 */

const NOW = 1_900_000_000_000; // fixed clock: checkLog is handed this as its now
const MINUTE = 60_000;

const keyEntry = (scope: string) => memoryKeyEntry(scope, NOW);
const makeLog = memoryLog;

type Served = {
  trust: { origin: string; logKey: string; witnesses: string[]; freshnessMinutes: number };
  keys: {
    checkpoint: string | null;
    keys: Array<{ scope: string; index: number; data: string; proof: string[] }>;
  };
  consistency?: (from: number, to: number) => Hash[];
};

function server(served: () => Served) {
  const asked: string[] = [];
  const fetchLog = async (path: string) => {
    asked.push(path);
    const s = served();
    if (path === "/api/log/trust") return Response.json(s.trust);
    if (path === "/api/log/keys") return Response.json(s.keys);
    const match = /^\/api\/log\/proof\/consistency\?from=(\d+)&to=(\d+)$/.exec(path);
    if (match && s.consistency)
      return Response.json({ proof: s.consistency(Number(match[1]), Number(match[2])).map(toBase64) });
    return new Response("not here", { status: 404 });
  };
  return { fetchLog, asked };
}

function memoryPins(): PinStore & { pin: () => LogPin | undefined } {
  let pin: LogPin | undefined;
  return {
    read: async () => pin,
    write: async (next) => {
      pin = next;
    },
    pin: () => pin,
  };
}

/** A log with two petitions' keys and a witness that cosigned it `age` ms before NOW. */
function witnessedWorld(age = 5 * MINUTE) {
  const log = makeLog();
  const witness = newNoteSigner("witness.staff-council", 0x04).signer;
  const first = keyEntry("petition:1");
  const second = keyEntry("petition:2");
  log.append(first);
  log.append({
    type: "settings",
    batchMinutes: 15,
    batchMinimum: 5,
    minimumHolders: 20,
    at: new Date(NOW - (NOW % 3_600_000)).toISOString(),
  });
  log.append(second);
  const size = 3;
  const served: Served = {
    trust: {
      origin: "undersigned.example/undersigned-log",
      logKey: log.vkey,
      witnesses: [vkeyOf(witness)],
      freshnessMinutes: 60,
    },
    keys: {
      checkpoint: log.checkpoint(size, [{ witness, at: NOW - age }]),
      keys: [
        { scope: "petition:1", ...log.keyProof(0, size) },
        { scope: "petition:2", ...log.keyProof(2, size) },
      ],
    },
    consistency: (from, to) => consistencyProof(from, to, log.nodes),
  };
  return { log, witness, first, second, served };
}

describe("a device's check of the public log", () => {
  it("trusts the keys proved in a checkpoint the log signed and the witness cosigned within the hour", async () => {
    const world = witnessedWorld();
    const pins = memoryPins();
    const { fetchLog } = server(() => world.served);
    const check = await checkLog(NOW, fetchLog, pins);
    expect(check.state).toBe("verified");
    if (check.state !== "verified") return;
    expect(check.keys.get("petition:1")).toEqual({
      fingerprint: world.first.fingerprint,
      publicKey: world.first.publicKey,
    });
    expect(check.keys.get("petition:2")).toMatchObject({ fingerprint: world.second.fingerprint });
    expect(check.witnessNames).toEqual(["witness.staff-council"]);
    expect(pins.pin()).toMatchObject({ logKey: world.log.vkey, verified: { size: 3 } });
  });

  it("pauses everything when the witness last cosigned longer ago than the freshness, naming it and when", async () => {
    const world = witnessedWorld(61 * MINUTE);
    const check = await checkLog(NOW, server(() => world.served).fetchLog, memoryPins());
    expect(check.state).toBe("paused");
    if (check.state !== "paused") return;
    expect(check.message).toMatch(
      /^Anonymous signing is paused: the independent witness witness\.staff-council has not confirmed the public log since .+ UTC\./,
    );
    expect(check.message).toContain("You can still sign publicly.");
  });

  it("pauses when a witness this device pinned is no longer listed or its cosignature is gone (never fewer witnesses)", async () => {
    const world = witnessedWorld();
    const pins = memoryPins();
    const { fetchLog } = server(() => world.served);
    expect((await checkLog(NOW, fetchLog, pins)).state).toBe("verified");
    // The server drops the witness and serves the log's signature alone.
    world.served.trust = { ...world.served.trust, witnesses: [] };
    world.served.keys = { ...world.served.keys, checkpoint: world.log.checkpoint(3) };
    const check = await checkLog(NOW + MINUTE, fetchLog, pins);
    expect(check).toMatchObject({ state: "paused" });
    if (check.state === "paused") expect(check.message).toContain("witness.staff-council");
    expect(pins.pin()?.witnesses).toHaveLength(1);
  });

  it("pauses on a cosignature dated more than five minutes ahead, and on a freshness loosened after it was pinned", async () => {
    const ahead = witnessedWorld(-6 * MINUTE);
    expect((await checkLog(NOW, server(() => ahead.served).fetchLog, memoryPins())).state).toBe("paused");

    const world = witnessedWorld(30 * MINUTE);
    const pins = memoryPins();
    world.served.trust = { ...world.served.trust, freshnessMinutes: 20 };
    const { fetchLog } = server(() => world.served);
    expect((await checkLog(NOW, fetchLog, pins)).state).toBe("paused");
    world.served.trust = { ...world.served.trust, freshnessMinutes: 60 };
    expect((await checkLog(NOW, fetchLog, pins)).state).toBe("paused");
  });

  it("leaves out a key the log does not list, and disproves one whose proof does not reach the checkpoint", async () => {
    const world = witnessedWorld();
    const tagged = keyEntry("petition:2");
    world.served.keys.keys = [
      {
        scope: "petition:2",
        index: 2,
        data: new TextDecoder().decode(encodeEntry(tagged)),
        proof: world.served.keys.keys[1]?.proof ?? [],
      },
    ];
    const check = await checkLog(NOW, server(() => world.served).fetchLog, memoryPins());
    expect(check.state).toBe("verified");
    if (check.state !== "verified") return;
    expect(check.keys.has("petition:1")).toBe(false);
    expect(check.keys.get("petition:2")).toBe("disproved");
  });

  it("disproves a key entry served under another petition's scope", async () => {
    const world = witnessedWorld();
    world.served.keys.keys = [{ scope: "petition:2", ...world.log.keyProof(0, 3) }];
    const check = await checkLog(NOW, server(() => world.served).fetchLog, memoryPins());
    expect(check.state === "verified" && check.keys.get("petition:2")).toBe("disproved");
  });

  it("stops everything when the log was rewritten under what this device checked", async () => {
    const world = witnessedWorld();
    const pins = memoryPins();
    const { fetchLog } = server(() => world.served);
    expect((await checkLog(NOW, fetchLog, pins)).state).toBe("verified");
    // An operator rebuilds the log: the same first key, then other entries, and a bigger tree.
    const rewritten = makeLog();
    rewritten.append(world.first);
    rewritten.append(keyEntry("petition:2"));
    rewritten.append(keyEntry("petition:3"));
    rewritten.append(keyEntry("petition:4"));
    // Signed with the log's own key and cosigned by a careless witness: the check is the tree.
    const body = formatCheckpoint({
      origin: "undersigned.example/undersigned-log",
      size: 4,
      root: treeRoot(4, rewritten.nodes),
      extensions: [],
    });
    world.served.keys = {
      checkpoint: formatNote(body, [
        signNote(body, world.log.signer),
        cosign(body, world.witness, Math.floor(NOW / 1000)),
      ]),
      keys: [],
    };
    world.served.consistency = (from, to) => consistencyProof(from, to, rewritten.nodes);
    const check = await checkLog(NOW + MINUTE, fetchLog, pins);
    expect(check).toMatchObject({ state: "paused" });
    if (check.state === "paused") expect(check.message).toContain("the public log was rewritten");
    expect(pins.pin()?.verified?.size).toBe(3);
  });

  it("accepts a grown log with a consistency proof, and an older witnessed checkpoint without moving back", async () => {
    const world = witnessedWorld();
    const pins = memoryPins();
    const { fetchLog, asked } = server(() => world.served);
    expect((await checkLog(NOW, fetchLog, pins)).state).toBe("verified");
    world.log.append(keyEntry("petition:3"));
    world.served.keys = {
      checkpoint: world.log.checkpoint(4, [{ witness: world.witness, at: NOW }]),
      keys: [],
    };
    expect((await checkLog(NOW, fetchLog, pins)).state).toBe("verified");
    expect(asked).toContain("/api/log/proof/consistency?from=3&to=4");
    expect(pins.pin()?.verified?.size).toBe(4);
    world.served.keys = {
      checkpoint: world.log.checkpoint(3, [{ witness: world.witness, at: NOW }]),
      keys: [],
    };
    expect((await checkLog(NOW, fetchLog, pins)).state).toBe("verified");
    expect(pins.pin()?.verified?.size).toBe(4);
  });

  it("stops everything when the server shows another log key than the one pinned on first sight", async () => {
    const world = witnessedWorld();
    const pins = memoryPins();
    const { fetchLog } = server(() => world.served);
    await checkLog(NOW, fetchLog, pins);
    const other = makeLog();
    world.served.trust = { ...world.served.trust, logKey: other.vkey };
    const check = await checkLog(NOW, fetchLog, pins);
    expect(check).toMatchObject({ state: "paused" });
    if (check.state === "paused") expect(check.message).toContain("another name or key");
  });

  it("with no witness configured, trusts keys in the checkpoint the log signed, and nothing it did not sign", async () => {
    const log = makeLog();
    const key = keyEntry("petition:7");
    log.append(key);
    const served: Served = {
      trust: {
        origin: "undersigned.example/undersigned-log",
        logKey: log.vkey,
        witnesses: [],
        freshnessMinutes: 60,
      },
      keys: { checkpoint: log.checkpoint(1), keys: [{ scope: "petition:7", ...log.keyProof(0, 1) }] },
    };
    const check = await checkLog(NOW, server(() => served).fetchLog, memoryPins());
    expect(check.state === "verified" && check.keys.get("petition:7")).toMatchObject({
      fingerprint: key.fingerprint,
    });

    const impostor = makeLog();
    impostor.append(key);
    served.keys = {
      checkpoint: impostor.checkpoint(1),
      keys: [{ scope: "petition:7", ...impostor.keyProof(0, 1) }],
    };
    const refused = await checkLog(NOW, server(() => served).fetchLog, memoryPins());
    expect(refused).toMatchObject({ state: "paused" });
    if (refused.state === "paused")
      expect(refused.message).toContain("does not carry the log's own signature");
  });

  it("floors the freshness at five minutes: a front end serving a tiny one cannot pause a device for good", async () => {
    const world = witnessedWorld(4 * MINUTE);
    const pins = memoryPins();
    world.served.trust = { ...world.served.trust, freshnessMinutes: 0.001 };
    const { fetchLog } = server(() => world.served);
    expect((await checkLog(NOW, fetchLog, pins)).state).toBe("verified");
    expect(pins.pin()?.freshnessMinutes).toBe(5);
    // Served honestly again: still five minutes at most (never looser than pinned), never less.
    world.served.trust = { ...world.served.trust, freshnessMinutes: 60 };
    expect((await checkLog(NOW, fetchLog, pins)).state).toBe("verified");
    // A pin kept before the floor existed is floored when used.
    await pins.write({ ...(pins.pin() as LogPin), freshnessMinutes: 0.001 });
    expect((await checkLog(NOW, fetchLog, pins)).state).toBe("verified");
    // Older than five minutes: paused, as it should be.
    const stale = witnessedWorld(6 * MINUTE);
    stale.served.trust = { ...stale.served.trust, freshnessMinutes: 0.001 };
    expect((await checkLog(NOW, server(() => stale.served).fetchLog, memoryPins())).state).toBe("paused");
  });

  it("reads a scope served twice at its lowest index, whatever order it comes in", async () => {
    const world = witnessedWorld();
    const firstKey = world.served.keys.keys[0];
    if (!firstKey) throw new Error("no key");
    // The first key again, and a later entry for the same scope whose proof does not verify.
    const garbage = {
      scope: "petition:1",
      index: 2,
      data: firstKey.data.replace("petition:1", "petition:9"),
      proof: [],
    };
    // Last-wins would read the later one (and refuse the petition's key for good).
    world.served.keys.keys = [{ ...firstKey }, firstKey, garbage];
    const check = await checkLog(NOW, server(() => world.served).fetchLog, memoryPins());
    expect(check.state === "verified" && check.keys.get("petition:1")).toEqual({
      fingerprint: world.first.fingerprint,
      publicKey: world.first.publicKey,
    });
  });

  it("disproves a scope when two of its entries verify with different keys: the log holds a second key", async () => {
    const world = witnessedWorld();
    const second = keyEntry("petition:1");
    const index = world.log.append(second);
    const size = index + 1;
    world.served.keys = {
      checkpoint: world.log.checkpoint(size, [{ witness: world.witness, at: NOW }]),
      // The later key first, as a front end might: last-wins would have taken it.
      keys: [
        { scope: "petition:1", ...world.log.keyProof(index, size) },
        { scope: "petition:1", ...world.log.keyProof(0, size) },
      ],
    };
    const check = await checkLog(NOW, server(() => world.served).fetchLog, memoryPins());
    expect(check.state === "verified" && check.keys.get("petition:1")).toBe("disproved");
  });
});
