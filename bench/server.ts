/**
 * The production server for HTTP benchmarks: the built app started as `npm start` starts it (through
 * test/support/app-server.ts), on the benchmark's database file, on a free port.
 *
 * BENCH_PROFILE=DIR runs it under `node --cpu-prof` and writes the profile to DIR when it stops.
 * BENCH_BEFORE=DIR also starts the app of another checkout (`npx tsx bench/checkout.ts REV` makes
 * one) on a copy of the same database, so a change's before and after are measured in the same run.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { closeDb } from "../db/client";
import { startAppServer } from "../test/support/app-server";
import { startBareServer } from "./load";

export async function startBenchServer(databasePath: string, cwd?: string) {
  const profileDir = process.env.BENCH_PROFILE ? path.resolve(process.env.BENCH_PROFILE) : null;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const app = await startAppServer(
    { DATABASE_URL: databasePath },
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
    async stop() {
      process.off("exit", killOnExit);
      await app.stop(profileDir ? "SIGTERM" : "SIGKILL");
      if (profileDir) console.log(`CPU profile of the server written to ${profileDir}`);
    },
  };
}
export type BenchServer = Awaited<ReturnType<typeof startBenchServer>>;

/**
 * This checkout's server, and with BENCH_BEFORE the other checkout's on a copy of the database (the
 * session secret copied too, so the same cookies work on both).
 */
export async function startServers(
  databasePath: string,
): Promise<Array<{ label: string; server: BenchServer }>> {
  const servers = [{ label: "this checkout", server: await startBenchServer(databasePath) }];
  const before = process.env.BENCH_BEFORE;
  if (!before) return servers;
  const dir = mkdtempSync(path.join(tmpdir(), "undersigned-bench-before-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  const copy = path.join(dir, path.basename(databasePath));
  copyFileSync(databasePath, copy);
  copyFileSync(path.join(path.dirname(databasePath), "session-secret"), path.join(dir, "session-secret"));
  const server = await startBenchServer(copy, path.resolve(before));
  servers.push({
    label: `before (${path.basename(before)})`,
    server: {
      ...server,
      async stop() {
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    },
  });
  return servers;
}

/**
 * What an HTTP benchmark loads, once its data is generated: this process lets go of the database
 * (the servers own the file now), then the app's servers (see startServers) and the bare one start.
 * `first` is this checkout's.
 */
export async function startBenchTargets() {
  closeDb();
  const servers = await startServers(process.env.DATABASE_URL ?? "");
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
