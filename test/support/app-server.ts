import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** node with tsx's loader, in one process: killing it leaves no orphan (the tsx binary forks a child). */
const NODE_WITH_TSX = [process.execPath, "--import", "tsx"] as const;

/**
 * The built app, started as `npm start` starts it (app/server/start.ts), on a free port with its own
 * SQLite file. `cli` runs `npm run cli` against the same database. `nodeArgs` go to the server's node
 * (benchmarks profile it with `--cpu-prof`); `cwd` serves another checkout (benchmarks compare commits).
 */
export async function startAppServer(
  env: Record<string, string> = {},
  options: { nodeArgs?: string[]; cwd?: string } = {},
) {
  const dir = mkdtempSync(path.join(tmpdir(), "undersigned-e2e-"));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const serverEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    PORT: String(port),
    APP_URL: baseUrl,
    DATABASE_URL: path.join(dir, "app.db"),
    ...env,
  };
  if (!env.SMTP_URL) delete serverEnv.SMTP_URL;

  const cli = (...args: string[]) => {
    const result = spawnSync(NODE_WITH_TSX[0], [...NODE_WITH_TSX.slice(1), "app/cli.ts", ...args], {
      env: serverEnv,
      encoding: "utf8",
    });
    if (result.status !== 0)
      throw new Error(`cli ${args.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
  };
  const writeFile = (name: string, content: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, content);
    return file;
  };

  let output = "";
  const child: ChildProcess = spawn(
    NODE_WITH_TSX[0],
    [...(options.nodeArgs ?? []), ...NODE_WITH_TSX.slice(1), "app/server/start.ts"],
    { env: serverEnv, stdio: ["ignore", "pipe", "pipe"], cwd: options.cwd },
  );
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The server exited early:\n${output}`);
    try {
      const response = await fetch(`${baseUrl}/healthz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`The server did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    baseUrl,
    /** The server process (benchmarks read its memory from /proc). */
    pid: child.pid ?? 0,
    cli,
    writeFile,
    output: () => output,
    /** SIGTERM lets the server exit by itself (so `node --cpu-prof` writes its profile). */
    async stop(signal: "SIGKILL" | "SIGTERM" = "SIGKILL") {
      // remix's keep-alive connections make a graceful stop slow; the tests need no grace.
      child.kill(signal);
      await new Promise((resolve) => child.once("exit", resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
export type AppServer = Awaited<ReturnType<typeof startAppServer>>;
