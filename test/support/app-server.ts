import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { runChild } from "./child-process";

export async function freePort(): Promise<number> {
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
/** The first words of the primary's banner, printed once every worker is ready (app/server/primary.ts). */
const STARTED = "Undersigned is listening on ";

/** The processes whose parent is `pid` (Linux: read from /proc). */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

const groupAlive = (pgid: number) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * The built app, started as `npm start` starts it (app/server/start.ts), on a free port with its own
 * SQLite file. `cli` runs `npm run cli` against the same database (seed with seedDemoFolder, before a server starts). `kill()`
 * is a crash (SIGKILL) that keeps the files; `restart()` starts the app again on the same database, port and environment.
 * `dataFrom` copies a prepared data folder in first; `nodeArgs` go to the server's node (benchmarks
 * profile it with `--cpu-prof`); `cwd` serves another checkout (benchmarks compare commits).
 * One worker unless `env` sets WEB_CONCURRENCY (the suites that need two say so). The server is its
 * own process group: `kill()` kills the primary and its workers at once. `npm`: started through
 * `npm start` itself (npm, then the primary), as a terminal or a supervisor runs it; `exited()` is then
 * npm's status. Its dev mailbox (on without SMTP_URL) listens on a free port of its own, at `mailboxUrl`.
 */
