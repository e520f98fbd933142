import { describe, expect, it } from "vitest";
import { getConfig } from "../../app/config.server";
import { publishIssuedCounts } from "../../app/domain/petitions/anonymous-signing.server";
import { petitionKeyView } from "../../app/domain/petitions/petition-keys.server";
import { NO_ANONYMOUS_SIGNATURE_QUESTION, signPetition } from "../../app/domain/petitions/signing.server";
import { logCurrentState, logRestoredPetitions } from "../../app/domain/transparency/log-writer.server";
import { generateBlindKeyPair } from "../../app/platform/anonymity/blind-signatures.server";
import { petitionScope } from "../../app/platform/anonymity/token-messages";
import { HOUR_MS } from "../../app/platform/time";
import { logNewKey, SecondKeyRefused } from "../../app/platform/transparency/key-entries.server";
import {
  checkpointOfSize,
  firstScopeEntry,
  lastPetitionEntry,
  latestCheckpoint,
  logEntries,
  logVkey,
} from "../../app/platform/transparency/log.server";
import { parseEntry } from "../../app/platform/transparency/log-entries";
import { leafHash, verifyConsistency, verifyInclusion } from "../../app/platform/transparency/merkle";
import { cosign, newNoteSigner, vkeyOf } from "../../app/platform/transparency/note-signing.server";
import {
  formatNote,
  fromBase64,
  parseCheckpoint,
  parseNote,
  parseVkey,
  SIG_COSIGNATURE,
  verifySignature,
} from "../../app/platform/transparency/signed-note";
import { acceptCosignatures, CosignatureRefused } from "../../app/platform/transparency/witnessing.server";
import * as checkpointRoute from "../../app/routes/api.log.checkpoint._index";
import * as witnessedRoute from "../../app/routes/api.log.checkpoint.witnessed";
import * as cosignatureRoute from "../../app/routes/api.log.cosignature";
import * as entriesRoute from "../../app/routes/api.log.entries";
import * as keysRoute from "../../app/routes/api.log.keys";
import * as consistencyRoute from "../../app/routes/api.log.proof.consistency";
import * as inclusionRoute from "../../app/routes/api.log.proof.inclusion";
import * as trustRoute from "../../app/routes/api.log.trust";
import { getDb } from "../../db/client";
import { callRoute, TEST_BASE_URL } from "../support/fixtures";
import { makeCompany, openPetition } from "../support/petition-fixtures";

/**
 * The public log (ADR 0039, docs/transparency-log.md) as the server keeps it: keys logged in the
 * transaction that stores them and never twice for a scope, ledger states at each batch period,
 * checkpoints the log signs, proofs that verify, and cosignatures taken only from required witnesses.
 */

const company = makeCompany(8);
const staff = company.member;

const get = (route: Parameters<typeof callRoute>[0], path: string) =>
  callRoute(route, "loader", null, path, {});

const logVerifier = () => {
  const vkey = logVkey();
  if (!vkey) throw new Error("no log key");
  return parseVkey(vkey);
};

function newestCheckpoint() {
  const checkpoint = latestCheckpoint();
  if (!checkpoint) throw new Error("no checkpoint");
  const note = parseNote(checkpoint.note);
  return { ...checkpoint, body: note.body, parsed: parseCheckpoint(note.body), signatures: note.signatures };
}

describe("keys in the public log", () => {
  it("logs a petition's key when it opens, in a checkpoint the log's key signs", () => {
    const petition = openPetition(company, "Logged key");
    const key = petitionKeyView(petition.id);
    const logged = firstScopeEntry(petitionScope(petition.id), "key");
    expect(logged?.entry).toMatchObject({
      type: "key",
      scope: petitionScope(petition.id),
      fingerprint: key?.fingerprint,
      publicKey: key?.publicKey,
      legacyAnonymous: 0,
    });
    const checkpoint = newestCheckpoint();
    expect(checkpoint.parsed.size).toBeGreaterThan(logged?.index ?? Number.POSITIVE_INFINITY);
    const signature = checkpoint.signatures[0];
    expect(signature && verifySignature(checkpoint.body, signature, logVerifier())).toBe(true);
  });

  it("refuses a second key for a scope, so the log never holds two for one petition", () => {
    const petition = openPetition(company, "One key for life");
    const scope = petitionScope(petition.id);
    const before = latestCheckpoint()?.size;
    const other = generateBlindKeyPair();
    expect(() =>
      getDb().transaction(() => logNewKey(scope, other, Date.now()), { behavior: "immediate" }),
    ).toThrow(SecondKeyRefused);
    expect(latestCheckpoint()?.size).toBe(before);
    // The same key again is no second key: nothing is added.
    const key = petitionKeyView(petition.id);
    if (!key) throw new Error("no key");
    getDb().transaction(() => logNewKey(scope, key, Date.now()), { behavior: "immediate" });
    expect(latestCheckpoint()?.size).toBe(before);
  });
});

