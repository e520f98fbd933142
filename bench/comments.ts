/**
 * Server render time of page 1 of a 10,000-comment thread: the petition page rendered by the built
 * Remix server (loader + React SSR, as a signed-in person), against the same page for a petition with
 * no comments, in the same process; and the thread's queries (loadThread) against one raw query for
 * the same 20 top-level rows.
 *
 *   npm run bench:comments       (BENCH_RENDERS=300 by default)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";

const dir = mkdtempSync(path.join(tmpdir(), "undersigned-bench-"));
process.env.DATABASE_URL = path.join(dir, "bench.db");
process.env.NODE_ENV = "production";
const RENDERS = Number(process.env.BENCH_RENDERS ?? 300);
const COMMENTS = 10_000;

const { createRequestHandler } = await import("@remix-run/node");
const { ensureFreshBuild } = await import("../app/server/build-freshness");
const { getDb, closeDb } = await import("../db/client");
const { people, commentThreads } = await import("../db/schema");
const { CLI_ACTOR } = await import("../app/models/audit.server");
const { importDirectory } = await import("../app/models/people.server");
const { grantRole, rolesOf } = await import("../app/models/permissions.server");
const { createPetition, transitionPetition } = await import("../app/models/petitions.server");
const { postComment, loadThread } = await import("../app/models/comments.server");
const { renderMarkdown } = await import("../app/models/markdown.server");
const { createSession, commitSessionCookie } = await import("../app/models/sessions.server");
const { eq } = await import("drizzle-orm");

ensureFreshBuild();
const build = (await import(pathToFileURL(path.resolve("build/server/index.js")).href)) as ServerBuild;
const handle = createRequestHandler(build, "production");

const rows = ["email,name,department,location"];
for (let i = 0; i < 400; i++) rows.push(`p${i}@bench.example,Person ${i},Engineering,London`);
importDirectory(`${rows.join("\n")}\n`, CLI_ACTOR);
const users = getDb()
  .select()
  .from(people)
  .all()
  .map((p) => ({ ...p, roles: rolesOf(p.id) }));
const [creator, mod, ...staff] = users;
if (!creator || !mod || staff.length < 10) throw new Error("no people");
grantRole(mod.id, "moderator", CLI_ACTOR);
const moderator = { ...mod, roles: ["moderator" as const] };

function openPetition(title: string) {
  const petition = createPetition(
    { title, summary: "A benchmark petition ".repeat(2), body: "Benchmark text. ".repeat(5) },
    creator as (typeof users)[number],
  );
  transitionPetition(petition.id, { action: "submit" }, creator as (typeof users)[number]);
  for (const sponsor of staff.slice(0, 3)) transitionPetition(petition.id, { action: "co-sponsor" }, sponsor);
  return transitionPetition(petition.id, { action: "approve" }, moderator);
}
const busy = openPetition("Benchmark petition with a big discussion");
const quiet = openPetition("Benchmark petition with no discussion");

// 10,000 comments: a tenth top level, each with five replies, the last of those with four of its own.
postComment({ type: "petition", id: busy.id }, { body: "First!", anonymous: false }, staff[5] ?? creator);
const thread = getDb().select().from(commentThreads).where(eq(commentThreads.subjectId, busy.id)).get();
if (!thread) throw new Error("no thread");
const bodies = [
  "I agree with the petition. **Consent** matters, and the FAQ does not answer the [retention question](https://example.com/faq).",
  "Could the organizers add:\n\n- a pause button\n- an exemption process\n- published retention periods",
  "> Nobody asked us.\n\nExactly this. We were told after it started.",
].map((body) => ({ body, html: renderMarkdown(body) }));
const sqlite = getDb().$client;
const insert = sqlite.prepare(
  "insert into comments (thread_id, parent_id, depth, author_id, anonymous, body, body_html, score, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
);
sqlite.transaction(() => {
  let top = 1;
  let lastTop = 0;
  let lastSecond = 0;
  for (let i = 1; i < COMMENTS; i++) {
    const kind = i % 10;
    const [parent, depth] =
      kind === 0 || !lastTop ? [null, 1] : kind > 5 && lastSecond ? [lastSecond, 3] : [lastTop, 2];
    const { body, html } = bodies[i % bodies.length] ?? { body: "", html: "" };
    const author = staff[i % staff.length] ?? creator;
    const id = Number(
      insert.run(
        thread.id,
        parent,
        depth,
        author.id,
        i % 3 === 0 ? 1 : 0,
        body,
        html,
        (i * 7919) % 97,
        Date.now(),
      ).lastInsertRowid,
    );
    if (depth === 1) {
      top++;
      lastTop = id;
      lastSecond = 0;
    } else if (depth === 2) lastSecond = id;
  }
  sqlite
    .prepare("update comment_threads set comment_count = ?, top_level_count = ? where id = ?")
    .run(COMMENTS, top, thread.id);
  sqlite.exec(
    `update comments set reply_count = (select count(*) from comments r where r.parent_id = comments.id) where thread_id = ${thread.id}`,
  );
})();
sqlite.exec("analyze");

const viewer = staff[9] ?? creator;
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
  "select c.*, p.name from comments c join people p on p.id = c.author_id where c.thread_id = ? and c.parent_id is null order by c.score desc, c.id desc limit 20",
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
closeDb();
rmSync(dir, { recursive: true, force: true });
