import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rolesOf } from "../../app/domain/identity/permissions.server";
import { findPersonByEmail } from "../../app/domain/people/directory.server";
import { signPetition } from "../../app/domain/petitions/signing.server";
import { logCurrentState } from "../../app/domain/transparency/log-writer.server";
import { HOUR_MS } from "../../app/platform/time";
import { closeDb, getDb } from "../../db/client";
import { type AppServer, startAppServer } from "../support/app-server";
import { runChild } from "../support/child-process";
import { dropLedgerEntry, padPetition } from "../support/ledger-tampering";
import { seedDemoFolder } from "../support/seed-once";
import { useServerDatabase } from "../support/server-database";

/**
 * `verify-anonymous` and `verify-ledger` hold a database, or any server's public API, to the public
 * log: on copies of the seeded company, a padded count and a rewritten ledger each
 * fail against the log, from the file and through `--from=URL`; the honest company passes, before
 * and after a restore (whose `restored` entry is reported, not failed).
 */

let seeded: string;
let app: AppServer;
const scratch = mkdtempSync(path.join(tmpdir(), "undersigned-verify-"));
const servers: AppServer[] = [];
let open: { id: number; slug: string };

/** The CLI on a database file (no server needed), or against a server with `--from=`. */
async function cli(databasePath: string, ...args: string[]) {
  const result = await runChild(["--import", "tsx", "app/cli.ts", ...args], {
    ...process.env,
    DATABASE_URL: databasePath,
    SMTP_URL: "",
  });
  return { status: result.status, output: result.output };
}

/** A copy of the (stopped) server's data folder. */
function copyOf(name: string): string {
  const dir = path.join(scratch, name);
  cpSync(path.dirname(app.databasePath), dir, { recursive: true });
  return dir;
}

beforeAll(async () => {
  seeded = await seedDemoFolder();
  app = await startAppServer({}, { dataFrom: seeded });
  useServerDatabase(app);
  const db = new Database(app.databasePath, { readonly: true });
  const row = db
    .prepare<[], { id: number; slug: string }>(
      `select p.id, p.slug from petitions p join blind_keys k on k.scope = 'petition:' || p.id
       where p.state = 'open' and k.private_key is not null order by p.signature_count desc limit 1`,
    )
    .get();
  db.close();
  if (!row) throw new Error("the seed has no open petition with a key");
  open = row;
  // The log job's first run wrote each ledger's state; a later period's run writes it again if it moved.
  logCurrentState(Date.now() + HOUR_MS, { force: true });
}, 300_000);

afterAll(async () => {
  closeDb();
  for (const server of servers) await server.stop();
  await app?.stop();
  rmSync(scratch, { recursive: true, force: true });
  if (seeded) rmSync(seeded, { recursive: true, force: true });
});

describe("the honest seeded company", () => {
  it("passes both checks against its log, from the file and from its public API", async () => {
    for (const from of [[], [`--from=${app.baseUrl}`]]) {
      const ledger = await cli(app.databasePath, "verify-ledger", ...from);
      expect(ledger.status, ledger.output).toBe(0);
      expect(ledger.output).toMatch(/ok {4} the public log/);
      expect(ledger.output).not.toMatch(/BROKEN/);
      const anonymous = await cli(app.databasePath, "verify-anonymous", open.slug, ...from);
      expect(anonymous.status, anonymous.output).toBe(0);
    }
  });
});

