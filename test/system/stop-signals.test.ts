import { existsSync, statSync } from "node:fs";
import http from "node:http";
import { afterAll, beforeAll, expect, it } from "vitest";
import { checkCounts } from "../../app/domain/petitions/counts.server";
import { databaseIsLocked } from "../../app/platform/runtime/database-lock.server";
import { REPEAT_STOP_MS } from "../../app/server/stop-requests";
import { getDb } from "../../db/client";
import { signatures } from "../../db/schema";
import { type AppServer, startAppServer } from "../support/app-server";
import { loopbackAddress, sessionCookies, useAppDatabase } from "../support/http-client";
import { makeCompany, openPetition } from "../support/petition-fixtures";

/**
 * The server stopped as it really is: started by `npm start` (npm, then the primary and two
 * workers, one process group), stopped the way systemd stops a service (SIGTERM to every process of
 * the group, KillMode=control-group) and the way a terminal's Ctrl-C does (SIGINT to the group),
 * while sign requests are in flight. Every process gets the signal, npm passes its own copy on, and
 * a wrapper may relay one more: still one graceful stop. Only a second request made on purpose, more
 * than a second later, cuts the requests.
 */
const HELD = 6;

let app: AppServer;
let company: ReturnType<typeof makeCompany>;
let started = false;
let nextSigner = 4;
beforeAll(async () => {
  app = await startAppServer({ WEB_CONCURRENCY: "2" }, { npm: true });
  useAppDatabase(app);
  company = makeCompany(3 * HELD + 4);
});
afterAll(async () => {
  await app?.stop();
});

/**
 * The server of the test: the one started first, then started again on the same database (after
 * whatever a failed test left of the last one is killed).
 */
async function running(): Promise<AppServer> {
  if (started) {
    await app.kill();
    await app.restart();
  }
  started = true;
  return app;
}

type Outcome = { status: number } | { error: string };
type HeldRequest = { finish: () => void; outcome: Promise<Outcome> };

/**
 * A colleague's sign form whose body is held back: resolves once the server has the request (it
 * answered `Expect: 100-continue`, which Node does as it hands the request to the app), so the
 * request is in flight until `finish()` sends the body.
 */
function heldSign(from: string, path: string, cookie: string): Promise<HeldRequest> {
  const body = new URLSearchParams({
    intent: "sign",
    visibility: "public",
    noAnonymousSignature: "on",
  }).toString();
  return new Promise((inFlight, failed) => {
    let outcome: ((value: Outcome) => void) | null = null;
    const answered = new Promise<Outcome>((resolve) => {
      outcome = resolve;
    });
    const request = http.request({
      host: "127.0.0.1",
      port: Number(new URL(app.baseUrl).port),
      path,
      method: "POST",
      agent: false,
      localAddress: from,
      headers: {
        Cookie: cookie,
        Expect: "100-continue",
        "Content-Type": "application/x-www-form-urlencoded",
        "Content-Length": Buffer.byteLength(body),
      },
    });
    request.on("continue", () => inFlight({ finish: () => request.end(body), outcome: answered }));
    request.on("response", (response) => {
      response.resume();
      response.on("end", () => outcome?.({ status: response.statusCode ?? 0 }));
      response.on("error", (error: NodeJS.ErrnoException) =>
        outcome?.({ error: error.code ?? error.message }),
      );
    });
    request.on("error", (error: NodeJS.ErrnoException) => {
      outcome?.({ error: error.code ?? error.message });
      failed(error);
    });
    request.flushHeaders();
  });
}

/** `count` colleagues each with a sign request in flight on its own connection. */
async function holdSignRequests(title: string, count: number) {
  const petition = openPetition(company, title);
  const signers = company.staff.slice(nextSigner, nextSigner + count);
  nextSigner += count;
  const cookies = await sessionCookies(signers.map((s) => s.id));
  const path = `/petitions/${petition.slug}?index`;
  const held = await Promise.all(cookies.map((cookie, i) => heldSign(loopbackAddress(i), path, cookie)));
  return { signers, held };
}

