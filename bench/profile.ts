/**
 * Reads V8 CPU profiles (from BENCH_PROFILE=DIR npm run bench:http, say) and says where the time
 * went: functions by self time, and by total time (self plus what they call).
 *
 *   npx tsx bench/profile.ts DIR/whatever.cpuprofile [rows] [FUNCTION]
 *
 * With FUNCTION (a name as printed, or its start), also what that function's time went to: its
 * direct callees by total time. PROFILE_FROM / PROFILE_TO (seconds since the profile started) keep
 * only the samples in that window: the load, without the start-up.
 *
 * The benchmarks summarise their profiles with `byPart`: each sample's time goes to the part of a
 * request its stack is in (the session lookup, the form, the transaction …), so two targets' profiles
 * say where the difference between them goes.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { ms, table } from "./report";

type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
};
/** `startTime`: µs of the monotonic clock (process.hrtime's), which each sample's delta adds to. */
export type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number };

export const readProfile = (file: string) => JSON.parse(readFileSync(file, "utf8")) as Profile;

/** Every profile `node --cpu-prof` wrote into `dir` (primary and workers); none without a folder. */
export const profilesIn = (dir: string | null): Profile[] =>
  dir
    ? readdirSync(dir)
        .filter((f) => f.endsWith(".cpuprofile"))
        .map((f) => readProfile(path.join(dir, f)))
    : [];

const label = (node: ProfileNode) => {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url.replace(/^file:\/\//, "").replace(`${process.cwd()}/`, "");
  return `${functionName || "(anonymous)"} ${where ? `${where}:${lineNumber + 1}` : ""}`.trim();
};

/**
 * Each sampled stack (leaf first) with its time in µs, of the samples within [from, to] µs of the
 * start, and within one of `windows` (µs of the monotonic clock) when given.
 */
function sampledStacks(
  profile: Profile,
  from = 0,
  to = Number.POSITIVE_INFINITY,
  windows?: ReadonlyArray<readonly [number, number]>,
) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfTime = new Map<number, number>();
  let clock = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    clock += delta;
    const at = profile.startTime + clock;
    const inWindow = !windows || windows.some(([start, end]) => at >= start && at <= end);
    if (clock >= from && clock <= to && inWindow) selfTime.set(id, (selfTime.get(id) ?? 0) + delta);
  });
  return [...selfTime].map(([id, time]) => {
    const stack: ProfileNode[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at);
      if (!node) break;
      stack.push(node);
    }
    return { stack, time };
  });
}

/**
 * A part of a request, recognised by a frame of its stack: its function name (exact; with `in`, only
 * in code whose URL contains that), or where its code is (a substring of the frame's URL).
 */
export type Part = { name: string; functions?: string[]; code?: string[]; in?: string };

/**
 * The parts of a signing POST. The first list names what the app or the bare action does itself
 * (the innermost of these on a stack wins: SQLite under the session lookup is the session lookup's);
 * a sample in none of them goes to the second list's innermost match, the machinery around them.
 */
export const SIGNING_PARTS: { own: Part[]; around: Part[]; ignore: Part[] } = {
  own: [
    { name: "the transaction: SQLite writes, the ledger hash", functions: ["sqliteTransaction"] },
    {
      name: "rate limits (with the IPC to the primary)",
      functions: ["enforceRateLimits", "askPrimary", "hitAll", "answer"],
    },
    {
      name: "session lookup (cookie, token hash, query)",
      functions: ["requireUser", "getSessionUser", "sessionUser", "readToken"],
    },
    { name: "the petition and the right to see it", functions: ["findViewablePetition"] },
    { name: "reading the form", functions: ["readForm", "formData"] },
    { name: "validating the form (conform, zod)", functions: ["parseWithZod"] },
    { name: "signPetition before its transaction", functions: ["signPetition"] },
    { name: "the flash cookie", functions: ["redirectWithFlash", "flashCookie"] },
    { name: "route matching", functions: ["matchRoutes", "matchServerRoutes"] },
  ],
  around: [
    { name: "garbage collection", functions: ["(garbage collector)"] },
    { name: "the IPC channel (both sides)", code: ["node:internal/child_process", "node:internal/cluster"] },
    { name: "Fetch Request and Response, web streams (undici)", code: ["undici", "webstreams"] },
    { name: "Remix's request pipeline", code: ["@remix-run/"] },
    {
      name: "Express and node:http",
      code: ["express", "node:_http", "node:http", "node:net", "node:stream"],
    },
  ],
  // Not the server's work: the benchmark's own loop, the profiler, an idle process.
  ignore: [
    {
      name: "ignored",
      functions: ["(idle)", "(program)", "signRequest", "bareRequest", "nextRequest", "cpuUsage", "dispatch"],
    },
  ],
};

/**
 * The parts of a petition page: its loaders' reads (the root's session and flash, the page's own), the
 * markdown (cached), React rendering it, and the machinery around them.
 */