describe("petition states at batch periods", () => {
  it("logs a ledger's head and figures once a period, and again only after they moved", async () => {
    const petition = openPetition(company, "Heads in the log");
    const now = Date.now();
    const slot = now - (now % HOUR_MS) + 2 * HOUR_MS;
    logCurrentState(slot);
    const first = lastPetitionEntry(petition.id, "petition");
    expect(first?.entry).toMatchObject({
      petition: petition.id,
      length: 1,
      count: 0,
      publicWithoutToken: 0,
    });
    const size = latestCheckpoint()?.size;
    // The same period again: nothing.
    expect(logCurrentState(slot + 60_000)).toBe(0);
    expect(latestCheckpoint()?.size).toBe(size);
    // A new period with nothing changed: nothing for this petition.
    logCurrentState(slot + HOUR_MS);
    expect(lastPetitionEntry(petition.id, "petition")?.index).toBe(first?.index);
    await signPetition({
      petitionId: petition.id,
      user: staff(5),
      ip: null,
      noAnonymousSignature: true,
    });
    publishIssuedCounts();
    logCurrentState(slot + 2 * HOUR_MS);
    const second = lastPetitionEntry(petition.id, "petition");
    expect(second?.index).toBeGreaterThan(first?.index ?? 0);
    const stored = getDb()
      .$client.prepare<[number], { ledger_head: string }>("select ledger_head from petitions where id = ?")
      .get(petition.id);
    expect(second?.entry).toMatchObject({
      length: 2,
      count: 1,
      publicWithoutToken: 1,
      head: stored?.ledger_head,
    });
    expect(NO_ANONYMOUS_SIGNATURE_QUESTION).toBeTruthy();
  });

  it("logs the batch settings in force", () => {
    logCurrentState(Date.now() + 5 * HOUR_MS, { force: true });
    const settings = logEntries(0, latestCheckpoint()?.size ?? 0)
      .map((row) => parseEntry(new TextEncoder().encode(row.data)))
      .filter((entry) => entry.type === "settings");
    expect(settings.at(-1)).toMatchObject({ batchMinutes: 15, batchMinimum: 5, minimumHolders: 20 });
  });
});

describe("after a restore", () => {
  it("logs a restored entry for a petition the backup takes back, by its ledger or its tokens issued", () => {
    const petition = openPetition(company, "Taken back by a restore");
    const slot = Date.now() + 10 * HOUR_MS;
    getDb()
      .$client.prepare("update blind_keys set issued_published = 25 where scope = ?")
      .run(petitionScope(petition.id));
    logCurrentState(slot, { force: true });
    expect(lastPetitionEntry(petition.id, "petition")?.entry.tokensIssued).toBe(25);
    // The restored copy as it stands: nothing taken back, nothing logged.
    expect(logRestoredPetitions(getDb(), slot, null)).not.toContain(petition.id);
    // Tokens issued after the backup (its number is lower), no signature lost: taken back all the same.
    getDb()
      .$client.prepare("update blind_keys set issued_published = 20 where scope = ?")
      .run(petitionScope(petition.id));
    expect(logRestoredPetitions(getDb(), slot, null)).toContain(petition.id);
    expect(lastPetitionEntry(petition.id, "restored")?.entry).toMatchObject({
      petition: petition.id,
      length: 1,
    });
    // Once logged, the same restore is not logged again.
    expect(logRestoredPetitions(getDb(), slot, null)).not.toContain(petition.id);
  });
});

