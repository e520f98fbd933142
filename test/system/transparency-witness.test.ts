import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { petitionScope } from "../../app/platform/token-messages";
import { parseEntry } from "../../app/platform/transparency/log-entries";
import { parseNote, parseVkey, signatureBy } from "../../app/platform/transparency/signed-note";
import { closeDb } from "../../db/client";
import { type AppServer, advanceServerClock, startAppServer } from "../support/app-server";
import { httpRequest, loopbackAddress, sessionCookies, useAppDatabase } from "../support/http-client";
import { makeCompany, openPetition } from "../support/petition-fixtures";
import { type InitializedWitness, initWitness, type RunningWitness, startWitness } from "../support/witness";

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
  let company: ReturnType<typeof makeCompany>;

  beforeAll(async () => {
    // The witness's key exists before the server: the administrator lists it in WITNESSES.
    witness = await initWitness({ name: "witness.staff-council" });
    app = await startAppServer({ WITNESSES: witness.vkey }, { clock: true });
    useAppDatabase(app);
    company = makeCompany(30);
  });
  afterAll(async () => {
    await running?.stop();
    closeDb();
    await app?.stop();
    witness?.remove();
  });

  it("cosigns each checkpoint as petitions open and are signed, and the witnessed checkpoint carries its line", async () => {
    const petition = openPetition(company, "Publish the keystroke logging policy, witnessed");
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
});
