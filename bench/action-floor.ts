/**
 * The signing POST against the bare Remix action, in one process, with no HTTP and no load generator
 * competing for the cores: each build's Remix request handler is called with a Fetch Request, in
 * alternating rounds, and each request's CPU time (process.cpuUsage) is summed. It isolates what our
 * action costs above the framework floor from the machine's load, which moves the HTTP figures by 2×;
 * BENCH_PROFILE=FILE writes a CPU profile of our rounds only (node:inspector).
 *
 *   npm run bench:floor      (BENCH_ROUNDS=5, BENCH_REQUESTS=400 per round)
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { AppLoadContext, ServerBuild } from "@remix-run/node";
import { benchCompany } from "./setup";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 400);
const PETITIONS = 10;
process.env.BARE_DATABASE = path.join(mkdtempSync(path.join(tmpdir(), "undersigned-floor-")), "bare.db");

const { createRequestHandler } = await import("@remix-run/node");
const { ensureFreshBuild } = await import("../app/server/build-freshness");
const { buildBareRemix } = await import("./server");
const { insertPeople, insertSessions } = await import("./generate");
const { machine } = await import("./report");
const { checkCounts } = await import("../app/domain/petitions/counts.server");
const { resetRateLimits } = await import("../app/platform/security/rate-limits.server");

ensureFreshBuild();
buildBareRemix();
const load = async (file: string) => (await import(pathToFileURL(path.resolve(file)).href)) as ServerBuild;
const ours = createRequestHandler(await load("build/server/index.js"), "production");
const bare = createRequestHandler(await load("bench/bare-remix/build/server/index.js"), "production");

console.log(machine());
const { openPetition } = benchCompany(0);
const petitions = Array.from({ length: PETITIONS }, (_, i) =>
  openPetition(`Floor benchmark petition ${i + 1}`),
);
const signerCount = ROUNDS * REQUESTS;
const signers = insertPeople(signerCount, "floor");
const cookies = await insertSessions(signers);
const origin = "http://localhost:3000";

let k = 0;
const context = (): AppLoadContext => ({
  clientIp: `10.0.${(k >> 8) & 255}.${k & 255}`,
  cspNonce: "n",
});
const form = (fields: Record<string, string>) => ({
  method: "POST",
  headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: origin, Host: "localhost:3000" },
  body: new URLSearchParams(fields).toString(),
});
const signRequest = () => {
  const i = k++;
  const petition = petitions[Math.floor(i / REQUESTS) % PETITIONS];
  const request = new Request(
    `${origin}/petitions/${petition?.slug}?index`,
    form({ intent: "sign", visibility: "public" }),
  );
  request.headers.set("Cookie", cookies[i % signerCount] ?? "");
  return request;
};
const bareRequest = () => new Request(`${origin}/?index`, form({ intent: "sign", visibility: "public" }));

type Round = { cpuMs: number; statuses: Map<number, number> };
async function round(handler: (r: Request, c: AppLoadContext) => Promise<Response>, next: () => Request) {
  const statuses = new Map<number, number>();
  let cpu = 0;
  for (let i = 0; i < REQUESTS; i++) {
    const request = next();
    const ctx = context();
    const start = process.cpuUsage();
    const response = await handler(request, ctx);
    await response.arrayBuffer();
    const used = process.cpuUsage(start);
    cpu += (used.user + used.system) / 1000;
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
  }
  return { cpuMs: cpu / REQUESTS, statuses } satisfies Round;
}

// Warm both (JIT, prepared statements) before measuring.
resetRateLimits();
await round(ours, signRequest);
await round(bare, bareRequest);
k = REQUESTS;

const profileFile = process.env.BENCH_PROFILE;
const session = profileFile ? new Session() : null;
if (session) {
  session.connect();
  await session.post("Profiler.enable");
}
const results: Array<{ ours: Round; bare: Round }> = [];
for (let r = 0; r < ROUNDS - 1; r++) {
  resetRateLimits();
  if (session) await session.post("Profiler.start");
  const mine = await round(ours, signRequest);
  if (session) {
    const { profile } = await session.post("Profiler.stop");
    writeFileSync(`${profileFile}.${r}.cpuprofile`, JSON.stringify(profile));
  }
  results.push({ ours: mine, bare: await round(bare, bareRequest) });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const describe = (s: Map<number, number>) => [...s].map(([status, n]) => `${status}×${n}`).join(" ");
for (const [i, r] of results.entries())
  console.log(
    `round ${i + 1}: signing ${r.ours.cpuMs.toFixed(3)} ms (${describe(r.ours.statuses)}), bare action ${r.bare.cpuMs.toFixed(3)} ms (${describe(r.bare.statuses)}), ratio ${((r.bare.cpuMs / r.ours.cpuMs) * 100).toFixed(0)} %`,
  );
const oursMs = median(results.map((r) => r.ours.cpuMs));
const bareMs = median(results.map((r) => r.bare.cpuMs));
console.log(
  `median: signing ${oursMs.toFixed(3)} ms of CPU per POST, the bare Remix action ${bareMs.toFixed(3)} ms: signing is ${((bareMs / oursMs) * 100).toFixed(0)} % of the floor's speed`,
);
console.log(`counts and ledgers ${checkCounts().ok ? "consistent" : "INCONSISTENT"}`);
