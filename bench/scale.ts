/**
 * A company-sized database: 80,000 staff, 1,000 petitions in every state and 1,000,000 signatures
 * (a few petitions with tens of thousands, a long tail with a few hundred), leadership's answers to
 * some of the petitions that required one, discussions with reported comments. Measured on it:
 *
 * - the main list queries, in process, against fetching the same number of rows by primary key;
 * - the pages that show them, through the production server, one request at a time, against the bare
 *   node:http server; then the server's throughput and peak memory (RSS) under a mixed load;
 * - cold start: `npm start` to the first 200, against a bare node:http server's start.
 *
 *   npm run bench:scale     (BENCH_SIGNATURES=1000000, BENCH_REPEAT=50)
 */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { benchCompany, cleanUp } from "./setup";

const { closeDb, getDb } = await import("../db/client");
const { CLI_ACTOR } = await import("../app/platform/security/audit.server");
const { renderMarkdown } = await import("../app/platform/content/markdown.server");
const { resetRateLimits } = await import("../app/platform/security/rate-limits.server");
const { grantRole, rolesOf } = await import("../app/domain/identity/permissions.server");
const { findPetition, listPetitions, moderationQueue, myPetitions, petitionPage } = await import(
  "../app/domain/petitions/reads.server"
);
const { openObligations } = await import("../app/domain/announcements/obligations.server");
const { loadThread } = await import("../app/domain/discussion/thread.server");
const { countReportedComments, reportedComments } = await import("../app/domain/discussion/queue.server");
const { checkCounts, listPublicSigners } = await import("../app/domain/petitions/counts.server");
const { petitionTimeline } = await import("../app/domain/petitions/timeline.server");
const { exportSigners, petitionDashboard } = await import("../app/domain/petitions/dashboard.server");
const { generateThread } = await import("../test/support/big-thread");
const { insertPeople, insertSessions, insertSignatures } = await import("./generate");
const { describe, memoryOf, runLoad, startBareServer } = await import("./load");
const { machine, ms, spread, stats, table, today, writeLatest } = await import("./report");
const { startBenchServer } = await import("./server");

const STAFF = 80_000;
const PETITIONS = 1_000;
const SIGNATURES = Number(process.env.BENCH_SIGNATURES ?? 1_000_000);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 50);
const DAY = 24 * 60 * 60_000;

const about = machine();
console.log(about);
let started = Date.now();
const now = Date.now();

// ---- The company ----------------------------------------------------------------------------------

// benchCompany gives the moderator and the co-sponsors through the real directory import and roles.
benchCompany(0);
const staff = insertPeople(STAFF, "staff");
const sqlite = getDb().$client;
const person = (id: number) => {
  const row = sqlite
    .prepare<[number], { id: number; email: string; name: string | null }>(
      "select id, email, name from people where id = ?",
    )
    .get(id);
  if (!row) throw new Error(`no person ${id}`);
  return { ...row, department: null, location: null, roles: rolesOf(id) };
};
const staffAt = (i: number) => staff[((i % STAFF) + STAFF) % STAFF] ?? 0;
const moderatorId = staffAt(1);
const leaderId = staffAt(2);
grantRole(moderatorId, "moderator", CLI_ACTOR);
grantRole(leaderId, "leadership", CLI_ACTOR);

