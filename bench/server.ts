/**
 * The production server for HTTP benchmarks: the built app started as `npm start` starts it (through
 * test/support/app-server.ts), on the benchmark's database file, on a free port.
 *
 * BENCH_PROFILE=DIR runs it under `node --cpu-prof` and writes the profile to DIR when it stops.
 * BENCH_BEFORE=DIR also starts the app of another checkout (`npx tsx bench/checkout.ts REV` makes
 * one) on a copy of the same database, so a change's before and after are measured in the same run.
 */
import { spawn, spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { sourceHash } from "../app/server/build-freshness";
import { closeDb } from "../db/client";
import { startAppServer } from "../test/support/app-server";
import { startBareServer } from "./load";

/** With BENCH_PROFILE, the folder a server's processes write their CPU profiles to: one per server. */
export function profileDirFor(name: string): string | null {
  if (!process.env.BENCH_PROFILE) return null;
  const dir = path.resolve(process.env.BENCH_PROFILE, name.replace(/[^A-Za-z0-9-]+/g, "-"));
  mkdirSync(dir, { recursive: true });
  return dir;
}

export async function startBenchServer(
  databasePath: string,
  cwd?: string,
  env: Record<string, string> = {},
  profileName = "app",
) {
  const profileDir = profileDirFor(profileName);
  const app = await startAppServer(
    { DATABASE_URL: databasePath, ...env },
    { nodeArgs: profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [], cwd },
  );
  const port = Number(new URL(app.baseUrl).port);
  // A benchmark that fails half-way does not leave its server running.
  const killOnExit = () => {
    try {
      process.kill(app.pid, "SIGKILL");
    } catch {
      // already stopped
    }
  };
  process.on("exit", killOnExit);
  return {
    ...app,
    port,
    profileDir,
    async stop() {
      process.off("exit", killOnExit);
      await app.stop(profileDir ? "SIGTERM" : "SIGKILL");
      if (profileDir) console.log(`CPU profile of the server written to ${profileDir}`);
    },
  };
}
export type BenchServer = Awaited<ReturnType<typeof startBenchServer>>;

/** A copy of the benchmark's database and its session secret (the same cookies work on both). */
function copyOfDatabase(databasePath: string): { file: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), "undersigned-bench-copy-"));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  process.on("exit", remove);
  const file = path.join(dir, path.basename(databasePath));
  copyFileSync(databasePath, file);
  copyFileSync(path.join(path.dirname(databasePath), "session-secret"), path.join(dir, "session-secret"));
  return { file, remove };
}

export type ServerVariant = { label: string; env: Record<string, string> };

/**
 * This checkout's server once per variant (1 worker, 2 workers …: the first on the benchmark's
 * database, each other on a copy of it), and with BENCH_BEFORE the other checkout's on a copy too.
 */
export async function startServers(
  databasePath: string,
  variants: ServerVariant[] = [{ label: "this checkout", env: {} }],
): Promise<Array<{ label: string; server: BenchServer }>> {
  const servers: Array<{ label: string; server: BenchServer }> = [];
  for (const [i, variant] of variants.entries()) {
    if (i === 0) {
      servers.push({
        label: variant.label,
        server: await startBenchServer(databasePath, undefined, variant.env, variant.label),
      });
      continue;
    }
    const copy = copyOfDatabase(databasePath);
    const server = await startBenchServer(copy.file, undefined, variant.env, variant.label);
    servers.push({
      label: variant.label,
      server: {
        ...server,
        async stop() {
          await server.stop();
          copy.remove();
        },
      },
    });
  }
  const before = process.env.BENCH_BEFORE;
  if (!before) return servers;
  const copy = copyOfDatabase(databasePath);
  const server = await startBenchServer(copy.file, path.resolve(before), {}, "before");
  servers.push({
    label: `before (${path.basename(before)})`,
    server: {
      ...server,
      async stop() {
        await server.stop();
        copy.remove();
      },
    },
  });
  return servers;
}

const BARE_REMIX = path.resolve("bench/bare-remix");

/** Builds the bare Remix app (bench/bare-remix) when its build is missing or older than its sources. */
export function buildBareRemix(): void {
  const stamp = path.join(BARE_REMIX, "build/.source-hash");
  const hash = sourceHash(BARE_REMIX);
  if (
    existsSync(path.join(BARE_REMIX, "build/server/index.js")) &&
    existsSync(stamp) &&
    readFileSync(stamp, "utf8").trim() === hash
  )
    return;
  const result = spawnSync(
    process.execPath,
    [path.resolve("node_modules/@remix-run/dev/dist/cli.js"), "vite:build"],
    {
      cwd: BARE_REMIX,
      stdio: "inherit",
      env: { ...process.env, NODE_ENV: "production" },
    },
  );
  if (result.status !== 0) throw new Error("building bench/bare-remix failed");
  writeFileSync(stamp, `${hash}\n`);
}

