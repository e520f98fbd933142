import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { transitionPetition } from "../../app/domain/petitions/lifecycle.server";
import type { Petition } from "../../app/domain/petitions/rights.server";
import { generateBlindKeyPair } from "../../app/platform/anonymity/blind-signatures.server";
import { petitionScope } from "../../app/platform/anonymity/token-messages";
import { appendEntries } from "../../app/platform/transparency/log.server";
import { parseEntry } from "../../app/platform/transparency/log-entries";
import { parseNote, parseVkey, signatureBy } from "../../app/platform/transparency/signed-note";
import { closeDb, getDb } from "../../db/client";
import { type AppServer, advanceServerClock, serverTime, startAppServer } from "../support/app-server";
import { httpRequest, loopbackAddress, sessionCookies, useAppDatabase } from "../support/http-client";
import { rewriteLog } from "../support/log-rewrite";
import { draftPetition, makeCompany, openPetition } from "../support/petition-fixtures";
import {
  type InitializedWitness,
  initWitness,
  type RunningWitness,
  readWitnessState,
  startWitness,
} from "../support/witness";

/**
 * The public log and an independent witness (`npm run witness`, docs/witness.md) as separate
 * processes: the witness cosigns each checkpoint as petitions are signed and batch periods pass,
 * keeps cosigning across a restore (which the log records), and refuses — exiting non-zero with both
 * checkpoints — a log rewritten under it or holding a second key for a petition.
 */

const BATCH_MS = 15 * 60_000;

const text = async (app: AppServer, path: string) => {
  const response = await fetch(`${app.baseUrl}${path}`);
  expect(response.status, path).toBe(200);
  return response.text();
};
const logSize = async (app: AppServer) => {
  const note = await text(app, "/api/log/checkpoint");
  return Number(note.split("\n")[1]);
};
async function logEntries(app: AppServer) {
  const { entries } = (await (await fetch(`${app.baseUrl}/api/log/entries?start=0`)).json()) as {
    entries: Array<{ index: number; data: string }>;
  };
  return entries.map((e) => parseEntry(new TextEncoder().encode(e.data)));
}