// Petitions: most open, the rest in every other state. One prolific organizer created 40 of them.
const STATES = [
  ["open", 700],
  ["closed", 150],
  ["archived", 50],
  ["rejected", 40],
  ["awaiting_moderation", 30],
  ["collecting", 20],
  ["draft", 10],
] as const;
const prolificId = staffAt(3);
const insertPetition = sqlite.prepare(
  `insert into petitions (slug, title, summary, body, category, state, creator_id, co_sponsors_required, open_for_days,
     rejection_reason, created_at, updated_at, submitted_at, opened_at, closes_at, closed_at, archived_at)
   values (?, ?, ?, ?, ?, ?, ?, 3, 60, ?, ?, ?, ?, ?, ?, ?, ?)`,
);
const insertMilestone = sqlite.prepare(
  "insert into milestones (petition_id, threshold, response_required, response_days) values (?, ?, ?, ?)",
);
const insertCoSponsor = sqlite.prepare(
  "insert into petition_co_sponsors (petition_id, person_id, created_at) values (?, ?, ?)",
);
const TOPICS = [
  "remote work",
  "parental leave",
  "on-call pay",
  "AI training data",
  "office noise",
  "pensions",
];
const petitionList: Array<{ id: number; slug: string; state: string; opened: number | null }> = [];
sqlite.transaction(() => {
  let n = 0;
  for (const [state, count] of STATES) {
    for (let i = 0; i < count; i++, n++) {
      const topic = TOPICS[n % TOPICS.length] ?? "";
      const created = now - (200 - (n % 180)) * DAY;
      const opened = ["open", "closed", "archived"].includes(state) ? created + 5 * DAY : null;
      const slug = `petition-${n + 1}-about-${topic.replaceAll(" ", "-")}`;
      const id = Number(
        insertPetition.run(
          slug,
          `Petition ${n + 1} about ${topic}`,
          `We ask leadership to change how the company handles ${topic}, number ${n + 1}.`,
          `## Why\n\nStaff have asked about **${topic}** for a long time.\n\n- point one\n- point two\n\n${"Benchmark text. ".repeat(20)}`,
          TOPICS[n % 4] ?? null,
          state,
          n % 25 === 0 ? prolificId : staffAt(1000 + n),
          state === "rejected" ? "duplicate" : null,
          created,
          created,
          state === "draft" ? null : created + DAY,
          opened,
          // Open petitions close in the future (or the first read would close them).
          opened ? (state === "open" ? now + (10 + (n % 50)) * DAY : opened + 60 * DAY) : null,
          state === "closed" || state === "archived" ? (opened ?? created) + 60 * DAY : null,
          state === "archived" ? (opened ?? created) + 70 * DAY : null,
        ).lastInsertRowid,
      );
      for (const [threshold, required, days] of [
        [100, 0, null],
        [500, 0, null],
        [1500, 1, 14],
      ] as const) {
        insertMilestone.run(id, threshold, required, days);
      }
      if (state !== "draft") {
        for (let s = 1; s <= (state === "collecting" ? 1 : 3); s++)
          insertCoSponsor.run(id, staffAt(5000 + n * 7 + s), created);
      }
      petitionList.push({ id, slug, state, opened });
    }
  }
})();

// Signatures: a long tail (rank^-0.9), capped by the number of staff; each petition's signers are
// distinct people (a stride through the directory coprime with its size).
const signable = petitionList.filter((p) => ["open", "closed", "archived"].includes(p.state));
const weights = signable.map((_, rank) => (rank + 1) ** -0.9);
const weightSum = weights.reduce((a, b) => a + b, 0);
let remaining = SIGNATURES;
const sizes = weights.map((w, i) => {
  const size =
    i === weights.length - 1 ? remaining : Math.min(STAFF, Math.round((w / weightSum) * SIGNATURES));
  remaining -= size;
  return Math.max(0, Math.min(STAFF, size));
});
// Rotate so the biggest petitions are not all the oldest ones.
signable.forEach((petition, i) => {
  const size = sizes[i] ?? 0;
  if (!size) return;
  const start = (i * 104_729) % STAFF;
  const signers = Array.from({ length: size }, (_, j) => staffAt(start + j * 7919));
  const opened = petition.opened ?? now - 60 * DAY;
  insertSignatures(petition.id, signers, { from: opened, to: Math.min(now - 60_000, opened + 55 * DAY) });
});
const signatureTotal = sizes.reduce((a, b) => a + b, 0);
const top = signable[0];
const median = signable[Math.floor(signable.length / 2)];
if (!top || !median) throw new Error("no petitions");

// Leadership answered a third of the petitions that required a response; the rest await it.
const requiring = sqlite
  .prepare<[], { id: number; petition_id: number }>(
    "select id, petition_id from milestones where response_required = 1 and reached_at is not null order by petition_id",
  )
  .all();
sqlite.transaction(() => {
  const insertAnnouncement = sqlite.prepare(
    `insert into announcements (slug, title, body, body_html, state, author_id, published_at, emails_done_at, created_at, updated_at)
     values (?, ?, ?, ?, 'published', ?, ?, ?, ?, ?)`,
  );
  requiring.forEach((milestone, i) => {
    if (i % 3) return;
    const body = "We heard you. Here is what we will do.";
    const id = insertAnnouncement.run(
      `response-${i}`,
      `Response ${i}`,
      body,
      renderMarkdown(body),
      leaderId,
      now - DAY,
      now - DAY,
      now - 2 * DAY,
      now - DAY,
    ).lastInsertRowid;
    sqlite
      .prepare("insert into announcement_responses (announcement_id, petition_id, stance) values (?, ?, ?)")
      .run(id, milestone.petition_id, ["accepted", "partially_accepted", "declined"][i % 3]);
    sqlite
      .prepare("insert into announcement_milestones (announcement_id, milestone_id) values (?, ?)")
      .run(id, milestone.id);
  });
})();

