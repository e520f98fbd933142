/**
 * A closed-loop HTTP load generator on loopback, and the bare node:http server every HTTP figure is
 * compared with.
 *
 * Why not autocannon: the server rate-limits signing per connecting address (120 per 10 minutes), as
 * it should, so thousands of signatures a second must come from thousands of addresses. Every
 * 127.x.y.z address is loopback on Linux; this generator binds each connection to one and moves the
 * connection to a fresh address after `requestsPerAddress` requests. autocannon cannot choose the
 * local address.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import { childrenOf } from "../test/support/app-server";
import { ms, percent, perSecond, type Stats, spread, stats, table } from "./report";

export type LoadRequest = {
  method?: "GET" | "POST";
  path: string;
  headers?: Record<string, string>;
  body?: string;
};

export type LoadResult = {
  requests: number;
  /**
   * CPU time the server process (all its threads) spent per request, when its pid was given: unlike
   * throughput, barely moved by other processes competing for the cores.
   */
  cpuMsPerRequest: number | null;
  /** Responses `ok` accepted (2xx and 3xx by default). */
  ok: number;
  statuses: Record<number, number>;
  seconds: number;
  /** ok responses per second. */
  rate: number;
  latency: Stats;
  /** When the timed requests ran, in µs of the monotonic clock (the one V8's CPU profiles use). */
  window: [number, number];
};

let addressCounter = 0;
/** A fresh loopback address each call: 127.1.0.1, 127.1.0.2, … (16 million before one repeats). */
function nextAddress(): string {
  const n = addressCounter++;
  return `127.${1 + (Math.floor(n / 64_000) % 254)}.${Math.floor(n / 250) % 256}.${1 + (n % 250)}`;
}

/**
 * Runs `connections` connections, each sending `next(i)` as soon as its previous response has fully
 * arrived, until `total` requests are sent or `durationMs` has passed (after one untimed request per
 * connection). Latency is from sending to the last byte of the body.
 */
