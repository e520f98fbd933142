/**
 * A worker of `npm start` (ADR 25): serves HTTP on the shared port from the built app, runs the
 * background jobs when the primary says it leads, and on "shutdown" (or SIGTERM) stops gracefully:
 * it stops taking connections, lets every request in flight finish (each answered with
 * `Connection: close`), gives idle keep-alive connections a moment to send one last request, stops
 * the jobs at a safe point, closes the database and exits 0. Past SHUTDOWN_TIMEOUT_MS whatever is left
 * is cut.
 */
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { loadConfig } from "../config.server";
import { MESSAGE_TAG, type ToPrimary } from "../platform/runtime/process-group.server";
import { createHttpApp } from "./http-app";
import { KEEP_ALIVE_TIMEOUT_MS, SHUTDOWN_TIMEOUT_MS } from "./timeouts";

/** How long an idle keep-alive connection may still bring a request once stopping began. */
const IDLE_GRACE_MS = 1_000;

type ServingEntry = {
  openForServing: () => void;
  startJobs: () => () => Promise<void>;
  closeDatabase: () => void;
};

/** The server build's entry module exports these (app/entry.server.tsx); checked, not assumed. */
function servingEntry(module: object): ServingEntry {
  for (const name of ["openForServing", "startJobs", "closeDatabase"])
    if (typeof Reflect.get(module, name) !== "function")
      throw new Error(`the server build's entry does not export ${name}: build again (npm run build)`);
  return module as ServingEntry;
}

const tell = (
  notice: Extract<ToPrimary, { [MESSAGE_TAG]: { notice: unknown } }>[typeof MESSAGE_TAG]["notice"],
) => process.send?.({ [MESSAGE_TAG]: { notice } } satisfies ToPrimary);

export async function runWorker(): Promise<void> {
  const config = loadConfig();
  const build = (await import(pathToFileURL(path.resolve("build/server/index.js")).href)) as ServerBuild;
  const entry = servingEntry(build.entry.module);
  entry.openForServing();
  const app = createHttpApp(build, config, { assetsDir: "build/client/assets" });

  let draining = false;
  /** Requests in flight per connection. */
  const active = new Map<net.Socket, number>();
  const idleTimers = new Map<net.Socket, NodeJS.Timeout>();

  /** A connection with nothing in flight gets a moment to bring one last request, then is closed. */
  const closeWhenIdle = (socket: net.Socket) => {
    if (idleTimers.has(socket)) return;
    idleTimers.set(
      socket,
      setTimeout(() => socket.destroy(), IDLE_GRACE_MS),
    );
  };

  const server = http.createServer((req, res) => {
    const socket = req.socket;
    active.set(socket, (active.get(socket) ?? 0) + 1);
    const idle = idleTimers.get(socket);
    if (idle) {
      clearTimeout(idle);
      idleTimers.delete(socket);
    }
    // While stopping, every answer closes its connection: the client opens its next one elsewhere.
    if (draining) res.shouldKeepAlive = false;
    res.on("close", () => {
      if (!active.has(socket)) return;
      const left = (active.get(socket) ?? 1) - 1;
      active.set(socket, left);
      if (draining && left === 0) closeWhenIdle(socket);
    });
    app(req, res);
  });
  server.on("connection", (socket) => {
    active.set(socket, 0);
    socket.on("close", () => {
      active.delete(socket);
      const idle = idleTimers.get(socket);
      if (idle) clearTimeout(idle);
      idleTimers.delete(socket);
    });
  });
  server.on("error", (error: NodeJS.ErrnoException) => {
    tell({
      kind: "fatal",
      message:
        error.code === "EADDRINUSE"
          ? `Port ${config.port} is in use: stop whatever listens there, or set PORT.`
          : `Cannot listen on port ${config.port}: ${error.message}`,
    });
    process.exit(1);
  });
  // Idle keep-alive connections stay open longer than a proxy's (nginx and load balancers close
  // theirs after ~60 s), so the proxy — or any client — closes first: a server closing an idle socket
  // just as the client reuses it is the "other side closed" race.
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  server.listen(config.port, () => tell({ kind: "ready" }));

  let stopJobs: (() => Promise<void>) | null = null;
  let stopped: Promise<void> | null = null;

  const drain = (): Promise<void> => {
    if (stopped) return stopped;
    draining = true;
    stopped = (async () => {
      const jobsStopped = stopJobs ? stopJobs() : Promise.resolve();
      // Stop taking connections, but not http.Server's close, which also closes idle keep-alive
      // connections at once: a client sending on one at that moment would see a reset.
      net.Server.prototype.close.call(server);
      for (const [socket, requests] of active) if (requests === 0) closeWhenIdle(socket);
      const deadline = Date.now() + SHUTDOWN_TIMEOUT_MS;
      while (active.size > 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      for (const socket of active.keys()) socket.destroy();
      await jobsStopped;
      entry.closeDatabase();
    })();
    return stopped;
  };

  process.on("message", (message: unknown) => {
    const command = (message as { [MESSAGE_TAG]?: { command?: string } } | null)?.[MESSAGE_TAG]?.command;
    if (command === "lead" && !stopJobs && !draining) stopJobs = entry.startJobs();
    if (command === "shutdown") void drain().then(() => process.exit(0));
  });
  // The primary decides when the group stops (Ctrl-C reaches every process of the terminal's group):
  // it tells each worker to drain, and only a deliberate second Ctrl-C makes it cut them.
  process.on("SIGINT", () => {});
  // SIGTERM to the whole group (a supervisor's stop) reaches the primary too: the worker drains as
  // its "shutdown" would have it (one drain however many ask), and the primary, stopping, waits for
  // it before it folds the WAL. A worker stopped on its own (by hand) drains and is replaced.
  process.on("SIGTERM", () => void drain().then(() => process.exit(0)));
}