/**
 * Resolves once a new connection is refused: every worker has stopped taking connections. A probe
 * that came in as the workers were closing can be left waiting in node:cluster's primary until it
 * exits: it is given up after a moment and another one sent.
 */
async function listenerClosed(server: AppServer) {
  const port = Number(new URL(server.baseUrl).port);
  for (;;) {
    const refused = await new Promise<boolean>((resolve) => {
      const request = http.get(
        { host: "127.0.0.1", port, path: "/healthz", agent: false, timeout: 500 },
        (response) => {
          response.resume();
          resolve(false);
        },
      );
      request.on("timeout", () => request.destroy());
      request.on("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED"));
    });
    if (refused) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function until(condition: () => boolean) {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

const walSize = (databasePath: string) =>
  existsSync(`${databasePath}-wal`) ? statSync(`${databasePath}-wal`).size : 0;

it.each([
  { how: "systemd's stop: SIGTERM to every process of the group", signal: "SIGTERM" as const },
  { how: "a terminal's Ctrl-C: SIGINT to every process of the group", signal: "SIGINT" as const },
])(
  "$how stops gracefully: every request in flight answered, the WAL folded, npm exits 0",
  async ({ how, signal }) => {
    const server = await running();
    const { signers, held } = await holdSignRequests(`Stopped by ${how}`, HELD);
    const before = server.output().length;

    // npm passes its own copy on at once (the kernel may merge it with the group's); a wrapper such
    // as tsx's relays one more a moment later, after the primary has begun stopping: still one stop.
    server.signalGroup(signal);
    await until(() => server.output().slice(before).includes("Stopping: finishing the requests in flight"));
    server.signal(signal);
    // Both workers stopped taking connections while the requests were still waiting for their bodies.
    await listenerClosed(server);
    for (const request of held) request.finish();
    const outcomes = await Promise.all(held.map((request) => request.outcome));
    const status = await server.exited();

    expect(outcomes).toEqual(signers.map(() => ({ status: 302 })));
    const log = server.output().slice(before);
    expect(log).toContain("Stopping: finishing the requests in flight");
    expect(log).toContain("Undersigned stopped.");
    // One stop: no copy of the signal cut it, and no worker that drained on its own was taken for a crash.
    expect(log).not.toContain("Stopping at once");
    expect(log).not.toMatch(/Worker \d+ \(pid \d+\) exited/);
    expect(status).toBe(0);
    expect(walSize(server.databasePath)).toBe(0);
    expect(databaseIsLocked(server.databasePath)).toBe(false);
    const stored = new Set(
      getDb()
        .select({ personId: signatures.personId })
        .from(signatures)
        .all()
        .map((s) => s.personId),
    );
    for (const signer of signers) expect(stored.has(signer.id)).toBe(true);
    expect(checkCounts()).toMatchObject({ ok: true });
  },
);

it("a second Ctrl-C more than a second after the first stops at once, cutting what was in flight", async () => {
  const server = await running();
  const { held } = await holdSignRequests("Stopped twice", 1);
  const before = server.output().length;

  server.signalGroup("SIGINT");
  await until(() => server.output().slice(before).includes("Stopping: finishing the requests in flight"));
  // The primary timed the first Ctrl-C when it logged the line above: this one is later than a copy.
  await new Promise((resolve) => setTimeout(resolve, REPEAT_STOP_MS + 300));
  server.signalGroup("SIGINT");
  const status = await server.exited();

  expect(server.output().slice(before)).toContain("Stopping at once");
  expect(server.output().slice(before)).not.toContain("Undersigned stopped.");
  expect(status).toBe(1);
  // The request held in flight was cut, not answered.
  held[0]?.finish();
  expect(await held[0]?.outcome).toHaveProperty("error");
  expect(databaseIsLocked(server.databasePath)).toBe(false);
});
