/**
 * The production server for HTTP benchmarks: the built app started as `npm start` starts it (through
 * test/support/app-server.ts), on the benchmark's database file, on a free port.
 *
 * BENCH_PROFILE=DIR runs it under `node --cpu-prof` and writes the profile to DIR when it stops.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { startAppServer } from "../test/support/app-server";

export async function startBenchServer(databasePath: string) {
  const profileDir = process.env.BENCH_PROFILE ? path.resolve(process.env.BENCH_PROFILE) : null;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const app = await startAppServer(
    { DATABASE_URL: databasePath },
    { nodeArgs: profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [] },
  );
  const port = Number(new URL(app.baseUrl).port);
  return {
    ...app,
    port,
    async stop() {
      await app.stop(profileDir ? "SIGTERM" : "SIGKILL");
      if (profileDir) console.log(`CPU profile of the server written to ${profileDir}`);
    },
  };
}

/** The sign form's action on a petition page, read from the page as a browser would. */
export async function signFormAction(baseUrl: string, slug: string, cookie: string): Promise<string> {
  const html = await (await fetch(`${baseUrl}/petitions/${slug}`, { headers: { Cookie: cookie } })).text();
  const form = /<form[^>]*method="post"[^>]*>(?:(?!<\/form>)[\s\S])*value="sign"/.exec(html)?.[0];
  const action = form && /action="([^"]*)"/.exec(form)?.[1];
  if (!action) throw new Error(`no sign form on /petitions/${slug}`);
  return action.replaceAll("&amp;", "&");
}
