import { existsSync, statSync } from "node:fs";
import http from "node:http";
import { afterAll, beforeAll, expect, it } from "vitest";
import { checkCounts } from "../../app/domain/petitions/counts.server";
import { databaseIsLocked } from "../../app/platform/runtime/database-lock.server";
import { getDb } from "../../db/client";
import { signatures } from "../../db/schema";
import { type AppServer, startAppServer } from "../support/app-server";
import { httpRequest, loopbackAddress, sessionCookies, useAppDatabase } from "../support/http-client";
import { makeCompany, openPetition } from "../support/petition-fixtures";
import { atScale } from "../support/stress";

/**
 * SIGTERM to a server with two workers in the middle of a signing load: it stops taking connections,
 * answers every request it had (with Connection: close), and exits 0 with the WAL checkpointed and the
 * database's lock released. No client sees a reset connection or a 5xx; every acknowledged signature
 * is in the database.
 */
const SIGNERS = atScale(600, 2_000);
const CONNECTIONS = 24;

let app: AppServer;
let company: ReturnType<typeof makeCompany>;
beforeAll(async () => {
  app = await startAppServer({ WEB_CONCURRENCY: "2" });
  useAppDatabase(app);
  company = makeCompany(SIGNERS + 4);
});
afterAll(async () => {
  await app?.stop();
});

type Outcome = { status: number; closes: boolean } | { error: string };

/** A form post on `agent`'s connection: its status and whether the server closes the connection after it, or the network error. */
const post = (agent: http.Agent, from: string, path: string, cookie: string, form: Record<string, string>) =>
  httpRequest(`${app.baseUrl}${path}`, { agent, from, cookie, form }).then(
    (response): Outcome => ({ status: response.status, closes: response.headers.connection === "close" }),
    (error: NodeJS.ErrnoException): Outcome => ({ error: error.code ?? error.message }),
  );

it(`SIGTERM during a signing load (${CONNECTIONS} keep-alive connections, two workers): nothing reset, nothing lost, exit 0`, async () => {
  const petition = openPetition(company, "Let staff opt out of logging, through a restart");
  const signers = company.staff.slice(4, SIGNERS + 4);
  const cookies = await sessionCookies(signers.map((s) => s.id));
  const path = `/petitions/${petition.slug}?index`;
  const acknowledged = new Set<number>();
  const after: number[] = [];
  const failures: string[] = [];
  let refused = 0;
  let next = 0;
  let signalled = false;
  let onAcknowledged: (() => void) | null = null;

  const connection = async (c: number) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      while (next < signers.length) {
        const i = next++;
        const outcome = await post(agent, loopbackAddress(c), path, cookies[i] ?? "", {
          intent: "sign",
          visibility: "public",
          noAnonymousSignature: "on",
        });
        if ("error" in outcome) {
          // Refused: the listener is closed (the request was never sent). Anything else — a reset,
          // a hang-up — means a request was dropped.
          if (outcome.error === "ECONNREFUSED") refused++;
          else failures.push(`${outcome.error} (signer ${i})`);
          return;
        }
        if (outcome.status === 302) {
          acknowledged.add(signers[i]?.id ?? 0);
          if (signalled) after.push(i);
          onAcknowledged?.();
        } else failures.push(`status ${outcome.status} (signer ${i})`);
        // A stopping server closes each connection after its answer: this client stops too, as a
        // browser would open its next connection to wherever the server is now.
        if (outcome.closes && signalled) return;
      }
    } finally {
      agent.destroy();
    }
  };

  const load = Promise.all(Array.from({ length: CONNECTIONS }, (_, c) => connection(c)));
  // Signalled once a tenth of the signers are acknowledged: every connection busy.
  await new Promise<void>((resolve) => {
    onAcknowledged = () => {
      if (acknowledged.size >= SIGNERS / 10) resolve();
    };
  });
  onAcknowledged = null;
  signalled = true;
  app.signal("SIGTERM");
  await load;
  expect(await app.exited()).toBe(0);

  expect(failures).toEqual([]);
  // Requests in flight at the signal were answered, not dropped.
  expect(after.length).toBeGreaterThan(0);
  expect(app.output()).toContain("Undersigned stopped.");
  // Every acknowledged signature is there (and nothing else was counted).
  const stored = new Set(
    getDb()
      .select({ personId: signatures.personId })
      .from(signatures)
      .all()
      .map((s) => s.personId),
  );
  for (const personId of acknowledged) expect(stored.has(personId)).toBe(true);
  expect(stored.size).toBe(acknowledged.size);
  expect(checkCounts()).toMatchObject({ ok: true });
  // The WAL was checkpointed into the database at exit, and the lock released.
  const wal = `${app.databasePath}-wal`;
  expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0);
  expect(databaseIsLocked(app.databasePath)).toBe(false);
  console.log(
    `${acknowledged.size} acknowledged (${after.length} after the signal), ${refused} connections refused after the listener closed`,
  );
});
