import type { LoadResult } from "./load";
import { benchCompany, cleanUp } from "./setup";

const { closeDb, getDb } = await import("../db/client");
const { checkCounts } = await import("../app/domain/petitions/counts.server");
const { insertPeople, insertSessions } = await import("./generate");
const { memoryOf, ratioTable, resultsTable, runRounds } = await import("./load");
const { machine, median, today, writeLatest } = await import("./report");
const { partsTable, profilesIn } = await import("./profile");
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
// (bench/bare-remix: the same Express set-up) the same, on copies too: its same-writes action signs
// the same petitions as the same people.
closeDb();
const database = process.env.DATABASE_URL ?? "";
const bareRemix = [
  await startBareRemix({ workers: 1, pageRows: 1, copyOf: database }),
  await startBareRemix({ workers: 2, pageRows: 1, copyOf: database }),
];
const { servers, first, bare } = await startBenchTargets([
  { label: "1 worker", env: { WEB_CONCURRENCY: "1" } },
  { label: "2 workers", env: { WEB_CONCURRENCY: "2" } },
]);
const actions = await Promise.all(
  petitions.map((p) => signFormAction(first.server.baseUrl, p.slug, cookies[0] ?? "")),
);
console.log(`sign form action: ${actions[0]}`);
const DATA = `&_data=${encodeURIComponent("routes/petitions.$slug._index")}`;

// Signature k: signer k mod SIGNERS on petition ⌊k / SIGNERS⌋ — one busy petition at a time, as when a
// petition goes round the company; one in four wanting updates. All public, without a reason (which
// would add a comment's writes: `npm run bench:comments`): an anonymous signature never reaches this
// action (the browser redeems its blind token without a session; `npm run bench:anonymity` measures
// that). Each server (own database) gets the same sequence, its two ways of posting sharing it.
const signature = (k: number) => {
  const fields = new URLSearchParams({ visibility: "public", noAnonymousSignature: "on" });
  if (k % 4 === 0) fields.set("wantsUpdates", "on");
  fields.set("intent", "sign");
  return { person: k % SIGNERS, petition: Math.floor(k / SIGNERS) % PETITIONS, fields };
};
const form = { "Content-Type": "application/x-www-form-urlencoded" };
const signing = () => {
  let k = 0;
  const next = (javascript: boolean) => () => {
    const { person, petition, fields } = signature(k++);
    return {
      method: "POST" as const,
      path: `${actions[petition] ?? ""}${javascript ? DATA : ""}`,
      headers: { ...form, Cookie: cookies[person] ?? "" },
      body: fields.toString(),
    };
  };
  return { next, sent: () => k };
};
const sameWrites = () => {
  let k = 0;
  return () => {
    const { person, petition, fields } = signature(k++);
    fields.set("person", String(signers[person]));
    fields.set("petition", String(petitions[petition]?.id));
    return { method: "POST" as const, path: "/sign?index", headers: form, body: fields.toString() };
  };
};
const post = (path: string) => () => ({
  method: "POST" as const,
  path,
  headers: form,
  body: "visibility=public&intent=sign",
});