// Discussions on the 20 biggest petitions, and reports on 300 of their comments (a few hidden).
const bodies = [
  "I agree. **Consent** matters, and the FAQ does not answer the [retention question](https://example.com/faq).",
  "> Nobody asked us.\n\nExactly this.",
].map((body) => ({ body, html: renderMarkdown(body) }));
const THREADS = 20;
const commentTotal = 10_000 + (THREADS - 1) * 2_000;
const authors = Array.from({ length: 200 }, (_, i) => person(staffAt(20_000 + i)));
for (const petition of signable.slice(0, THREADS)) {
  // Each thread's first comment goes through postComment, as one author: not a flood.
  resetRateLimits();
  await generateThread(
    petition.id,
    petition === top ? 10_000 : 2_000,
    authors as [(typeof authors)[0], ...typeof authors],
    bodies,
  );
}
sqlite.transaction(() => {
  const reported = sqlite
    .prepare<[], { id: number }>("select id from comments order by created_at desc, id desc limit 300")
    .all();
  const insertReport = sqlite.prepare(
    "insert into comment_reports (comment_id, reporter_id, reason, created_at) values (?, ?, 'spam', ?)",
  );
  reported.forEach(({ id }, i) => {
    const reports = 1 + (i % 3);
    for (let r = 0; r < reports; r++) insertReport.run(id, staffAt(30_000 + i * 3 + r), now - r * 60_000);
    sqlite
      .prepare("update comments set open_reports = ?, hidden_at = ? where id = ?")
      .run(reports, reports >= 3 ? now : null, id);
  });
})();
sqlite.exec("analyze");
if (process.env.BENCH_CHECK !== "0" && !checkCounts().ok)
  throw new Error("the generated data is inconsistent");
console.log(
  `${STAFF.toLocaleString("en")} staff, ${PETITIONS.toLocaleString("en")} petitions, ${signatureTotal.toLocaleString("en")} signatures (biggest ${sizes[0]?.toLocaleString("en")}, median ${sizes[Math.floor(sizes.length / 2)]?.toLocaleString("en")}), ${requiring.length} response obligations, generated in ${((Date.now() - started) / 1000).toFixed(0)} s`,
);

// ---- The queries, in process ----------------------------------------------------------------------

const moderator = person(moderatorId);
const leader = person(leaderId);
// The heaviest signer: someone who signed many petitions.
const heavy = person(
  sqlite
    .prepare<[], { person_id: number }>(
      "select person_id from signatures group by person_id order by count(*) desc limit 1",
    )
    .get()?.person_id ?? staffAt(0),
);
const viewer = person(staffAt(40_000));

/** The organizer dashboard of the biggest petition: every number, chart and breakdown, and its export. */
const biggest = findPetition(
  String(
    sqlite.prepare<[], { id: number }>("select id from petitions order by signature_count desc limit 1").get()
      ?.id ?? 0,
  ),
);
let dashboardDays = 0;
const DASHBOARD_QUERIES: Array<[label: string, run: () => unknown]> = biggest
  ? [
      ["organizer dashboard (biggest petition, by day)", () => petitionDashboard(biggest, {})],
      // Breakdowns are kept for the day (see signerBreakdowns): each run here is a new day's first view.
      [
        "organizer dashboard, a day's first view",
        () => petitionDashboard(biggest, {}, now + ++dashboardDays * DAY),
      ],
      [
        "organizer dashboard (biggest petition, by hour)",
        () => petitionDashboard(biggest, { resolution: "hour" }),
      ],
      ["signers export (biggest petition)", () => exportSigners(biggest, moderator)],
    ]
  : [];

