/**
 * Reads a V8 CPU profile (from BENCH_PROFILE=DIR npm run bench:http, say) and prints where the time
 * went: functions by self time, and by total time (self plus what they call).
 *
 *   npx tsx bench/profile.ts DIR/whatever.cpuprofile [rows] [FUNCTION]
 *
 * With FUNCTION (a name as printed, or its start), also what that function's time went to: its
 * direct callees by total time. PROFILE_FROM / PROFILE_TO (seconds since the profile started) keep
 * only the samples in that window: the load, without the start-up.
 */
import { readFileSync } from "node:fs";

type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
};
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

const [file, rowsArg, focus] = process.argv.slice(2);
if (!file) throw new Error("usage: tsx bench/profile.ts FILE.cpuprofile [rows]");
const rows = Number(rowsArg ?? 40);
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const from = Number(process.env.PROFILE_FROM ?? 0) * 1e6;
const to = Number(process.env.PROFILE_TO ?? Number.POSITIVE_INFINITY) * 1e6;
const selfTime = new Map<number, number>();
let clock = 0;
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i] ?? 0;
  clock += delta;
  if (clock >= from && clock <= to) selfTime.set(id, (selfTime.get(id) ?? 0) + delta);
});

const label = (node: ProfileNode) => {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url.replace(/^file:\/\//, "").replace(`${process.cwd()}/`, "");
  return `${functionName || "(anonymous)"} ${where ? `${where}:${lineNumber + 1}` : ""}`.trim();
};

const self = new Map<string, number>();
const total = new Map<string, number>();
const callees = new Map<string, number>();
let all = 0;
for (const [id, time] of selfTime) {
  all += time;
  const node = byId.get(id);
  if (!node) continue;
  self.set(label(node), (self.get(label(node)) ?? 0) + time);
  // Count each function once per stack, however deep its recursion.
  const seen = new Set<string>();
  let below = "(self)";
  let focused = false;
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const frame = byId.get(at);
    if (!frame) break;
    const name = label(frame);
    if (focus && !focused && name.startsWith(focus)) {
      focused = true;
      callees.set(below, (callees.get(below) ?? 0) + time);
    }
    below = name;
    if (seen.has(name)) continue;
    seen.add(name);
    total.set(name, (total.get(name) ?? 0) + time);
  }
}

const print = (title: string, map: Map<string, number>) => {
  console.log(`\n${title} (of ${(all / 1e6).toFixed(1)} s sampled)`);
  for (const [name, time] of [...map].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
    console.log(`${((time / all) * 100).toFixed(1).padStart(5)} %  ${name}`);
  }
};
print("Self time", self);
print("Total time", total);
if (focus) print(`Inside ${focus}: callees by total time`, callees);
