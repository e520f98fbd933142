/**
 * Signatures per second through the whole production server: real session cookies of many distinct
 * signers POSTing the petition page's own sign form (session check, form parsing, signPetition, the
 * redirect with its flash cookie), against a bare node:http server answering the same POSTs, measured
 * in the same run, in alternating rounds.
 *
 *   npm run bench:http     (BENCH_ROUNDS=3, BENCH_SECONDS=5, BENCH_CONNECTIONS=32)
 */
import { benchCompany, cleanUp } from "./setup";

const { closeDb, getDb } = await import("../db/client");
const { checkCounts } = await import("../app/models/signatures.server");
const { insertPeople, insertSessions } = await import("./generate");
const { describe, memoryOf, runLoad, startBareServer } = await import("./load");
const { machine, ms, percent, perSecond, spread, table, today, writeLatest } = await import("./report");
const { signFormAction, startBenchServer } = await import("./server");

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SIGNERS = Number(process.env.BENCH_SIGNERS ?? 30_000);
const PETITIONS = 10;
// The server allows 120 signatures per address per 10 minutes: stay under it.
const PER_ADDRESS = 100;

const about = machine();
console.log(about);
const { openPetition } = benchCompany(0);
const petitions = Array.from({ length: PETITIONS }, (_, i) =>
  openPetition(`Benchmark petition number ${i + 1} for signing over HTTP`),
);
const signers = insertPeople(SIGNERS, "signer");
const cookies = await insertSessions(signers);
const databasePath = process.env.DATABASE_URL ?? "";
closeDb();

const server = await startBenchServer(databasePath);
const bare = await startBareServer();
const action = (slug: string) => signFormAction(server.baseUrl, slug, cookies[0] ?? "");
const actions = await Promise.all(petitions.map((p) => action(p.slug)));
console.log(`sign form action: ${actions[0]}`);

// Signature k: signer k mod SIGNERS on petition ⌊k / SIGNERS⌋ — one busy petition at a time, as when a
// petition goes round the company; every third anonymous, one in four wanting updates, one in twenty
// with a reason (which becomes their comment).
let k = 0;
const sign = () => {
  const i = k++;
  const person = i % SIGNERS;
  const target = actions[Math.floor(i / SIGNERS) % PETITIONS] ?? "";
  const fields = new URLSearchParams({ visibility: i % 3 === 2 ? "anonymous" : "public" });
  if (i % 20 === 0) fields.set("reason", "Because consent matters, and this is the way to ask for it.");
  if (i % 4 === 0) fields.set("wantsUpdates", "on");
  fields.set("intent", "sign");
  return {
    method: "POST" as const,
    path: target,
    headers: { Cookie: cookies[person] ?? "", "Content-Type": "application/x-www-form-urlencoded" },
    body: fields.toString(),
  };
};
const post = (path: string) => () => ({
  method: "POST" as const,
  path,
  headers: { "Content-Type": "application/x-www-form-urlencoded" },
  body: "visibility=public&intent=sign",
});

const durationMs = SECONDS * 1000;
const signed = (status: number) => status === 302;
// Warm both up (JIT, page cache), then alternate.
await runLoad({ port: bare.port, connections: CONNECTIONS, durationMs: 1000, next: post("/") });
await runLoad({
  port: server.port,
  connections: CONNECTIONS,
  durationMs: 2000,
  next: sign,
  requestsPerAddress: PER_ADDRESS,
  ok: signed,
});
const rounds: Array<{ bare: Awaited<ReturnType<typeof runLoad>>; app: Awaited<ReturnType<typeof runLoad>> }> =
  [];
for (let r = 0; r < ROUNDS; r++) {
  const bareResult = await runLoad({
    port: bare.port,
    connections: CONNECTIONS,
    durationMs,
    next: post("/"),
    requestsPerAddress: PER_ADDRESS,
  });
  const appResult = await runLoad({
    port: server.port,
    connections: CONNECTIONS,
    durationMs,
    next: sign,
    requestsPerAddress: PER_ADDRESS,
    ok: signed,
  });
  console.log(`round ${r + 1}: bare server   ${describe(bareResult)}`);
  console.log(`round ${r + 1}: sign via HTTP ${describe(appResult)}`);
  rounds.push({ bare: bareResult, app: appResult });
}
const memory = memoryOf(server.pid);
await server.stop();
await bare.stop();

// Every 302 must be a signature, and every count and chain must still add up.
const standing = (getDb().$client.prepare("select count(*) as n from signatures").get() as { n: number }).n;
const check = checkCounts();
const refused = rounds.reduce((n, r) => n + r.app.requests - r.app.ok, 0);
console.log(
  `${standing.toLocaleString("en")} signatures stored for ${k.toLocaleString("en")} POSTs; counts and ledgers ${check.ok ? "consistent" : "INCONSISTENT"}; ${refused} POSTs in the timed rounds were not a 302`,
);
if (!check.ok) throw new Error(JSON.stringify(check.mismatches.slice(0, 3)));

const app = rounds.map((r) => r.app);
const bares = rounds.map((r) => r.bare);
const summary = table(
  ["", "bare node:http", "signing through the server", "ratio"],
  [
    [
      "throughput",
      spread(
        bares.map((r) => r.rate),
        perSecond,
      ),
      spread(
        app.map((r) => r.rate),
        perSecond,
      ),
      spread(
        rounds.map((r) => r.app.rate / r.bare.rate),
        percent,
      ),
    ],
    [
      "latency p50",
      spread(
        bares.map((r) => r.latency.p50),
        ms,
      ),
      spread(
        app.map((r) => r.latency.p50),
        ms,
      ),
      "",
    ],
    [
      "latency p99",
      spread(
        bares.map((r) => r.latency.p99),
        ms,
      ),
      spread(
        app.map((r) => r.latency.p99),
        ms,
      ),
      "",
    ],
  ],
);
console.log(summary);
writeLatest(
  "http",
  `Latest run (${today()}): ${about}. ${ROUNDS} rounds of ${SECONDS} s each, ${CONNECTIONS} connections, median (min–max) of the rounds; ${SIGNERS.toLocaleString("en")} distinct signers with their own sessions; server peak RSS ${memory ? `${Math.round(memory.peakMiB)} MiB` : "unknown"}.

${summary}`,
);
cleanUp();