export async function runLoad(options: {
  port: number;
  connections: number;
  next: (i: number) => LoadRequest;
  durationMs?: number;
  total?: number;
  requestsPerAddress?: number;
  ok?: (status: number) => boolean;
  /** The server's process id, to measure its CPU time. */
  pid?: number;
}): Promise<LoadResult> {
  const { port, connections, next } = options;
  const total = options.total ?? Number.POSITIVE_INFINITY;
  const perAddress = options.requestsPerAddress ?? Number.POSITIVE_INFINITY;
  const isOk = options.ok ?? ((status: number) => status >= 200 && status < 400);
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let sent = 0;
  let timed = 0;
  let ok = 0;
  let started = process.hrtime.bigint();
  let cpuAtStart = 0;
  let deadline = Number.POSITIVE_INFINITY;
  // The clock starts once every connection has had its first answer (requests sent before are not
  // counted): a server busy with open connections serves brand-new ones last, which would time
  // connection set-up rather than requests.
  let clockStarted = false;
  let answeredOnce = 0;

  const one = (agent: http.Agent, localAddress: string, request: LoadRequest, counted: boolean) =>
    new Promise<number>((resolve, reject) => {
      const start = process.hrtime.bigint();
      const headers: Record<string, string> = { ...request.headers };
      if (request.body !== undefined) headers["Content-Length"] = String(Buffer.byteLength(request.body));
      const req = http.request(
        {
          host: "127.0.0.1",
          port,
          method: request.method ?? "GET",
          path: request.path,
          headers,
          agent,
          localAddress,
        },
        (res) => {
          res.on("data", () => {});
          res.on("end", () => {
            if (counted) latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
            resolve(res.statusCode ?? 0);
          });
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(request.body);
    });

  const newAgent = () => new http.Agent({ keepAlive: true, maxSockets: 1 });
  async function connection() {
    let agent = newAgent();
    let address = nextAddress();
    let onAddress = 0;
    let first = true;
    while (!clockStarted || (timed < total && Date.now() < deadline)) {
      if (onAddress >= perAddress) {
        agent.destroy();
        agent = newAgent();
        address = nextAddress();
        onAddress = 0;
      }
      const counted = clockStarted;
      if (counted) timed++;
      onAddress++;
      let status = 0;
      try {
        status = await one(agent, address, next(sent++), counted);
      } catch {
        // A reset or refused connection counts as status 0; carry on with a fresh connection.
        agent.destroy();
        agent = newAgent();
      }
      if (counted) {
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (isOk(status)) ok++;
      }
      if (first && ++answeredOnce === connections) {
        clockStarted = true;
        started = process.hrtime.bigint();
        cpuAtStart = options.pid ? cpuMs(options.pid) : 0;
        deadline = options.durationMs ? Date.now() + options.durationMs : Number.POSITIVE_INFINITY;
      }
      first = false;
    }
    agent.destroy();
  }
  await Promise.all(Array.from({ length: connections }, connection));
  const ended = process.hrtime.bigint();
  const seconds = Number(ended - started) / 1e9;
  const cpuMsPerRequest = options.pid ? (cpuMs(options.pid) - cpuAtStart) / Math.max(1, timed) : null;
  return {
    requests: timed,
    cpuMsPerRequest,
    ok,
    statuses,
    seconds,
    rate: ok / seconds,
    latency: stats(latencies),
    window: [Number(started / 1000n), Number(ended / 1000n)],
  };
}

/** The baseline: node:http answering "hello" (after reading the body), in its own process. */
/** One thing the rounds load: a server (or the bare one) and how to ask it. */
export type RoundTarget = {
  label: string;
  port: number;
  pid?: number;
  next: (i: number) => LoadRequest;
  ok?: (status: number) => boolean;
  results: LoadResult[];
};

/**
 * Warms each target up (JIT, page cache), then loads them in turn for `rounds` rounds, so a busy
 * moment on the machine falls on all of them alike; each round's result is kept on its target.
 */
export async function runRounds(
  targets: RoundTarget[],
  options: { rounds: number; seconds: number; connections: number; requestsPerAddress?: number },
): Promise<void> {
  const load = (target: RoundTarget, durationMs: number) =>
    runLoad({
      ...target,
      connections: options.connections,
      durationMs,
      requestsPerAddress: options.requestsPerAddress,
    });
  for (const target of targets) await load(target, 1500);
  const width = Math.max(...targets.map((t) => t.label.length));
  for (let r = 0; r < options.rounds; r++) {
    for (const target of targets) {
      const result = await load(target, options.seconds * 1000);
      console.log(`round ${r + 1}: ${target.label.padEnd(width)} ${describe(result)}`);
      target.results.push(result);
    }
  }
}

export async function startBareServer(): Promise<{ port: number; pid: number; stop: () => Promise<void> }> {
  const code = `const s=require("node:http").createServer((q,r)=>{q.resume();q.on("end",()=>r.end("hello"))});s.listen(0,"127.0.0.1",()=>console.log(s.address().port));`;
  const child: ChildProcess = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
  process.on("exit", () => child.kill("SIGKILL"));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.once("data", (chunk) => resolve(Number(String(chunk).trim())));
    child.once("exit", (code) => reject(new Error(`the bare server exited (${code})`)));
  });
  return {
    port,
    pid: child.pid ?? 0,
    async stop() {
      child.kill("SIGKILL");
      if (child.exitCode === null) await new Promise((resolve) => child.once("exit", resolve));
    },
  };
}

const CLOCK_TICKS_PER_SECOND = 100;
/**
 * User plus system CPU time so far of a process, all its threads and its live child processes (the
 * server's workers), from /proc (Linux), in ms.
 */
