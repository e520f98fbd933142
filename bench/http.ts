/**
 * Signatures per second through the whole production server: real session cookies of many distinct
 * signers POSTing the petition page's own sign form (session check, form parsing, signPetition, the
 * redirect with its flash cookie), against a bare node:http server answering the same POSTs, measured
 * in the same run, in alternating rounds.
 *
 *   npm run bench:http     (BENCH_ROUNDS=3, BENCH_SECONDS=5, BENCH_CONNECTIONS=32)
 */
import type { LoadResult } from "./load";
import { benchCompany, cleanUp } from "./setup";

const { getDb } = await import("../db/client");
const { checkCounts } = await import("../app/domain/petitions/counts.server");
const { insertPeople, insertSessions } = await import("./generate");
const { memoryOf, ratioTable, resultsTable, runRounds } = await import("./load");
const { machine, today, writeLatest } = await import("./report");
const { signFormAction, startBareRemix, startBenchTargets } = await import("./server");

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
// One worker and two (WEB_CONCURRENCY), each on its own copy of the database, and the bare Remix app
// (bench/bare-remix: the same Express set-up, an action that inserts one row and redirects) the same.
const { servers, first, bare } = await startBenchTargets([
  { label: "1 worker", env: { WEB_CONCURRENCY: "1" } },
  { label: "2 workers", env: { WEB_CONCURRENCY: "2" } },
]);
const bareRemix = [
  await startBareRemix({ workers: 1, pageRows: 1 }),
  await startBareRemix({ workers: 2, pageRows: 1 }),
];
const actions = await Promise.all(
  petitions.map((p) => signFormAction(first.server.baseUrl, p.slug, cookies[0] ?? "")),
);
console.log(`sign form action: ${actions[0]}`);

// Signature k: signer k mod SIGNERS on petition ⌊k / SIGNERS⌋ — one busy petition at a time, as when a
// petition goes round the company; one in four wanting updates, one in twenty with a reason (which
// becomes their comment). All public: an anonymous signature never reaches this action (the browser
// redeems its blind token without a session; `npm run bench:anonymity` measures that). Each server
// (own database) gets the same sequence.
const signing = () => {
  let k = 0;
  const next = () => {
    const i = k++;
    const person = i % SIGNERS;
    const target = actions[Math.floor(i / SIGNERS) % PETITIONS] ?? "";
    const fields = new URLSearchParams({ visibility: "public", noAnonymousSignature: "on" });
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
  return { next, sent: () => k };
};
const post =
  (path = "/") =>
  () => ({
    method: "POST" as const,
    path,
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: "visibility=public&intent=sign",
  });

const targets = [
  {
    label: "bare node:http",
    port: bare.port,
    pid: bare.pid,
    next: post(),
    ok: (status: number) => status === 200,
    results: [] as LoadResult[],
  },
  ...bareRemix.map((server, i) => ({
    label: `bare Remix action, ${i + 1} worker${i ? "s" : ""}`,
    port: server.port,
    pid: server.pid,
    next: post("/?index"),
    ok: (status: number) => status === 302,
    results: [] as LoadResult[],
  })),
  ...servers.map(({ label, server }) => {
    const sequence = signing();
    return {
      label: `signing, ${label}`,
      port: server.port,
      pid: server.pid,
      next: sequence.next,
      sent: sequence.sent,
      ok: (status: number) => status === 302,
      results: [] as LoadResult[],
    };
  }),
];
await runRounds(targets, {
  rounds: ROUNDS,
  seconds: SECONDS,
  connections: CONNECTIONS,
  requestsPerAddress: PER_ADDRESS,
});
const memory = memoryOf(first.server.pid);
for (const { server } of servers) await server.stop();
await bare.stop();
for (const server of bareRemix) await server.stop();

// Every 302 must be a signature, and every count and chain must still add up (this checkout's database).
const standing = (getDb().$client.prepare("select count(*) as n from signatures").get() as { n: number }).n;
const check = checkCounts();
const mine = targets.find((t) => t.label === "signing, 1 worker");
const refused = (mine?.results ?? []).reduce((n, r) => n + r.requests - r.ok, 0);
console.log(
  `${standing.toLocaleString("en")} signatures stored for ${mine && "sent" in mine && typeof mine.sent === "function" ? (mine.sent() as number).toLocaleString("en") : "?"} POSTs; counts and ledgers ${check.ok ? "consistent" : "INCONSISTENT"}; ${refused} POSTs in the timed rounds were not a 302`,
);
if (!check.ok) throw new Error(JSON.stringify(check.mismatches.slice(0, 3)));

const byLabel = (label: string) => {
  const target = targets.find((t) => t.label === label);
  if (!target) throw new Error(`no target ${label}`);
  return target;
};
const ratios = ratioTable([
  {
    label: "signing / bare Remix action, 1 worker each",
    goal: "≥ 80 %",
    of: byLabel("signing, 1 worker"),
    to: byLabel("bare Remix action, 1 worker"),
  },
  {
    label: "signing / bare Remix action, 2 workers each",
    goal: "",
    of: byLabel("signing, 2 workers"),
    to: byLabel("bare Remix action, 2 workers"),
  },
  {
    label: "signing, 2 workers / 1 worker",
    goal: "≥ 160 %",
    of: byLabel("signing, 2 workers"),
    to: byLabel("signing, 1 worker"),
  },
  {
    label: "bare Remix action, 2 workers / 1 worker",
    goal: "",
    of: byLabel("bare Remix action, 2 workers"),
    to: byLabel("bare Remix action, 1 worker"),
  },
]);
const summary = `${resultsTable(targets)}\n\n${ratios}`;
console.log(summary);
writeLatest(
  "http",
  `Latest run (${today()}): ${about}. ${ROUNDS} rounds of ${SECONDS} s each, ${CONNECTIONS} connections, median (min–max) of the rounds; ${SIGNERS.toLocaleString("en")} distinct signers with their own sessions; peak RSS of the 1-worker server (primary and worker) ${memory ? `${Math.round(memory.peakMiB)} MiB` : "unknown"}. The load generator shares the 2 cores with the servers.

${summary}`,
);
cleanUp();
