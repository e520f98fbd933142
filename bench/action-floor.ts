/**
 * The signing POST against the bare Remix app's two actions (bench/bare-remix: one that inserts one
 * row, and one that does a signature's own writes on the project's schema), in one process, with no
 * HTTP and no load generator competing for the cores: each build's Remix request handler is called
 * with a Fetch Request, in alternating rounds, and each request's CPU time (process.cpuUsage) is
 * summed. It isolates what our action costs above the framework floor from the machine's load, which
 * moves the HTTP figures by 2×.
 *
 * Signing is posted both ways a browser posts it: the document POST of a page without JavaScript
 * (answered with a 302 and the flash cookie) and Remix's `?_data=` fetch with JavaScript (a 204 with
 * X-Remix-Redirect). BENCH_PROFILE=FILE profiles every round (node:inspector), writes the profiles
 * to FILE.TARGET.ROUND.cpuprofile and prints where each target's CPU per request goes, part by part
 * (bench/profile.ts).
 *
 *   npm run bench:floor      (BENCH_ROUNDS=5, BENCH_REQUESTS=400 per round)
 */
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { AppLoadContext, ServerBuild } from "@remix-run/node";
import type { Profile } from "./profile";
import { benchCompany } from "./setup";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 400);
const PETITIONS = 10;

const { createRequestHandler } = await import("@remix-run/node");
const { getDb } = await import("../db/client");
const { ensureFreshBuild } = await import("../app/server/build-freshness");
const { buildBareRemix } = await import("./server");
const { insertPeople, insertSessions } = await import("./generate");
const { machine, table, ms, percent, spread, today, writeLatest } = await import("./report");
const { partsTable } = await import("./profile");
const { checkCounts } = await import("../app/domain/petitions/counts.server");
const { resetRateLimits } = await import("../app/platform/security/rate-limits.server");

ensureFreshBuild();
buildBareRemix();
const load = async (file: string) => (await import(pathToFileURL(path.resolve(file)).href)) as ServerBuild;
const ours = createRequestHandler(await load("build/server/index.js"), "production");
const bare = createRequestHandler(await load("bench/bare-remix/build/server/index.js"), "production");

const about = machine();
console.log(about);
const { openPetition } = benchCompany(0);
const petitions = Array.from({ length: PETITIONS }, (_, i) =>
  openPetition(`Floor benchmark petition ${i + 1}`),
);
// Each signing request (both ways, warm-ups included) is a different person's first signature.
const signerCount = 2 * (ROUNDS + 1) * REQUESTS;
const signers = insertPeople(signerCount, "floor");
const cookies = await insertSessions(signers);
// The bare app's database: a copy of this one (the same schema, people, petitions and indexes), its
// `rows` table added by the bare app when it opens it.
getDb().$client.pragma("wal_checkpoint(TRUNCATE)");
process.env.BARE_DATABASE = path.join(mkdtempSync(path.join(tmpdir(), "undersigned-floor-")), "bare.db");
copyFileSync(process.env.DATABASE_URL ?? "", process.env.BARE_DATABASE);
const origin = "http://localhost:3000";

let address = 0;
const context = (): AppLoadContext => {
  const a = address++;
  return { clientIp: `10.${(a >> 16) & 255}.${(a >> 8) & 255}.${a & 255}`, cspNonce: "n" };
};
const form = (fields: Record<string, string>) => ({
  method: "POST",
  headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: origin, Host: "localhost:3000" },
  body: new URLSearchParams(fields).toString(),
});

/** Signature k: signer k on petition ⌊k / REQUESTS⌋ (one busy petition at a time); one in four wants updates. */
const signature = (k: number) => ({
  petition: petitions[Math.floor(k / REQUESTS) % PETITIONS] ?? petitions[0],
  person: k % signerCount,
  fields: {
    intent: "sign",
    visibility: "public",
    noAnonymousSignature: "on",
    ...(k % 4 === 0 ? { wantsUpdates: "on" } : {}),
  },
});
let signed = 0;
const signRequest = (javascript: boolean) => () => {
  const { petition, person, fields } = signature(signed++);
  const data = javascript ? `&_data=${encodeURIComponent("routes/petitions.$slug._index")}` : "";
  const request = new Request(`${origin}/petitions/${petition?.slug}?index${data}`, form(fields));
  request.headers.set("Cookie", cookies[person] ?? "");
  return request;
};
let bareSigned = 0;
const bareRequest = {
  oneRow: () => new Request(`${origin}/?index`, form({ intent: "sign", visibility: "public" })),
  sameWrites: () => {
    const { petition, person, fields } = signature(bareSigned++);
    return new Request(
      `${origin}/sign?index`,
      form({ ...fields, petition: String(petition?.id), person: String(signers[person]) }),
    );
  },
};

type Round = { cpuMs: number; statuses: Map<number, number> };
type Target = {
  label: string;
  handler: (r: Request, c: AppLoadContext) => Promise<Response>;
  next: () => Request;
  ok: number;
  rounds: Round[];
  profiles: Profile[];
};
const targets: Target[] = [
  { label: "signing, no JavaScript", handler: ours, next: signRequest(false), ok: 302 },
  { label: "signing, JavaScript", handler: ours, next: signRequest(true), ok: 204 },
  { label: "bare action, same writes", handler: bare, next: bareRequest.sameWrites, ok: 302 },
  { label: "bare action, one row", handler: bare, next: bareRequest.oneRow, ok: 302 },
].map((t) => ({ ...t, rounds: [], profiles: [] }));