export function cpuMs(pid: number): number {
  let total = 0;
  for (const one of [pid, ...childrenOf(pid)]) {
    try {
      const fields = readFileSync(`/proc/${one}/stat`, "utf8")
        .replace(/^.*\) /, "")
        .split(" ");
      // After "pid (comm) ", utime and stime are the 12th and 13th fields.
      total += ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
    } catch {
      // exited meanwhile
    }
  }
  return total;
}

/** Peak and current resident memory of a process and its live child processes, from /proc (Linux), in MiB. */
export function memoryOf(pid: number): { peakMiB: number; currentMiB: number } | null {
  let peakMiB = 0;
  let currentMiB = 0;
  for (const one of [pid, ...childrenOf(pid)]) {
    try {
      const status = readFileSync(`/proc/${one}/status`, "utf8");
      const kib = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
      peakMiB += kib("VmHWM") / 1024;
      currentMiB += kib("VmRSS") / 1024;
    } catch {
      if (one === pid) return null;
    }
  }
  return { peakMiB, currentMiB };
}

export function describe(result: LoadResult): string {
  const codes = Object.entries(result.statuses)
    .map(([code, n]) => `${code}×${n}`)
    .join(" ");
  const l = result.latency;
  const cpu =
    result.cpuMsPerRequest === null ? "" : `, server CPU ${result.cpuMsPerRequest.toFixed(2)} ms/request`;
  return `${Math.round(result.rate).toLocaleString("en")} ok/s${cpu} over ${result.seconds.toFixed(1)} s; latency mean ${l.mean.toFixed(2)} ms, p50 ${l.p50.toFixed(2)}, p99 ${l.p99.toFixed(2)}, max ${l.max.toFixed(1)} ms; ${codes}`;
}

/**
 * One row per target, the first being the bare server: median (min–max) over the rounds of the
 * throughput, its ratio to the bare server's in the same round, the server's CPU time per request,
 * and the latency percentiles.
 */
export function resultsTable(targets: Array<{ label: string; results: LoadResult[] }>): string {
  const bare = targets[0]?.results ?? [];
  const cpu = (r: LoadResult) => r.cpuMsPerRequest ?? Number.NaN;
  return table(
    ["", "per second", "ratio to bare", "server CPU per request", "latency p50", "latency p99"],
    targets.map((target, t) => [
      target.label,
      spread(
        target.results.map((r) => r.rate),
        perSecond,
      ),
      t === 0
        ? ""
        : spread(
            target.results.map((r, i) => r.rate / (bare[i]?.rate ?? 1)),
            percent,
          ),
      spread(target.results.map(cpu), ms),
      spread(
        target.results.map((r) => r.latency.p50),
        ms,
      ),
      spread(
        target.results.map((r) => r.latency.p99),
        ms,
      ),
    ]),
  );
}

/**
 * Ratios between targets loaded in the same rounds: each round's throughput of one over the other's
 * (median, min–max over the rounds), with both servers' CPU per request beside it.
 */
export function ratioTable(
  rows: Array<{ label: string; goal: string; of: { results: LoadResult[] }; to: { results: LoadResult[] } }>,
): string {
  const cpu = (r: LoadResult) => r.cpuMsPerRequest ?? Number.NaN;
  return table(
    ["ratio", "goal", "throughput ratio", "server CPU per request (this / that)", "CPU ratio (that / this)"],
    rows.map(({ label, goal, of, to }) => [
      label,
      goal,
      spread(
        of.results.map((r, i) => r.rate / (to.results[i]?.rate ?? Number.NaN)),
        percent,
      ),
      `${spread(of.results.map(cpu), ms)} / ${spread(to.results.map(cpu), ms)}`,
      // Each round's: the speed of this one in CPU, as a share of that one's.
      spread(
        of.results.map((r, i) => {
          const that = to.results[i];
          return that ? cpu(that) / cpu(r) : Number.NaN;
        }),
        percent,
      ),
    ]),
  );
}
