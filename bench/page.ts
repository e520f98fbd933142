import type { LoadResult } from "./load";
import { benchCompany, cleanUp } from "./setup";

const { getDb } = await import("../db/client");
const { renderMarkdown } = await import("../app/platform/content/markdown.server");
const { checkCounts } = await import("../app/domain/petitions/counts.server");
const { generateThread } = await import("../test/support/big-thread");
const { insertPeople, insertSessions, insertSignatures } = await import("./generate");
const { memoryOf, ratioTable, resultsTable, runRounds } = await import("./load");
const { machine, median, today, writeLatest } = await import("./report");
const { bareRemixRowsFor, startBareRemix, startBenchTargets } = await import("./server");
const { PAGE_PARTS, partsTable, profilesIn } = await import("./profile");

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SIGNATURES = 100_000;
const COMMENTS = 10_000;
const VIEWERS = 2_000;

const about = machine();
console.log(about);
const started = Date.now();
const { openPetition } = benchCompany(0);
const busy = openPetition("Benchmark petition with 100,000 signatures and a big discussion");
// A body of the length and shape real petitions have (the form allows 10,000 characters).
const body = `## Why\n\nStaff have asked about **keystroke logging** for a long time; see [the FAQ](https://intranet.example/faq).\n\n- consent before collection\n- a pause button\n- published retention periods\n\n${"The logging was introduced without consultation, and the answers so far do not say what is kept, for how long, or who can read it. ".repeat(12)}\n\n> Nobody asked us.\n\n1. Pause the collection.\n2. Ask staff.\n`;
getDb().$client.prepare("update petitions set body = ? where id = ?").run(body, busy.id);
const people = insertPeople(SIGNATURES, "staff");
const day = 24 * 60 * 60_000;
insertSignatures(busy.id, people, { from: Date.now() - 20 * day, to: Date.now() - 60_000 });
const authors = people.slice(0, 400).map((id, i) => ({
  id,
  email: `staff-${i}@bench.example`,
  name: `staff Person ${i}`,
  department: null,
  location: null,
  roles: [],
}));
const [firstAuthor, ...otherAuthors] = authors;
if (!firstAuthor) throw new Error("no authors");
await generateThread(
  busy.id,
  COMMENTS,
  [firstAuthor, ...otherAuthors],
  [
    "I agree with the petition. **Consent** matters, and the FAQ does not answer the [retention question](https://example.com/faq).",
    "Could the organizers add:\n\n- a pause button\n- an exemption process\n- published retention periods",
    "> Nobody asked us.\n\nExactly this. We were told after it started.",
  ].map((body) => ({ body, html: renderMarkdown(body) })),
);
// Viewers: half of them signed it (their receipt shows), half did not (the sign form shows).
const viewers = [...people.slice(1000, 1000 + VIEWERS / 2), ...insertPeople(VIEWERS / 2, "viewer")];
const cookies = await insertSessions(viewers);
getDb().$client.exec("analyze");
if (!checkCounts().ok) throw new Error("the generated data is inconsistent");
console.log(
  `${SIGNATURES.toLocaleString("en")} signatures and ${COMMENTS.toLocaleString("en")} comments generated in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
const { servers, first, bare } = await startBenchTargets([
  { label: "1 worker", env: { WEB_CONCURRENCY: "1" } },
  { label: "2 workers", env: { WEB_CONCURRENCY: "2" } },
]);
let v = 0;
const asViewer = (path: string) => () => ({ path, headers: { Cookie: cookies[v++ % cookies.length] ?? "" } });

const check = await fetch(`${first.server.baseUrl}/petitions/${busy.slug}`, {
  headers: { Cookie: cookies[0] ?? "" },
});
const html = await check.text();
if (!check.ok || !html.includes("100,000")) throw new Error(`the page did not render: ${check.status}`);
console.log(`page: ${Math.round(html.length / 1024)} KiB of HTML`);
// The bare Remix app's page made as big: one query, that many rows rendered by React.
const pageRows = await bareRemixRowsFor(html.length);
const bareRemix = [
  await startBareRemix({ workers: 1, pageRows }),
  await startBareRemix({ workers: 2, pageRows }),
];
const bareHtml = await (await fetch(`${bareRemix[0]?.baseUrl}/`)).text();
console.log(`bare Remix page: ${pageRows} rows, ${Math.round(bareHtml.length / 1024)} KiB of HTML`);

// What an open page's poll sends once its browser has the count cached: If-None-Match, when the
// server gave an ETag.
const countPath = `/api/petitions/${busy.slug}/count`;
const etags = await Promise.all(
  servers.map(async ({ server }) => (await fetch(`${server.baseUrl}${countPath}`)).headers.get("ETag")),
);

const targets = [
  {
    label: "bare node:http",
    port: bare.port,
    pid: bare.pid,
    next: () => ({ path: "/" }),
    results: [] as LoadResult[],
  },
  ...bareRemix.map((server, i) => ({
    label: `bare Remix page, ${i + 1} worker${i ? "s" : ""}`,
    port: server.port,
    pid: server.pid,
    next: () => ({ path: "/" }),
    results: [] as LoadResult[],
  })),
  ...servers.flatMap(({ label, server }, i) => [
    {
      label: `petition page, ${label}`,
      port: server.port,
      pid: server.pid,
      next: asViewer(`/petitions/${busy.slug}`),
      results: [] as LoadResult[],
    },
    {
      label: `count endpoint, ${label}`,
      port: server.port,
      pid: server.pid,
      next: () => ({ path: countPath }),
      results: [] as LoadResult[],
    },
    {
      label: `count endpoint polled (If-None-Match), ${label}`,
      port: server.port,
      pid: server.pid,
      next: () => ({ path: countPath, headers: { "If-None-Match": etags[i] ?? "" } }),
      results: [] as LoadResult[],
    },
  ]),
];
// Only a page or a count (or its 304) is a success: a redirect to sign-in would not be.
const ok200 = (status: number) => status === 200 || status === 304;
await runRounds(
  targets.map((target) => ({ ...target, ok: ok200 })),
  { rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS },
);
const memory = memoryOf(first.server.pid);
for (const { server } of servers) await server.stop();
await bare.stop();
for (const server of bareRemix) await server.stop();

const byLabel = (label: string) => {
  const target = targets.find((t) => t.label === label);
  if (!target) throw new Error(`no target ${label}`);
  return target;
};
const ratios = ratioTable([
  {
    label: "petition page / bare Remix page, 1 worker each",
    goal: "≥ 50 %",
    of: byLabel("petition page, 1 worker"),
    to: byLabel("bare Remix page, 1 worker"),
  },
  {
    label: "petition page / bare Remix page, 2 workers each",
    goal: "",
    of: byLabel("petition page, 2 workers"),
    to: byLabel("bare Remix page, 2 workers"),
  },
  {
    label: "petition page, 2 workers / 1 worker",
    goal: "≥ 160 %",
    of: byLabel("petition page, 2 workers"),
    to: byLabel("petition page, 1 worker"),
  },
  {
    label: "bare Remix page, 2 workers / 1 worker",
    goal: "",
    of: byLabel("bare Remix page, 2 workers"),
    to: byLabel("bare Remix page, 1 worker"),
  },
  {
    label: "count endpoint, 2 workers / 1 worker",
    goal: "",
    of: byLabel("count endpoint, 2 workers"),
    to: byLabel("count endpoint, 1 worker"),
  },
]);
// Where the CPU goes, from the 1-worker servers' profiles (BENCH_PROFILE), the samples taken during
// each page's own rounds only.
const parts = process.env.BENCH_PROFILE
  ? partsTable(
      [
        ["petition page, 1 worker", first.server.profileDir],
        ["bare Remix page, 1 worker", bareRemix[0]?.profileDir ?? null],
      ].map(([label, dir]) => {
        const target = byLabel(label ?? "");
        return {
          label: target.label,
          profiles: profilesIn(dir ?? null),
          cpuMsPerRequest: median(target.results.map((r) => r.cpuMsPerRequest ?? Number.NaN)),
          windows: target.results.map((r) => r.window),
        };
      }),
      PAGE_PARTS,
    )
  : "";
const summary = `${resultsTable(targets)}\n\n${ratios}${
  parts
    ? `\n\nWhere the CPU per page goes, 1 worker (profiled: each part's share of the samples in the page's own rounds, primary and worker, times its median CPU per request):\n\n${parts}`
    : ""
}`;
console.log(summary);
writeLatest(
  "page",
  `Latest run (${today()}): ${about}. ${ROUNDS} rounds of ${SECONDS} s each, ${CONNECTIONS} connections, median (min–max) of the rounds; ${VIEWERS.toLocaleString("en")} signed-in viewers with their own sessions (half of them signers); petition page ${Math.round(html.length / 1024)} KiB of HTML (5 top comments with their first reply; the whole discussion is its own page), bare Remix page ${Math.round(bareHtml.length / 1024)} KiB (${pageRows} rows from one query); peak RSS of the 1-worker server (primary and worker) ${memory ? `${Math.round(memory.peakMiB)} MiB` : "unknown"}. The load generator shares the 2 cores with the servers.${process.env.BENCH_PROFILE ? " Every server ran under `node --cpu-prof`, which costs CPU of its own: compare the ratios, not these figures with an unprofiled run's." : ""}

${summary}`,
);
cleanUp();