async function round(target: Target): Promise<Round> {
  const statuses = new Map<number, number>();
  let cpu = 0;
  for (let i = 0; i < REQUESTS; i++) {
    const request = target.next();
    const ctx = context();
    const start = process.cpuUsage();
    const response = await target.handler(request, ctx);
    await response.arrayBuffer();
    const used = process.cpuUsage(start);
    cpu += (used.user + used.system) / 1000;
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
  }
  return { cpuMs: cpu / REQUESTS, statuses };
}

// Warm every target (JIT, prepared statements) before measuring.
resetRateLimits();
for (const target of targets) await round(target);

const profileFile = process.env.BENCH_PROFILE;
const session = profileFile ? new Session() : null;
if (session) {
  session.connect();
  await session.post("Profiler.enable");
  // Every 100 µs rather than every 1 ms: a part of a tenth of a millisecond gets a sample a request.
  await session.post("Profiler.setSamplingInterval", { interval: 100 });
}
for (let r = 0; r < ROUNDS; r++) {
  for (const [t, target] of targets.entries()) {
    // The limits allow 30 signatures per person and 120 per address per 10 minutes: every request
    // here is a new person from a new address, so none is refused, and the counters are cleared
    // between rounds as the server's sweep would drop them.
    resetRateLimits();
    if (session) await session.post("Profiler.start");
    target.rounds.push(await round(target));
    if (session) {
      const { profile } = await session.post("Profiler.stop");
      target.profiles.push(profile as Profile);
      writeFileSync(`${profileFile}.${t}.${r}.cpuprofile`, JSON.stringify(profile));
    }
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const describe = (s: Map<number, number>) => [...s].map(([status, n]) => `${status}×${n}`).join(" ");
const width = Math.max(...targets.map((t) => t.label.length));
for (let r = 0; r < ROUNDS; r++)
  console.log(
    `round ${r + 1}: ${targets.map((t) => `${t.label.padEnd(width)} ${t.rounds[r]?.cpuMs.toFixed(3)} ms (${describe(t.rounds[r]?.statuses ?? new Map())})`).join("; ")}`,
  );
const failed = targets.filter((t) => t.rounds.some((r) => r.statuses.size !== 1 || !r.statuses.has(t.ok)));
const [noJs, js, sameWrites, oneRow] = targets;
if (!noJs || !js || !sameWrites || !oneRow) throw new Error("targets missing");
const cpu = (t: Target) => t.rounds.map((r) => r.cpuMs);
// Each round's ratio of one target's CPU per request to another's, measured in the same round.
const ratio = (of: Target, to: Target) =>
  spread(
    of.rounds.map((r, i) => r.cpuMs / (to.rounds[i]?.cpuMs ?? Number.NaN)),
    (v) => `${v.toFixed(2)}×`,
  );
const speed = (of: Target, to: Target) =>
  spread(
    of.rounds.map((r, i) => (to.rounds[i]?.cpuMs ?? Number.NaN) / r.cpuMs),
    percent,
  );
const figures = `${table(
  ["", "CPU per request"],
  targets.map((t) => [t.label, spread(cpu(t), ms)]),
)}\n\n${table(
  ["ratio (each round's, median and range)", "goal", "CPU per request, this / that", "speed, that / this"],
  [
    [
      "signing, no JavaScript / bare action, same writes",
      "≤ 1.25× (≥ 80 %)",
      ratio(noJs, sameWrites),
      speed(noJs, sameWrites),
    ],
    [
      "signing, JavaScript / bare action, same writes",
      "≤ 1.25× (≥ 80 %)",
      ratio(js, sameWrites),
      speed(js, sameWrites),
    ],
    ["signing, no JavaScript / JavaScript", "≤ 1×", ratio(noJs, js), speed(noJs, js)],
    ["signing, no JavaScript / bare action, one row", "", ratio(noJs, oneRow), speed(noJs, oneRow)],
    ["bare action, same writes / one row", "", ratio(sameWrites, oneRow), speed(sameWrites, oneRow)],
  ],
)}`;
const summary = `${figures}${
  session
    ? `\n\nWhere the CPU per request goes (every round profiled: each part's share of the samples times the median CPU per request):\n\n${partsTable(
        targets.map((t) => ({ label: t.label, profiles: t.profiles, cpuMsPerRequest: median(cpu(t)) })),
      )}`
    : ""
}`;
console.log(`\n${summary}\n\ncounts and ledgers ${checkCounts().ok ? "consistent" : "INCONSISTENT"}`);
writeLatest(
  "floor",
  `Latest run (${today()}): ${about}. ${ROUNDS} alternating rounds of ${REQUESTS} requests each, median (min–max) of the rounds.${session ? " Every round ran under the profiler, which costs CPU of its own: compare the ratios, not these figures with an unprofiled run's." : ""}

${summary}`,
);
if (failed.length) throw new Error(`unexpected answers from ${failed.map((t) => t.label).join(", ")}`);