const is = (status: number) => (answer: number) => answer === status;
const targets = [
  {
    label: "bare node:http",
    port: bare.port,
    pid: bare.pid,
    next: post("/"),
    ok: is(200),
    results: [] as LoadResult[],
  },
  ...bareRemix.flatMap((server, i) => {
    const workers = `${i + 1} worker${i ? "s" : ""}`;
    return [
      {
        label: `bare Remix action, one row, ${workers}`,
        port: server.port,
        pid: server.pid,
        next: post("/?index"),
        ok: is(302),
        results: [] as LoadResult[],
      },
      {
        label: `bare Remix action, same writes, ${workers}`,
        port: server.port,
        pid: server.pid,
        next: sameWrites(),
        ok: is(302),
        results: [] as LoadResult[],
      },
    ];
  }),
  ...servers.flatMap(({ label, server }) => {
    const sequence = signing();
    return [
      {
        label: `signing, no JavaScript, ${label}`,
        port: server.port,
        pid: server.pid,
        next: sequence.next(false),
        ok: is(302),
        results: [] as LoadResult[],
      },
      {
        label: `signing, JavaScript, ${label}`,
        port: server.port,
        pid: server.pid,
        next: sequence.next(true),
        ok: is(204),
        results: [] as LoadResult[],
      },
    ];
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

// Every 302 and 204 must be a signature, and every count and chain must still add up (this
// checkout's database).
const standing = (getDb().$client.prepare("select count(*) as n from signatures").get() as { n: number }).n;
const check = checkCounts();
const mine = targets.filter((t) => t.label.startsWith("signing") && t.label.endsWith(", 1 worker"));
const refused = mine.flatMap((t) => t.results).reduce((n, r) => n + r.requests - r.ok, 0);
console.log(
  `${standing.toLocaleString("en")} signatures stored by the 1-worker server; counts and ledgers ${check.ok ? "consistent" : "INCONSISTENT"}; ${refused} of its signing POSTs in the timed rounds were not a signature`,
);
if (!check.ok) throw new Error(JSON.stringify(check.mismatches.slice(0, 3)));

const byLabel = (label: string) => {
  const target = targets.find((t) => t.label === label);
  if (!target) throw new Error(`no target ${label}`);
  return target;
};
const ratio = (label: string, goal: string, of: string, to: string) => ({
  label,
  goal,
  of: byLabel(of),
  to: byLabel(to),
});
const ratios = ratioTable([
  ratio(
    "signing without JavaScript / same-writes action, 1 worker each",
    "≥ 80 %",
    "signing, no JavaScript, 1 worker",
    "bare Remix action, same writes, 1 worker",
  ),
  ratio(
    "signing with JavaScript / same-writes action, 1 worker each",
    "≥ 80 %",
    "signing, JavaScript, 1 worker",
    "bare Remix action, same writes, 1 worker",
  ),
  ratio(
    "signing without JavaScript / with, 1 worker",
    "≥ 100 %",
    "signing, no JavaScript, 1 worker",
    "signing, JavaScript, 1 worker",
  ),
  ratio(
    "signing without JavaScript / one-row action, 1 worker each",
    "",
    "signing, no JavaScript, 1 worker",
    "bare Remix action, one row, 1 worker",
  ),
  ratio(
    "same-writes action / one-row action, 1 worker",
    "",
    "bare Remix action, same writes, 1 worker",
    "bare Remix action, one row, 1 worker",
  ),
  ratio(
    "signing without JavaScript / same-writes action, 2 workers each",
    "",
    "signing, no JavaScript, 2 workers",
    "bare Remix action, same writes, 2 workers",
  ),
  ratio(
    "signing without JavaScript, 2 workers / 1 worker",
    "≥ 160 %",
    "signing, no JavaScript, 2 workers",
    "signing, no JavaScript, 1 worker",
  ),
  ratio(
    "same-writes action, 2 workers / 1 worker",
    "",
    "bare Remix action, same writes, 2 workers",
    "bare Remix action, same writes, 1 worker",
  ),
]);

// Where the CPU goes, from each 1-worker server's profiles (primary and worker), the samples taken
// during the target's own rounds only.
const parts = process.env.BENCH_PROFILE
  ? partsTable(
      [
        ["signing, no JavaScript, 1 worker", first.server.profileDir],
        ["signing, JavaScript, 1 worker", first.server.profileDir],
        ["bare Remix action, same writes, 1 worker", bareRemix[0]?.profileDir ?? null],
        ["bare Remix action, one row, 1 worker", bareRemix[0]?.profileDir ?? null],
      ].map(([label, dir]) => {
        const target = byLabel(label ?? "");
        return {
          label: target.label,
          profiles: profilesIn(dir ?? null),
          cpuMsPerRequest: median(target.results.map((r) => r.cpuMsPerRequest ?? Number.NaN)),
          windows: target.results.map((r) => r.window),
        };
      }),
    )
  : "";
const summary = `${resultsTable(targets)}\n\n${ratios}${
  parts
    ? `\n\nWhere the CPU per request goes, 1 worker (profiled: each part's share of the samples in the target's own rounds, primary and worker, times its median CPU per request):\n\n${parts}`
    : ""
}`;
console.log(summary);
writeLatest(
  "http",
  `Latest run (${today()}): ${about}. ${ROUNDS} rounds of ${SECONDS} s each, ${CONNECTIONS} connections, median (min–max) of the rounds; ${SIGNERS.toLocaleString("en")} distinct signers with their own sessions; peak RSS of the 1-worker server (primary and worker) ${memory ? `${Math.round(memory.peakMiB)} MiB` : "unknown"}. The load generator shares the 2 cores with the servers.${process.env.BENCH_PROFILE ? " Every server ran under `node --cpu-prof`, which costs CPU of its own: compare the ratios, not these figures with an unprofiled run's." : ""}

${summary}`,
);
cleanUp();