describe("a database an operator tampered with", () => {
  let padded: string;
  let rewritten: string;

  beforeAll(async () => {
    closeDb();
    await app.kill();
    padded = copyOf("padded");
    rewritten = copyOf("rewritten");
    const at = Date.now();
    padPetition(path.join(padded, "app.db"), open.id, 500, 300, at);
    const db = new Database(path.join(rewritten, "app.db"), { readonly: true });
    const first = db
      .prepare<[number], { seq: number }>(
        "select min(seq) as seq from ledger_entries where petition_id = ? and event = 'signed'",
      )
      .get(open.id);
    db.close();
    dropLedgerEntry(path.join(rewritten, "app.db"), open.id, first?.seq ?? 0);
  }, 120_000);

  it("fails verify-anonymous on a padded count, by the pre-token rows the log froze at 0", async () => {
    const file = path.join(padded, "app.db");
    const local = await cli(file, "verify-anonymous", open.slug);
    expect(local.status, local.output).toBe(1);
    expect(local.output).toMatch(
      /300 anonymous signatures without a token, but its key came first \(the public log froze their number at 0\)/,
    );
    // The checks from before the log pass the same padding: the log's line is the only problem.
    expect(local.output).not.toMatch(
      /but only \d+ were issued|standing anonymous signatures listed|does not verify/,
    );
    // The padded chain extends the head the log recorded: the ledger itself is consistent.
    const ledger = await cli(file, "verify-ledger", open.slug);
    expect(ledger.status, ledger.output).toBe(0);

    const server = await startAppServer({}, { dataFrom: padded });
    servers.push(server);
    const remote = await cli(file, "verify-anonymous", open.slug, `--from=${server.baseUrl}`);
    expect(remote.status, remote.output).toBe(1);
    expect(remote.output).toMatch(/300 anonymous signatures without a token, but its key came first/);
  });

  it("fails verify-ledger on a ledger with one entry dropped and the chain re-hashed", async () => {
    const file = path.join(rewritten, "app.db");
    const local = await cli(file, "verify-ledger", open.slug);
    expect(local.status, local.output).toBe(1);
    expect(local.output).toMatch(
      /the public log recorded its ledger at \d+ entries .*: the ledger was rewound or rewritten/,
    );
    // The chain, its head and its count agree with each other: only the log catches it.
    expect(local.output).not.toMatch(/hash does not match|stored head|stored count/);

    const server = await startAppServer({}, { dataFrom: rewritten });
    servers.push(server);
    const remote = await cli(file, "verify-ledger", open.slug, `--from=${server.baseUrl}`);
    expect(remote.status, remote.output).toBe(1);
    expect(remote.output).toMatch(/the ledger was rewound or rewritten/);
    // The whole log, every petition it names, through the API.
    const all = await cli(file, "verify-ledger", `--from=${server.baseUrl}`);
    expect(all.status, all.output).toBe(1);
    expect(all.output.match(/^BROKEN petition/gm)).toHaveLength(1);
  });
});

describe("a restore", () => {
  it("is reported with what it lost, not failed", async () => {
    await app.restart();
    useServerDatabase(app);
    const backup = path.join(scratch, "before.db");
    await app.cli("backup", backup);
    const signers = getDb()
      .$client.prepare<[number], { email: string }>(
        `select email from people where active = 1 and id not in
           (select person_id from signatures where petition_id = ? and person_id is not null)
         order by id limit 3`,
      )
      .all(open.id);
    for (const { email } of signers) {
      const person = findPersonByEmail(getDb(), email);
      if (!person) throw new Error(`${email} missing`);
      const user = { ...person, roles: rolesOf(person.id) };
      await signPetition({ petitionId: open.id, user, ip: null, noAnonymousSignature: true });
    }
    logCurrentState(Date.now() + 2 * HOUR_MS, { force: true });
    closeDb();
    await app.kill();
    await app.cli("restore", backup);
    await app.restart();
    for (const from of [[], [`--from=${app.baseUrl}`]]) {
      const ledger = await cli(app.databasePath, "verify-ledger", open.slug, ...from);
      expect(ledger.status, ledger.output).toBe(0);
      expect(ledger.output).toMatch(/restored from a backup on .*; at least 3 logged entries were lost/);
      const anonymous = await cli(app.databasePath, "verify-anonymous", open.slug, ...from);
      expect(anonymous.status, anonymous.output).toBe(0);
    }
  });
});