export async function startAppServer(
  env: Record<string, string> = {},
  /** `port`: known before it starts (an identity provider registered its callback first). */
  options: {
    dataFrom?: string;
    nodeArgs?: string[];
    cwd?: string;
    port?: number;
    under?: string;
    npm?: boolean;
    /**
     * A test clock (UNDERSIGNED_TEST_CLOCK_FILE): `advanceServerClock(app, ms)` moves the server's
     * batch and forgetting jobs and anonymous routes forward. Test-only, so the server runs with
     * NODE_ENV=test (production refuses the file).
     */
    clock?: boolean;
  } = {},
) {
  // `under`: the folder (a small file system, say) the server's data folder is made in.
  const dir = mkdtempSync(path.join(options.under ?? tmpdir(), "undersigned-e2e-"));
  // A copy of a prepared data folder (database, its WAL if any, the session secret).
  if (options.dataFrom) cpSync(options.dataFrom, dir, { recursive: true });
  const port = options.port ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${port}`;
  let mailboxPort = Number(env.DEV_MAILBOX_PORT ?? (await freePort()));
  while (mailboxPort === port) mailboxPort = await freePort();
  const databasePath = path.join(dir, "app.db");
  const serverEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    PORT: String(port),
    APP_URL: baseUrl,
    DATABASE_URL: databasePath,
    WEB_CONCURRENCY: "1",
    DEV_MAILBOX_PORT: String(mailboxPort),
    // Held, as emails are without SMTP: a background post would change the outbox under a test.
    CHAT_POSTS: "0",
    ...env,
  };
  if (!env.SMTP_URL) delete serverEnv.SMTP_URL;
  const clockFile = options.clock ? path.join(dir, "test-clock") : null;
  if (clockFile) {
    writeFileSync(clockFile, "0\n");
    serverEnv.UNDERSIGNED_TEST_CLOCK_FILE = clockFile;
    serverEnv.NODE_ENV = "test";
  }

  // Asynchronous: a few CLI runs in a row took over 60 s on a loaded machine, and a test
  // worker blocked that long misses vitest's progress-call timeout (the run fails, all tests green).
  const script = async (file: string, ...args: string[]) => {
    const result = await runChild([...NODE_WITH_TSX.slice(1), file, ...args], serverEnv);
    if (result.status !== 0) throw new Error(`${file} ${args.join(" ")} failed:\n${result.output}`);
    return result.stdout;
  };
  const cli = (...args: string[]) => script("app/cli.ts", ...args);
  const writeFile = (name: string, content: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, content);
    return file;
  };

  let output = "";
  let child: ChildProcess;
  const launch = async () => {
    const spawnOptions: SpawnOptions = {
      env: serverEnv,
      stdio: ["ignore", "pipe", "pipe"],
      cwd: options.cwd,
      detached: true,
    };
    child = options.npm
      ? spawn("npm", ["start"], spawnOptions)
      : spawn(
          NODE_WITH_TSX[0],
          [...(options.nodeArgs ?? []), ...NODE_WITH_TSX.slice(1), "app/server/start.ts"],
          spawnOptions,
        );
    const pgid = child.pid ?? 0;
    process.once("exit", () => {
      if (groupAlive(pgid)) process.kill(-pgid, "SIGKILL");
    });
    child.stdout?.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr?.on("data", (chunk) => {
      output += chunk;
    });

    // Started means every worker is ready: the primary prints its banner then. /healthz answers as
    // soon as the first worker listens, which on a busy machine can be seconds before the others.
    const banners = () => output.split(STARTED).length;
    const bannersBefore = banners();
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`The server exited early:\n${output}`);
      try {
        const response = await fetch(`${baseUrl}/healthz`);
        if (response.ok && banners() > bannersBefore) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`The server did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  /** Every process of the server (the primary, its workers, a backup in progress) dies at once. */
  const kill = async () => {
    const pgid = child.pid ?? 0;
    const exited =
      child.exitCode !== null || child.signalCode !== null
        ? Promise.resolve()
        : new Promise((resolve) => child.once("exit", resolve));
    if (groupAlive(pgid)) process.kill(-pgid, "SIGKILL");
    await exited;
    while (groupAlive(pgid)) await new Promise((resolve) => setTimeout(resolve, 20));
  };
  await launch();
  /** The primary: the process started, or npm's one child; 0 once it is gone. */
  const primaryPid = () => (options.npm ? (childrenOf(child.pid ?? 0)[0] ?? 0) : (child.pid ?? 0));
  /** process.kill with pid 0 (or -0) would signal the test's own process group. */
  const signalled = (pid: number) => {
    if (pid <= 0) throw new Error(`The server is not running:\n${output}`);
    return pid;
  };

  return {
    baseUrl,
    /** The dev mailbox (ADR 34), while it is on: the primary serves it on 127.0.0.1 only. */
    mailboxUrl: `http://127.0.0.1:${mailboxPort}`,
    /** The test clock's file (with `clock: true`): its offset in milliseconds. */
    clockFile,
    /** The server's SQLite file, for tests that check or prepare its data in-process. */
    databasePath,
    /** The server's primary process (benchmarks read its memory from /proc). */
    get pid() {
      return primaryPid();
    },
    /** The worker processes serving HTTP. */
    workerPids: () => childrenOf(primaryPid()),
    /** The worker answering on a fresh connection, and whether it runs the background jobs. */
    async role(): Promise<{ worker: number | null; jobs: boolean }> {
      const response = await fetch(`${baseUrl}/healthz`, { headers: { Connection: "close" } });
      return (await response.json()) as { worker: number | null; jobs: boolean };
    },
    cli,
    writeFile,
    output: () => output,
    /** Polls `condition` (say, the outbox drained) until it holds; on timeout, fails with the server's log. */
    async waitUntil(condition: () => boolean, timeoutMs = 180_000) {
      const deadline = Date.now() + timeoutMs;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error(`Timed out waiting; the server said:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    kill,
    /** After `kill()`: the same app on the same database, as a supervisor would, with `env` changed. */
    restart(env: Record<string, string> = {}) {
      Object.assign(serverEnv, env);
      return launch();
    },
    /** Sends a signal to the primary process only (SIGTERM, SIGHUP …), as a supervisor would. */
    signal(name: NodeJS.Signals) {
      process.kill(signalled(primaryPid()), name);
    },
    /**
     * Sends a signal to every process of the server's group at once, as a terminal's Ctrl-C does
     * (SIGINT) and systemd's stop with its default KillMode=control-group (SIGTERM).
     */
    signalGroup(name: NodeJS.Signals) {
      process.kill(-signalled(child.pid ?? 0), name);
    },
    /**
     * Resolves with the started process's exit code (or the signal that ended it) once the whole
     * group has exited.
     */
    async exited(): Promise<number | NodeJS.Signals | null> {
      const pgid = child.pid ?? 0;
      if (child.exitCode === null && child.signalCode === null)
        await new Promise((resolve) => child.once("exit", resolve));
      while (groupAlive(pgid)) await new Promise((resolve) => setTimeout(resolve, 20));
      return child.exitCode ?? child.signalCode;
    },
    /** SIGTERM lets the server exit by itself (so `node --cpu-prof` writes its profile). */
    async stop(signal: "SIGKILL" | "SIGTERM" = "SIGKILL") {
      if (signal === "SIGKILL") await kill();
      else if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill(signal);
        await exited;
        await kill();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
export type AppServer = Awaited<ReturnType<typeof startAppServer>>;

/** The server's clock offset (milliseconds) with `clock: true`: 0 until advanced. */
export function serverClockOffset(app: { clockFile: string | null }): number {
  if (!app.clockFile) throw new Error("start the server with { clock: true } to move its clock");
  return Number(readFileSync(app.clockFile, "utf8").trim() || "0");
}

/** Now, as the server's batch jobs and anonymous routes see it (with `clock: true`). */
export const serverTime = (app: { clockFile: string | null }) => Date.now() + serverClockOffset(app);

/**
 * Moves the server's test clock forward by `ms` (a server started with `clock: true`): its batch jobs
 * run at once if that crosses a batch boundary, as the first scheduler run past it would. Returns
 * the server's new time.
 */
export function advanceServerClock(app: { clockFile: string | null }, ms: number): number {
  const offset = serverClockOffset(app) + ms;
  writeFileSync(app.clockFile ?? "", `${offset}\n`);
  return Date.now() + offset;
}

/** Moves the server's test clock just past `at` (say, a digest's `nextBatchAt`), if it is not already. */
export function advanceServerClockPast(app: { clockFile: string | null }, at: string | number): number {
  const target = new Date(at).getTime() + 1_000;
  return advanceServerClock(app, Math.max(0, target - serverTime(app)));
}