describe("what anyone can fetch", () => {
  it("serves entries, inclusion and consistency proofs that verify against signed checkpoints", async () => {
    openPetition(company, "Proofs");
    const older = newestCheckpoint();
    openPetition(company, "More proofs");
    const newer = newestCheckpoint();
    const entries = (await (await get(entriesRoute, `/api/log/entries?start=0`)).json()) as {
      entries: Array<{ index: number; data: string }>;
    };
    expect(entries.entries).toHaveLength(newer.parsed.size);
    for (const index of [0, Math.floor(newer.parsed.size / 2), newer.parsed.size - 1]) {
      const answer = await get(
        inclusionRoute,
        `/api/log/proof/inclusion?index=${index}&size=${newer.parsed.size}`,
      );
      const { proof } = (await answer.json()) as { proof: string[] };
      const data = new TextEncoder().encode(entries.entries[index]?.data);
      expect(
        verifyInclusion(leafHash(data), index, newer.parsed.size, proof.map(fromBase64), newer.parsed.root),
      ).toBe(true);
    }
    const answer = await get(
      consistencyRoute,
      `/api/log/proof/consistency?from=${older.parsed.size}&to=${newer.parsed.size}`,
    );
    const { proof } = (await answer.json()) as { proof: string[] };
    expect(
      verifyConsistency(
        older.parsed.size,
        newer.parsed.size,
        proof.map(fromBase64),
        older.parsed.root,
        newer.parsed.root,
      ),
    ).toBe(true);
    const text = await (await get(checkpointRoute, "/api/log/checkpoint")).text();
    expect(parseNote(text).body).toBe(newer.body);
    const trust = (await (await get(trustRoute, "/api/log/trust")).json()) as {
      logKey: string;
      witnesses: string[];
    };
    expect(trust.logKey).toBe(logVkey());
    expect(trust.witnesses).toEqual([]);
  });

  it("lists every open petition's key with a proof in the witnessed checkpoint", async () => {
    const petition = openPetition(company, "Listed with a proof");
    const answer = (await (await get(keysRoute, "/api/log/keys")).json()) as {
      checkpoint: string;
      keys: Array<{ scope: string; index: number; data: string; proof: string[] }>;
    };
    const checkpoint = parseCheckpoint(parseNote(answer.checkpoint).body);
    const listed = answer.keys.find((k) => k.scope === petitionScope(petition.id));
    expect(listed).toBeDefined();
    if (!listed) return;
    expect(
      verifyInclusion(
        leafHash(new TextEncoder().encode(listed.data)),
        listed.index,
        checkpoint.size,
        listed.proof.map(fromBase64),
        checkpoint.root,
      ),
    ).toBe(true);
  });

  it("answers bad requests with a 400 in words and changes nothing", async () => {
    const size = latestCheckpoint()?.size ?? 0;
    for (const path of [
      `/api/log/proof/inclusion?index=${size}&size=${size}`,
      `/api/log/proof/inclusion?index=0&size=${size + 5}`,
      `/api/log/proof/consistency?from=${size}&to=1`,
      "/api/log/proof/consistency?from=x&to=1",
      `/api/log/entries?start=${size + 10}`,
    ]) {
      const route = path.includes("inclusion")
        ? inclusionRoute
        : path.includes("consistency")
          ? consistencyRoute
          : entriesRoute;
      const answer = await get(route, path);
      expect(answer.status, path).toBe(400);
    }
    expect(latestCheckpoint()?.size).toBe(size);
  });
});

describe("cosignatures from witnesses", () => {
  it("takes a required witness's cosignature, refuses others, and serves the witnessed checkpoint", async () => {
    const witness = newNoteSigner("witness.test/w1", SIG_COSIGNATURE).signer;
    const stranger = newNoteSigner("witness.test/stranger", SIG_COSIGNATURE).signer;
    const config = getConfig();
    const before = config.witnesses;
    config.witnesses = [vkeyOf(witness)];
    try {
      openPetition(company, "Witnessed");
      // No cosignature yet: no witnessed checkpoint, and no key is offered to devices.
      expect((await get(witnessedRoute, "/api/log/checkpoint/witnessed")).status).toBe(404);
      const checkpoint = newestCheckpoint();
      const seconds = Math.floor(Date.now() / 1000);
      const post = async (text: string) => {
        const request = new Request(`${TEST_BASE_URL}/api/log/cosignature`, {
          method: "POST",
          headers: { "Content-Type": "text/plain" },
          body: text,
        });
        return cosignatureRoute.action({ request, params: {}, context: {} });
      };
      const fromStranger = await post(
        formatNote(checkpoint.body, [cosign(checkpoint.body, stranger, seconds)]),
      );
      expect(fromStranger.status).toBe(403);
      // A cosignature of a checkpoint this log never signed.
      const forged = checkpoint.body.replace(/\n(\d+)\n/, (_, n) => `\n${Number(n) + 1}\n`);
      expect((await post(formatNote(forged, [cosign(forged, witness, seconds)]))).status).toBe(400);
      expect(() => acceptCosignatures("not a note", Date.now())).toThrow(CosignatureRefused);
      expect(
        (await post(formatNote(checkpoint.body, [cosign(checkpoint.body, witness, seconds)]))).status,
      ).toBe(204);
      const witnessed = await (await get(witnessedRoute, "/api/log/checkpoint/witnessed")).text();
      const note = parseNote(witnessed);
      expect(note.body).toBe(checkpoint.body);
      const line = note.signatures.find((s) => s.name === witness.name);
      expect(line && verifySignature(note.body, line, parseVkey(vkeyOf(witness)))).toBe(true);
      expect(checkpointOfSize(checkpoint.parsed.size)?.cosigners).toHaveLength(1);
      const keys = (await (await get(keysRoute, "/api/log/keys")).json()) as { checkpoint: string };
      expect(parseNote(keys.checkpoint).body).toBe(checkpoint.body);
    } finally {
      config.witnesses = before;
    }
  });
});