/** Waits until the server's log has more than `size` entries (its log job ran). */
async function logGrowsPast(app: AppServer, size: number): Promise<number> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const now = await logSize(app);
    if (now > size) return now;
    if (Date.now() > deadline) throw new Error(`The log stayed at ${size} entries:\n${app.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function signPublicly(app: AppServer, slug: string, personIds: number[]) {
  const cookies = await sessionCookies(personIds);
  for (const [i, cookie] of cookies.entries()) {
    const response = await httpRequest(`${app.baseUrl}/petitions/${slug}?index`, {
      form: { intent: "sign", visibility: "public", noAnonymousSignature: "on" },
      cookie,
      from: loopbackAddress(i),
    });
    expect(response.status).toBe(302);
  }
}

describe("a witness beside the server", () => {
  let app: AppServer;
  let witness: InitializedWitness;
  let running: RunningWitness;
  let other: InitializedWitness;
  let second: RunningWitness | undefined;
  let petition: Petition;
  let work: string;
  let company: ReturnType<typeof makeCompany>;

  beforeAll(async () => {
    // The witness's key exists before the server: the administrator lists it in WITNESSES.
    witness = await initWitness({ name: "witness.staff-council" });
    other = await initWitness({ name: "witness.second-opinion" });
    work = mkdtempSync(path.join(tmpdir(), "undersigned-witness-test-"));
    app = await startAppServer({ WITNESSES: witness.vkey }, { clock: true });
    useAppDatabase(app);
    company = makeCompany(30);
  });
  afterAll(async () => {
    await running?.stop();
    await second?.stop();
    closeDb();
    await app?.stop();
    witness?.remove();
    other?.remove();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("cosigns each checkpoint as petitions open and are signed, and the witnessed checkpoint carries its line", async () => {
    petition = openPetition(company, "Publish the keystroke logging policy, witnessed");
    running = startWitness(app.baseUrl, witness.stateFile);
    const first = await running.waitForCosignature();
    const opened = await logSize(app);
    expect(first).toBe(opened);
    const logged = (await logEntries(app)).find(
      (e) => e.type === "key" && e.scope === petitionScope(petition.id),
    );
    expect(logged).toBeDefined();

    await signPublicly(
      app,
      petition.slug,
      company.staff.slice(5, 10).map((s) => s.id),
    );
    advanceServerClock(app, BATCH_MS);
    const grown = await logGrowsPast(app, opened);
    expect(await running.waitForCosignature(grown)).toBe(grown);
    const state = (await logEntries(app))
      .filter((e) => e.type === "petition" && e.petition === petition.id)
      .at(-1);
    expect(state).toMatchObject({ count: 5, publicWithoutToken: 5 });

    const witnessed = parseNote(await text(app, "/api/log/checkpoint/witnessed"));
    expect(Number(witnessed.body.split("\n")[1])).toBeGreaterThanOrEqual(grown);
    const verifier = parseVkey(witness.vkey);
    expect(signatureBy(witnessed.signatures, verifier)?.name).toBe("witness.staff-council");
  });

  it("keeps cosigning across a restore, which the log records as a public restored entry", async () => {
    // A petition waiting for approval when the backup is taken, approved after it: its key is logged.
    const [creator, a, b, c] = company.staff;
    if (!creator || !a || !b || !c) throw new Error("need four staff");
    const waiting = draftPetition(creator, "Approved after the backup was taken");
    transitionPetition(waiting.id, { action: "submit" }, creator);
    for (const sponsor of [a, b, c]) transitionPetition(waiting.id, { action: "co-sponsor" }, sponsor);
    const backup = path.join(work, "before-more-signatures.db");
    await app.cli("backup", backup);
    transitionPetition(waiting.id, { action: "approve" }, company.moderator);
    const before = await logSize(app);
    await signPublicly(
      app,
      petition.slug,
      company.staff.slice(10, 14).map((s) => s.id),
    );
    // A petition opened after the backup: its key is in the log, the restored database lacks it.
    const lostPetition = openPetition(company, "Opened after the backup was taken");
    const withLost = await logSize(app);
    expect(withLost).toBeGreaterThan(before);
    advanceServerClock(app, BATCH_MS);
    const signed = await logGrowsPast(app, withLost);
    await running.waitForCosignature(signed);

    app.signal("SIGTERM");
    expect(await app.exited()).toBe(0);
    closeDb();
    const restored = await app.cli("restore", backup);
    expect(restored).toContain("The public log was carried over from the database being replaced");
    expect(restored).toContain("taken back to the backup's signatures");
    await app.restart();
    // The witness went on polling while the server was down, and took the restored log as a
    // continuation of what it cosigned.
    const after = await logSize(app);
    expect(after).toBeGreaterThan(signed);
    expect(await running.waitForCosignature(after)).toBeGreaterThanOrEqual(after);
    // The signatures the restore lost stay in the log; after them, where the ledger now ends.
    const entries = await logEntries(app);
    const ofPetition = entries.filter(
      (e) => (e.type === "petition" || e.type === "restored") && e.petition === petition.id,
    );
    const lost = ofPetition.findIndex((e) => e.type === "petition" && e.count === 9);
    expect(lost).toBeGreaterThanOrEqual(0);
    const rewound = ofPetition.slice(lost + 1).find((e) => e.type === "restored");
    expect(rewound).toMatchObject({ length: (ofPetition[lost] as { length: number }).length - 4 });
    expect(running.output()).not.toContain("REFUSED: the public log");

    // The petition approved after the backup is waiting again; approved again, it takes back the key
    // the log holds for it (a second one would be refused), frozen like every key the backup did not
    // know the issuance of.
    getDb();
    transitionPetition(waiting.id, { action: "approve" }, company.moderator);
    const waitingKey = (await (await fetch(`${app.baseUrl}/api/petitions/${waiting.id}`)).json()) as {
      anonymity: { fingerprint: string; issuanceFrozenOn: string | null } | null;
    };
    const loggedKey = (await logEntries(app)).find(
      (e) => e.type === "key" && e.scope === petitionScope(waiting.id),
    );
    expect(loggedKey).toMatchObject({ fingerprint: waitingKey.anonymity?.fingerprint });
    expect(waitingKey.anonymity?.issuanceFrozenOn).not.toBeNull();

    // The next petition opened gets a number of its own, never the lost petition's (whose key the
    // log keeps), and the witness cosigns its key.
    getDb();
    const next = openPetition(company, "Opened after the restore");
    expect(next.id).not.toBe(lostPetition.id);
    const withNext = await logSize(app);
    expect(withNext).toBeGreaterThan(after);
    await running.waitForCosignature(withNext);
  });

  it("refuses a log rewritten under it, exiting non-zero with the checkpoint it cosigned and the rewritten one", async () => {
    const cosigned = readWitnessState(witness.stateFile).cosigned;
    if (!cosigned) throw new Error("the witness cosigned nothing");
    // The operator hides the signatures the restore lost: the petition's logged count is rewritten
    // and the whole tree re-signed with the log's key, with the server stopped.
    app.signal("SIGTERM");
    expect(await app.exited()).toBe(0);
    closeDb();
    rewriteLog(app.databasePath, (entry) =>
      entry.type === "petition" && entry.petition === petition.id ? { ...entry, count: 5 } : entry,
    );
    await app.restart({ WITNESSES: `${witness.vkey} ${other.vkey}` });

    expect(await running.exited()).toBe(1);
    const rewritten = await text(app, "/api/log/checkpoint");
    const output = running.output();
    expect(output).toContain("REFUSED: the public log failed a witness's check");
    expect(output).toMatch(/same size|not append-only|do not add up/);
    expect(output).toContain(cosigned.note);
    expect(output).toContain(rewritten);
    // Same log, same key: only the witness's memory tells the two apart.
    expect(parseNote(cosigned.note).body.split("\n")[0]).toBe(parseNote(rewritten).body.split("\n")[0]);
    expect(parseNote(cosigned.note).body).not.toBe(parseNote(rewritten).body);
  });

  it("refuses a second key for a petition appended straight into the log", async () => {
    second = startWitness(app.baseUrl, other.stateFile);
    const size = await second.waitForCosignature();
    const key = generateBlindKeyPair();
    getDb().transaction(
      () =>
        appendEntries([
          {
            type: "key",
            scope: petitionScope(petition.id),
            fingerprint: key.fingerprint,
            publicKey: key.publicKey,
            on: new Date(serverTime(app)).toISOString().slice(0, 10),
            legacyAnonymous: 0,
          },
        ]),
      { behavior: "immediate" },
    );
    expect(await logSize(app)).toBe(size + 1);
    expect(await second.exited()).toBe(1);
    expect(second.output()).toContain(`a second key for ${petitionScope(petition.id)}`);
    expect(second.cosignedSizes().at(-1)).toBe(size);
  });
});
