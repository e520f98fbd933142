/**
 * Server render time of page 1 of a 10,000-comment thread: the petition page rendered by the built
 * Remix server (loader + React SSR, as a signed-in person), against the same page for a petition with
 * no comments, in the same process; and the thread's queries (loadThread) against one raw query for
 * the same 20 top-level rows.
 *
 *   npm run bench:comments       (BENCH_RENDERS=300 by default)
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";

process.env.NODE_ENV = "production";
const RENDERS = Number(process.env.BENCH_RENDERS ?? 300);
const COMMENTS = 10_000;

import { benchCompany, cleanUp } from "./setup";

const { machine, ms: millis, table, today, writeLatest } = await import("./report");
const about = machine();
console.log(about);

const { generateThread } = await import("../test/support/big-thread");
const { createRequestHandler } = await import("@remix-run/node");
const { ensureFreshBuild } = await import("../app/server/build-freshness");
const { getDb } = await import("../db/client");
const { commentThreads } = await import("../db/schema");
const { loadThread } = await import("../app/domain/discussion/thread.server");
const { renderMarkdown } = await import("../app/platform/content/markdown.server");
const { createSession } = await import("../app/domain/identity/sessions.server");
const { commitSessionCookie } = await import("../app/web/session.server");
const { eq } = await import("drizzle-orm");

ensureFreshBuild();
const build = (await import(pathToFileURL(path.resolve("build/server/index.js")).href)) as ServerBuild;
const handle = createRequestHandler(build, "production");

const { staff, openPetition } = benchCompany(400);
const busy = openPetition("Benchmark petition with a big discussion");
const quiet = openPetition("Benchmark petition with no discussion");
const [first, ...others] = staff;
if (!first) throw new Error("no staff");
await generateThread(
  busy.id,
  COMMENTS,
  [first, ...others],
  [
    "I agree with the petition. **Consent** matters, and the FAQ does not answer the [retention question](https://example.com/faq).",
    "Could the organizers add:\n\n- a pause button\n- an exemption process\n- published retention periods",
    "> Nobody asked us.\n\nExactly this. We were told after it started.",
  ].map((body) => ({ body, html: renderMarkdown(body) })),
);
const thread = getDb().select().from(commentThreads).where(eq(commentThreads.subjectId, busy.id)).get();
if (!thread) throw new Error("no thread");
const sqlite = getDb().$client;
sqlite.exec("analyze");

const viewer = staff[9] ?? first;
const cookie = (await commitSessionCookie(createSession(getDb(), viewer.id))).split(";")[0] ?? "";
const context = { clientIp: "127.0.0.1", cspNonce: "bench" };
async function render(slug: string) {
  const response = await handle(
    new Request(`http://localhost:3000/petitions/${slug}`, { headers: { Cookie: cookie } }),
    context,
  );
  if (response.status !== 200) throw new Error(`${slug}: ${response.status}`);
  return response.text();
}

const stats = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { mean: samples.reduce((a, b) => a + b, 0) / samples.length, p50: at(0.5), p99: at(0.99) };
};
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

// Warm up, then alternate the two pages so neither gets a warmer cache.
for (let i = 0; i < 30; i++) {
  await render(busy.slug);
  await render(quiet.slug);
}
const busyTimes: number[] = [];
const quietTimes: number[] = [];
let html = "";
for (let i = 0; i < RENDERS; i++) {
  let start = process.hrtime.bigint();
  html = await render(busy.slug);
  busyTimes.push(ms(start));
  start = process.hrtime.bigint();
  await render(quiet.slug);
  quietTimes.push(ms(start));
}
const rendered = (html.match(/class="comment comment-/g) ?? []).length;

const raw = sqlite.prepare(
  "select c.*, p.name from comments c join people p on p.id = c.author_id where c.thread_id = ? and c.parent_id is null order by c.score desc, c.created_at desc, c.id desc limit 20",
);
const loadTimes: number[] = [];
const rawTimes: number[] = [];
for (let i = 0; i < RENDERS * 5; i++) {
  let start = process.hrtime.bigint();
  loadThread({ type: "petition", id: busy.id }, viewer, { sort: "top", page: 1 });
  loadTimes.push(ms(start));
  start = process.hrtime.bigint();
  raw.all(thread.id);
  rawTimes.push(ms(start));
}

const line = (label: string, s: ReturnType<typeof stats>) =>
  console.log(
    `${label.padEnd(44)} mean ${s.mean.toFixed(2).padStart(6)} ms  p50 ${s.p50.toFixed(2).padStart(6)} ms  p99 ${s.p99.toFixed(2).padStart(6)} ms`,
  );
const busyStats = stats(busyTimes);
const quietStats = stats(quietTimes);
const loadStats = stats(loadTimes);
const rawStats = stats(rawTimes);
console.log(
  `${COMMENTS.toLocaleString("en")} comments; page 1 shows ${rendered} of them (20 top level + first replies)`,
);
line("petition page, 10,000-comment thread", busyStats);
line("petition page, no comments (baseline)", quietStats);
line("loadThread (page 1, top sort)", loadStats);
line("one raw query for the 20 top-level rows", rawStats);
console.log(
  `no-comment page / 10,000-comment page: ${((quietStats.mean / busyStats.mean) * 100).toFixed(0)}%`,
);
console.log(`raw query / loadThread: ${((rawStats.mean / loadStats.mean) * 100).toFixed(0)}%`);
const summary = table(
  ["page, 10,000 comments", "page, no comments (baseline)", "ratio", "loadThread", "raw query"],
  [
    [
      `${millis(busyStats.mean)} mean, p99 ${millis(busyStats.p99)}`,
      `${millis(quietStats.mean)} mean`,
      `${((quietStats.mean / busyStats.mean) * 100).toFixed(0)} %`,
      millis(loadStats.mean),
      millis(rawStats.mean),
    ],
  ],
);
writeLatest(
  "comments",
  `Latest run (${today()}): ${about}. ${RENDERS} renders of each, alternating.\n\n${summary}`,
);
cleanUp();