const QUERIES: Array<[string, () => unknown]> = [
  ["open petitions, most signatures", () => listPetitions({ list: "open", sort: "signatures", page: 1 })],
  ["open petitions, newest", () => listPetitions({ list: "open", sort: "newest", page: 1 })],
  ["open petitions, closing soon", () => listPetitions({ list: "open", sort: "closing", page: 1 })],
  ["open petitions, page 30", () => listPetitions({ list: "open", sort: "signatures", page: 30 })],
  [
    "open petitions, search",
    () => listPetitions({ list: "open", sort: "signatures", page: 1, q: "parental leave" }),
  ],
  ["awaiting response", () => listPetitions({ list: "awaiting-response", sort: "signatures", page: 1 })],
  ["responded", () => listPetitions({ list: "responded", sort: "signatures", page: 1 })],
  ["closed", () => listPetitions({ list: "closed", sort: "newest", page: 1 })],
  ["rejected", () => listPetitions({ list: "rejected", sort: "newest", page: 1 })],
  ["my petitions (heaviest signer)", () => myPetitions(heavy.id)],
  ["my petitions (organizer of 40)", () => myPetitions(prolificId)],
  ["leadership: awaiting response", () => openObligations()],
  ["moderation: petitions queue", () => moderationQueue()],
  ["moderation: reported comments", () => reportedComments(moderator)],
  ["moderation: reported count", () => countReportedComments()],
  [
    "petition page data (biggest)",
    () => {
      const found = petitionPage(top.slug, viewer);
      if (!found) throw new Error("no page");
      listPublicSigners(found.row.id, 1);
      petitionTimeline(found.row);
      loadThread({ type: "petition", id: found.row.id }, viewer, { sort: "top", page: 1 });
    },
  ],
  ...DASHBOARD_QUERIES,
];
const byIds = sqlite.prepare("select * from petitions where id in (select value from json_each(?))");
const twentyIds = JSON.stringify(petitionList.slice(100, 120).map((p) => p.id));
const time = (run: () => unknown) => {
  run();
  const samples: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const start = process.hrtime.bigint();
    run();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return stats(samples);
};
const baseline = time(() => byIds.all(twentyIds));
const queryRows = QUERIES.map(([label, run]) => {
  const s = time(run);
  console.log(`${label.padEnd(36)} mean ${ms(s.mean).padStart(9)}  p99 ${ms(s.p99).padStart(9)}`);
  return [label, ms(s.mean), ms(s.p99), `${Math.round(s.mean / baseline.mean).toLocaleString("en")}×`];
});
console.log(`baseline: 20 petitions by primary key, mean ${ms(baseline.mean)}`);

// ---- The pages, through the server -------------------------------------------------------------------

const [viewerCookie, heavyCookie, prolificCookie, leaderCookie, moderatorCookie] = await insertSessions([
  viewer.id,
  heavy.id,
  prolificId,
  leader.id,
  moderator.id,
]);
const databasePath = process.env.DATABASE_URL ?? "";
closeDb();

const server = await startBenchServer(databasePath);
const bare = await startBareServer();
const PAGES: Array<[string, string, string | undefined]> = [
  ["petitions: open, most signatures", "/petitions", viewerCookie],
  ["petitions: awaiting response", "/petitions?list=awaiting-response", viewerCookie],
  ["petitions: search", "/petitions?q=parental+leave", viewerCookie],
  ["my petitions (heaviest signer)", "/my/petitions", heavyCookie],
  ["my petitions (organizer of 40)", "/my/petitions", prolificCookie],
  ["leadership: awaiting response", "/leadership", leaderCookie],
  ["moderation", "/moderation", moderatorCookie],
  ["moderation: reported comments", "/moderation/comments", moderatorCookie],
  [
    `petition page (biggest, ${sizes[0]?.toLocaleString("en")} signatures)`,
    `/petitions/${top.slug}`,
    viewerCookie,
  ],
  [
    `petition page (median, ${sizes[Math.floor(sizes.length / 2)]?.toLocaleString("en")})`,
    `/petitions/${median.slug}`,
    viewerCookie,
  ],
  ["count endpoint", `/api/petitions/${top.slug}/count`, undefined],
];
const cookieHeader = (cookie?: string): Record<string, string> => (cookie ? { Cookie: cookie } : {});
const sequential = (port: number, pid: number, path: string, cookie?: string) =>
  runLoad({
    port,
    pid,
    connections: 1,
    total: REPEAT,
    next: () => ({ path, headers: cookieHeader(cookie) }),
    ok: (status) => status === 200,
  });