export const PAGE_PARTS: { own: Part[]; around: Part[]; ignore: Part[] } = {
  own: [
    {
      name: "session lookup (root and page loaders)",
      functions: ["getUser", "getSessionUser", "sessionUser", "readToken"],
    },
    { name: "the flash (root loader)", functions: ["readFlash"] },
    {
      name: "the petition and its counts",
      functions: ["petitionPage", "countByVisibility", "findOwnSignature", "petitionKeyView", "witnessNames"],
    },
    { name: "the timeline and updates", functions: ["petitionTimeline", "listPetitionUpdates"] },
    { name: "the first comments (loadThread)", functions: ["loadThread"] },
    { name: "the body's markdown (kept)", functions: ["petitionBodyHtml", "renderMarkdown"] },
    { name: "the bare page's loader (one query)", functions: ["loader"], in: "bare-remix" },
    { name: "route matching", functions: ["matchRoutes", "matchServerRoutes"] },
    {
      name: "loader data as JSON (Remix: the loaders' answers, the page's hand-off script)",
      functions: ["createServerHandoffString", "escapeHtml", "stringify", "json"],
    },
  ],
  around: [
    { name: "garbage collection", functions: ["(garbage collector)"] },
    { name: "React rendering the page", code: ["react-dom", "node_modules/react/", "@remix-run/react"] },
    { name: "Fetch Request and Response, web streams (undici)", code: ["undici", "webstreams"] },
    { name: "Remix's request pipeline", code: ["@remix-run/"] },
    {
      name: "Express and node:http (and compression)",
      code: ["express", "node:_http", "node:http", "node:net", "node:stream", "node:zlib", "compression"],
    },
  ],
  ignore: SIGNING_PARTS.ignore,
};

const matches = (part: Part, node: ProfileNode) =>
  Boolean(
    (part.functions?.includes(node.callFrame.functionName) &&
      (!part.in || node.callFrame.url.includes(part.in))) ||
      part.code?.some((code) => node.callFrame.url.includes(code)),
  );

/**
 * Each part's busy time (µs) in the profiles (within `windows`, µs of the monotonic clock, when
 * given), and "other" for the rest; samples matching `parts.ignore` anywhere on their stack are left
 * out.
 */
export type Parts = typeof SIGNING_PARTS;

export function byPart(
  profiles: Profile[],
  parts: Parts = SIGNING_PARTS,
  windows?: ReadonlyArray<readonly [number, number]>,
): Map<string, number> {
  const times = new Map<string, number>();
  for (const profile of profiles) {
    for (const { stack, time } of sampledStacks(profile, 0, Number.POSITIVE_INFINITY, windows)) {
      if (stack.some((node) => parts.ignore.some((part) => matches(part, node)))) continue;
      const part =
        stack.map((node) => parts.own.find((p) => matches(p, node))).find(Boolean) ??
        stack.map((node) => parts.around.find((p) => matches(p, node))).find(Boolean);
      const name = part?.name ?? "other (V8 builtins, Node internals)";
      times.set(name, (times.get(name) ?? 0) + time);
    }
  }
  return times;
}

/**
 * A table of where each target's CPU per request goes: each part's share of its profiles' busy time
 * (within its `windows`, when its server also served other targets) times its measured CPU per
 * request, and the difference between the first target and each other.
 */
export function partsTable(
  targets: Array<{
    label: string;
    profiles: Profile[];
    cpuMsPerRequest: number;
    windows?: ReadonlyArray<readonly [number, number]>;
  }>,
  parts: Parts = SIGNING_PARTS,
): string {
  const shares = targets.map(({ profiles, cpuMsPerRequest, windows }) => {
    const times = byPart(profiles, parts, windows);
    const total = [...times.values()].reduce((a, b) => a + b, 0) || 1;
    return new Map([...times].map(([name, time]) => [name, (time / total) * cpuMsPerRequest]));
  });
  const names = [
    ...parts.own.map((p) => p.name),
    ...parts.around.map((p) => p.name),
    "other (V8 builtins, Node internals)",
  ].filter((name) => shares.some((s) => (s.get(name) ?? 0) > 0));
  const [first, ...rest] = shares;
  const cell = (v: number | undefined) => (v ? ms(v) : "—");
  return table(
    ["part of the request", ...targets.map((t) => t.label), ...rest.map((_, i) => `difference to ${i + 2}`)],
    [
      ...names.map((name) => [
        name,
        ...shares.map((s) => cell(s.get(name))),
        ...rest.map((s) => ms((first?.get(name) ?? 0) - (s.get(name) ?? 0))),
      ]),
      [
        "**CPU per request**",
        ...targets.map((t) => `**${ms(t.cpuMsPerRequest)}**`),
        ...targets.slice(1).map((t) => `**${ms((targets[0]?.cpuMsPerRequest ?? 0) - t.cpuMsPerRequest)}**`),
      ],
    ],
  );
}

function main(file: string, rowsArg: string | undefined, focus: string | undefined) {
  const rows = Number(rowsArg ?? 40);
  const stacks = sampledStacks(
    readProfile(file),
    Number(process.env.PROFILE_FROM ?? 0) * 1e6,
    Number(process.env.PROFILE_TO ?? Number.POSITIVE_INFINITY) * 1e6,
  );
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const callees = new Map<string, number>();
  let all = 0;
  for (const { stack, time } of stacks) {
    all += time;
    const [leaf] = stack;
    if (!leaf) continue;
    self.set(label(leaf), (self.get(label(leaf)) ?? 0) + time);
    // Count each function once per stack, however deep its recursion.
    const seen = new Set<string>();
    let below = "(self)";
    let focused = false;
    for (const frame of stack) {
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
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [file, rowsArg, focus] = process.argv.slice(2);
  if (!file) throw new Error("usage: tsx bench/profile.ts FILE.cpuprofile [rows] [FUNCTION]");
  main(file, rowsArg, focus);
}