/**
 * The bare Remix app (bench/bare-remix/server.ts: the product's Express set-up, `workers` cluster
 * workers) on its own database of `rows` rows, rendering `pageRows` of them a page. `copyOf`: the
 * database starts as a copy of that one (closed), so the same-writes action has the project's schema
 * and data. With BENCH_PROFILE its processes are profiled (`node --cpu-prof`), into `profileDir`.
 */
export async function startBareRemix(options: {
  workers: number;
  pageRows: number;
  rows?: number;
  copyOf?: string;
}) {
  buildBareRemix();
  const dir = mkdtempSync(path.join(tmpdir(), "undersigned-bare-remix-"));
  const databasePath = path.join(dir, "bare.db");
  if (options.copyOf) copyFileSync(options.copyOf, databasePath);
  const seed = new Database(databasePath);
  seed.pragma("journal_mode = WAL");
  seed.exec(
    "create table rows (id integer primary key, title text not null, body text not null, created_at integer not null)",
  );
  const insert = seed.prepare("insert into rows (title, body, created_at) values (?, ?, ?)");
  seed.transaction(() => {
    for (let i = 0; i < (options.rows ?? 5_000); i++)
      insert.run(
        `Row number ${i}: a colleague's comment on the petition`,
        "I agree with the petition. Consent matters, and the FAQ does not answer the retention question. Could the organizers add a pause button, an exemption process and published retention periods?",
        Date.now() - i * 60_000,
      );
  })();
  seed.close();
  const port = await new Promise<number>((resolve) => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
  const profileDir = profileDirFor(`bare Remix ${options.workers} ${port}`);
  const profile = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(process.execPath, [...profile, "--import", "tsx", path.join(BARE_REMIX, "server.ts")], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      WEB_CONCURRENCY: String(options.workers),
      BARE_DATABASE: databasePath,
      BARE_ROWS: String(options.pageRows),
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const kill = () => {
    if (child.exitCode === null) child.kill("SIGTERM");
  };
  process.on("exit", kill);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (chunk) => {
      if (String(chunk).includes("listening")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`the bare Remix server exited (${code})`)));
  });
  return {
    port,
    pid: child.pid ?? 0,
    baseUrl: `http://127.0.0.1:${port}`,
    profileDir,
    async stop() {
      process.off("exit", kill);
      kill();
      if (child.exitCode === null) await new Promise((resolve) => child.once("exit", resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * How many rows the bare Remix page must show to be as big as `bytes` of HTML: measured on a page of
 * none and a page of 100.
 */
export async function bareRemixRowsFor(bytes: number): Promise<number> {
  const size = async (pageRows: number) => {
    const bare = await startBareRemix({ workers: 1, pageRows, rows: 200 });
    try {
      return (await (await fetch(`${bare.baseUrl}/`)).text()).length;
    } finally {
      await bare.stop();
    }
  };
  const none = await size(0);
  const hundred = await size(100);
  return Math.max(1, Math.round(((bytes - none) / (hundred - none)) * 100));
}

/**
 * What an HTTP benchmark loads, once its data is generated: this process lets go of the database
 * (the servers own the file now), then the app's servers (see startServers) and the bare one start.
 * `first` is this checkout's.
 */
export async function startBenchTargets(variants?: ServerVariant[]) {
  closeDb();
  const servers = await startServers(process.env.DATABASE_URL ?? "", variants);
  const bare = await startBareServer();
  const [first] = servers;
  if (!first) throw new Error("no server");
  return { servers, first, bare };
}

/** The sign form's action on a petition page, read from the page as a browser would. */
export async function signFormAction(baseUrl: string, slug: string, cookie: string): Promise<string> {
  const html = await (await fetch(`${baseUrl}/petitions/${slug}`, { headers: { Cookie: cookie } })).text();
  const form = /<form[^>]*method="post"[^>]*>(?:(?!<\/form>)[\s\S])*value="sign"/.exec(html)?.[0];
  const action = form && /action="([^"]*)"/.exec(form)?.[1];
  if (!action) throw new Error(`no sign form on /petitions/${slug}`);
  return action.replaceAll("&amp;", "&");
}