await sequential(bare.port, bare.pid, "/");
const bareLatency = await sequential(bare.port, bare.pid, "/");
const pageRows: string[][] = [];
for (const [label, path, cookie] of PAGES) {
  await sequential(server.port, server.pid, path, cookie);
  const result = await sequential(server.port, server.pid, path, cookie);
  if (result.ok !== result.requests) throw new Error(`${path}: ${JSON.stringify(result.statuses)}`);
  console.log(`${label.padEnd(44)} ${describe(result)}`);
  pageRows.push([
    label,
    ms(result.latency.mean),
    ms(result.latency.p99),
    ms(result.cpuMsPerRequest ?? Number.NaN),
    `${Math.round(result.latency.mean / bareLatency.latency.mean).toLocaleString("en")}×`,
  ]);
}

// Mixed load: every page above, 32 connections, for the peak memory under load.
let m = 0;
const mixed = await runLoad({
  port: server.port,
  pid: server.pid,
  connections: 32,
  durationMs: 10_000,
  next: () => {
    const [, path, cookie] = PAGES[m++ % PAGES.length] ?? PAGES[0] ?? ["", "/", undefined];
    return { path, headers: cookieHeader(cookie) };
  },
  ok: (status) => status === 200,
});
const memory = memoryOf(server.pid);
console.log(`mixed load: ${describe(mixed)}; peak RSS ${memory?.peakMiB.toFixed(0)} MiB`);
await server.stop();

// ---- Cold start ------------------------------------------------------------------------------------

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}
/** Milliseconds from spawning `command` to the first 200 from `path` on `port`. */
async function timeToFirst200(command: string, args: string[], port: number, path: string) {
  const start = process.hrtime.bigint();
  const deadline = Date.now() + 120_000;
  const child = spawn(command, args, {
    env: { ...process.env, PORT: String(port), DATABASE_URL: databasePath, NODE_ENV: "production" },
    stdio: "ignore",
    detached: true,
  });
  try {
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}${path}`)
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) return Number(process.hrtime.bigint() - start) / 1e6;
      if (Date.now() > deadline) throw new Error(`${command} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    // npm start is npm → sh → tsx → node: end the whole group this spawn started.
    if (child.pid) process.kill(-child.pid, "SIGKILL");
    await new Promise((resolve) => (child.exitCode === null ? child.once("exit", resolve) : resolve(null)));
  }
}
const cold: number[] = [];
const bareCold: number[] = [];
const helloCode = `require("node:http").createServer((q,r)=>r.end("hello")).listen(process.env.PORT)`;
for (let i = 0; i < 3; i++) {
  bareCold.push(await timeToFirst200(process.execPath, ["-e", helloCode], await freePort(), "/"));
  cold.push(await timeToFirst200("npm", ["start"], await freePort(), "/healthz"));
  console.log(
    `cold start ${i + 1}: npm start ${ms(cold.at(-1) ?? 0)}, bare node ${ms(bareCold.at(-1) ?? 0)}`,
  );
}
await bare.stop();

const queryTable = table(["in process", "mean", "p99", "× 20 rows by primary key"], queryRows);
const pageTable = table(
  ["through the server, one at a time", "mean", "p99", "server CPU per request", "mean × bare node:http"],
  pageRows,
);
const rest = table(
  ["", "figure"],
  [
    [
      "mixed load of the pages above (32 connections, 10 s)",
      `${Math.round(mixed.rate).toLocaleString("en")} requests/s, server CPU ${ms(mixed.cpuMsPerRequest ?? Number.NaN)} per request, p50 ${ms(mixed.latency.p50)}, p99 ${ms(mixed.latency.p99)}`,
    ],
    ["server peak RSS after the load", memory ? `${Math.round(memory.peakMiB)} MiB` : "unknown"],
    [
      "cold start: `npm start` to the first 200 (3 runs)",
      `${spread(cold, ms)}; bare node:http ${spread(bareCold, ms)}`,
    ],
  ],
);
console.log(`\n${queryTable}\n\n${pageTable}\n\n${rest}`);
writeLatest(
  "scale",
  `Latest run (${today()}): ${about}. ${STAFF.toLocaleString("en")} staff, ${PETITIONS.toLocaleString("en")} petitions, ${signatureTotal.toLocaleString("en")} signatures (biggest petition ${sizes[0]?.toLocaleString("en")}), ${requiring.length} response obligations, ${commentTotal.toLocaleString("en")} comments; ${REPEAT} runs of each after one warm-up. Baselines: 20 petition rows by primary key in process (${ms(baseline.mean)}), a bare node:http request (${ms(bareLatency.latency.mean)}, server CPU ${ms(bareLatency.cpuMsPerRequest ?? Number.NaN)}).

${queryTable}

${pageTable}

${rest}`,
);
started = Date.now();
cleanUp();
