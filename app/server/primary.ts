/**
 * The primary process of `npm start` (ADR 25). It validates the configuration, builds if needed,
 * takes the database's lock (a restore refuses while it is held), opens and migrates the database
 * once, then starts WEB_CONCURRENCY workers that serve HTTP on the one port (node:cluster) and
 * answers what must be one for all of them: rate-limit counters and kept values (in its memory,
 * never in the database), the log's one line about a full disk, and which worker runs the background
 * jobs — exactly one at a time; when it dies another takes over. A crashed worker is replaced.
 *
 * SIGTERM or SIGINT stops the group: each worker finishes its requests and stops its jobs, then the
 * primary checkpoints the WAL into the database, closes it, releases the lock and exits 0. Copies of
 * that signal (from the process group, npm, a wrapper) are the same stop; only one asked for more
 * than a second later stops at once (./stop-requests.ts). SIGHUP
 * replaces the workers one at a time (a rolling restart: a new build is served without a dropped
 * request).
 */
import cluster, { type Worker } from "node:cluster";
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { closeDb, getDb, openProblem } from "../../db/client";
import { StartupError } from "../config/startup-errors.server";
import { type Config, ConfigError, loadConfig } from "../config.server";
import { HeldBatches } from "../platform/anonymity/batches.server";
import { tryLockDatabase } from "../platform/runtime/database-lock.server";
import { KeptValues } from "../platform/runtime/kept-values.server";
import {
  BATCHES_ENV,
  type GroupNotice,
  type GroupQuestion,
  type GroupRequest,
  MESSAGE_TAG,
  newBootId,
  type ToWorker,
} from "../platform/runtime/process-group.server";
import { storageLogLine, watchForSpace } from "../platform/runtime/storage.server";
import { RateLimiter } from "../platform/security/rate-limits.server";
import { ensureFreshBuild } from "./build-freshness";
import { startDevMailbox } from "./dev-mailbox.server";
import { stopRequests } from "./stop-requests";
import { SHUTDOWN_TIMEOUT_MS } from "./timeouts";

/** More crashes than this within a minute is a crash loop: the group stops rather than spin. */
const MAX_CRASHES_PER_MINUTE = 10;

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

export function startupBanner(config: Config): string[] {
  const lines = [
    `Undersigned is listening on ${config.appUrl} with ${config.webConcurrency} worker${config.webConcurrency === 1 ? "" : "s"} (WEB_CONCURRENCY; database: ${config.databasePath})`,
  ];
  lines.push(
    config.backups
      ? `Backups: every ${describeEvery(config.backups.everyMs)} into ${config.backups.dir}, keeping the newest ${config.backups.keep} (BACKUP_DIR, BACKUP_EVERY, BACKUP_KEEP).`
      : "Backups: off. Set BACKUP_DIR to take a checked backup every BACKUP_EVERY (1d), keeping BACKUP_KEEP (7); or run npm run cli -- backup.",
  );
  // start.ts defaults NODE_ENV to production; anything else was set on purpose, or by mistake.
  if (process.env.NODE_ENV !== "production")
    lines.push(
      `WARNING: NODE_ENV=${process.env.NODE_ENV}: pages are rendered by React's development build, slower than its production build. Unset NODE_ENV (npm start means production) or set it to production.`,
    );
  if (config.trustProxy !== false)
    lines.push(
      `Behind a proxy: client addresses come from X-Forwarded-For through ${typeof config.trustProxy === "number" ? `${config.trustProxy} hop${config.trustProxy === 1 ? "" : "s"}` : config.trustProxy === true ? "every hop (TRUST_PROXY=true trusts whatever the client sends: name your proxy instead)" : config.trustProxy.join(", ")} (TRUST_PROXY).`,
    );
  if (config.devMailbox)
    lines.push(
      `WARNING: the dev mailbox is on (no SMTP_URL): every email, live sign-in links included, is shown at ${config.devMailbox.url} (on this machine only; DEV_MAILBOX_PORT), and sign-in links are printed here. Set SMTP_URL to send email, or DEV_MAILBOX=0 to switch it off.`,
    );
  else if (!config.smtpUrl)
    lines.push("No SMTP_URL and DEV_MAILBOX=0: emails wait in the outbox until SMTP_URL is set.");
  return lines;
}

function describeEvery(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  return `${ms / 60_000}m`;
}

export async function runPrimary(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError || error instanceof StartupError) fail(error.message);
    throw error;
  }
  ensureFreshBuild();
  if (process.argv.includes("--build-only")) return;

  const problem = (error: unknown): never =>
    fail(
      error instanceof StartupError
        ? error.message
        : (openProblem(config.databasePath, error)?.message ??
            `Cannot open ${config.databasePath}: ${String(error)}`),
    );
  let lock: ReturnType<typeof tryLockDatabase> = null;
  try {
    mkdirSync(path.dirname(path.resolve(config.databasePath)), { recursive: true });
    lock = tryLockDatabase(config.databasePath);
  } catch (error) {
    problem(error);
  }
  if (!lock)
    fail(
      `Another Undersigned server (or a restore) is using ${config.databasePath}: stop it first, or set DATABASE_URL to another database.`,
    );
  // Opened and migrated once, here, before any worker: the workers find nothing left to migrate.
  try {
    getDb();
  } catch (error) {
    lock.release();
    problem(error);
  }
  const heldLock = lock;
  // The dev mailbox is served here, by the one process that outlives every worker and every rolling
  // restart: exactly one listener, on its own port, never the app's (ADR 34).
  const mailbox = config.devMailbox
    ? await startDevMailbox({ ...config, devMailbox: config.devMailbox }).catch((error: unknown) => {
        heldLock.release();
        return problem(error);
      })
    : null;

  const limits = new RateLimiter();
  const kept = new KeptValues();
  // Anonymous acts held for their batch: whichever worker took them, the jobs' worker writes them.
  const held = new HeldBatches();
  let storageFull = false;
  let stopping = false;
  const retiring = new Set<number>();
  let leader: number | null = null;
  let announced = false;
  const crashes: number[] = [];

  const send = (worker: Worker, message: ToWorker) => {
    if (worker.isConnected()) worker.send(message);
  };

  const answer = (request: GroupRequest): unknown => {
    switch (request.kind) {
      case "rate-limit":
        return limits.hitAll(request.hits, request.now);
      case "kept:get":
        return kept.get(request.key) ?? null;
      case "kept:offer":
        return kept.offer(request.key, request.value);
      case "batch:hold":
        return held.hold(request.queue, request.group, request.key, request.item, request.now);
      case "batch:held":
        return held.isHeld(request.queue, request.group, request.key);
      case "batch:begin":
        return held.begin(request.queue, request.now, request.periodMs);
      case "batch:take":
        return held.take(
          request.queue,
          request.boundary,
          request.minSize,
          request.eligible,
          request.firstOfDay,
        );
      case "batch:flush":
        return held.flush(request.queue, request.group, request.at);
      case "batch:count":
        return held.count(request.queue);
    }
  };

  const live = () =>
    Object.values(cluster.workers ?? {}).filter((w): w is Worker => Boolean(w) && !w?.isDead());

  const chooseLeader = () => {
    if (stopping || leader !== null) return;
    const next = live().find((w) => ready.has(w.id) && !retiring.has(w.id));
    if (!next) return;
    leader = next.id;
    console.log(
      `Worker ${next.id} (pid ${next.process.pid}) runs the background jobs (mail, scheduler, session sweeper${config.backups ? ", backups" : ""}).`,
    );
    send(next, { [MESSAGE_TAG]: { command: "lead" } });
  };

  const ready = new Set<number>();
  const onNotice = (worker: Worker, notice: GroupNotice) => {
    switch (notice.kind) {
      case "ready":
        ready.add(worker.id);
        chooseLeader();
        if (!announced && ready.size >= config.webConcurrency) {
          announced = true;
          for (const line of startupBanner(config)) console.log(line);
        }
        return;
      case "fatal":
        stopping = true;
        console.error(notice.message);
        for (const w of live()) w.process.kill("SIGKILL");
        heldLock.release();
        process.exit(1);
        return;
      case "storage-full":
        if (storageFull) return;
        storageFull = true;
        console.error(storageLogLine(config.databasePath, true));
        watchForSpace(config.databasePath, () => {
          storageFull = false;
          console.error(storageLogLine(config.databasePath, false));
        });
        return;
    }
  };

  cluster.on("message", (worker, message: unknown) => {
    const body = (message as Record<string, unknown> | null)?.[MESSAGE_TAG] as
      | { id?: number; request?: GroupRequest; batch?: GroupQuestion[]; notice?: GroupNotice }
      | undefined;
    if (!body) return;
    if (body.notice) return onNotice(worker, body.notice);
    // In the order asked: a batch is the questions of one turn of the worker's event loop.
    if (Array.isArray(body.batch))
      send(worker, {
        [MESSAGE_TAG]: { answers: body.batch.map(({ id, request }) => ({ id, answer: answer(request) })) },
      });
    else if (typeof body.id === "number" && body.request)
      send(worker, { [MESSAGE_TAG]: { id: body.id, answer: answer(body.request) } });
  });

  // Without IP_HASH_KEY, the key that hashes signers' addresses is made here, in memory, and handed
  // to every worker (a restarted one too), so they all hash alike; it is never written anywhere.
  const ipHashKey = config.ipHashKey ?? randomBytes(32).toString("base64url");
  // This start's id, published in every petition's anonymous digest: a browser seeing a new one knows
  // the held anonymous acts were lost with the old primary's memory, and sends its own again.
  const bootId = newBootId();
  const fork = () =>
    cluster.fork({
      UNDERSIGNED_WORKER: "1",
      IP_HASH_KEY: ipHashKey,
      UNDERSIGNED_BOOT_ID: bootId,
      [BATCHES_ENV]: "1",
    });

  cluster.on("exit", (worker, code, signal) => {
    ready.delete(worker.id);
    const wasLeader = leader === worker.id;
    if (wasLeader) leader = null;
    if (stopping) return;
    if (retiring.delete(worker.id)) {
      chooseLeader();
      return;
    }
    const now = Date.now();
    crashes.push(now);
    while (crashes.length && (crashes[0] ?? 0) < now - 60_000) crashes.shift();
    console.error(
      `Worker ${worker.id} (pid ${worker.process.pid}) exited (${signal ?? `code ${code}`})${wasLeader ? "; another worker takes over the background jobs" : ""}; starting a new one.`,
    );
    if (crashes.length > MAX_CRASHES_PER_MINUTE) {
      console.error(`Workers keep crashing (${crashes.length} in a minute): stopping.`);
      void stop(1);
      return;
    }
    chooseLeader();
    fork();
  });

  let stopped: Promise<never> | null = null;
  const stop = (exitCode: number): Promise<never> => {
    if (stopped) return stopped;
    stopping = true;
    mailbox?.close();
    stopped = (async () => {
      const workers = live();
      const exited = Promise.all(
        workers.map((w) => new Promise((resolve) => (w.isDead() ? resolve(null) : w.once("exit", resolve)))),
      );
      for (const w of workers) send(w, { [MESSAGE_TAG]: { command: "shutdown" } });
      const timeout = setTimeout(() => {
        for (const w of live()) w.process.kill("SIGKILL");
      }, SHUTDOWN_TIMEOUT_MS + 5_000);
      await exited;
      clearTimeout(timeout);
      try {
        // The last connection: the WAL is folded into the database and emptied before it closes.
        getDb().$client.pragma("wal_checkpoint(TRUNCATE)");
      } catch (error) {
        console.error("checkpoint at stop:", error);
      }
      closeDb();
      heldLock.release();
      console.log("Undersigned stopped.");
      process.exit(exitCode);
    })();
    return stopped;
  };

  /** SIGHUP: each worker in turn is replaced by a new one, which listens before the old one stops. */
  let rolling = false;
  const rollingRestart = async () => {
    if (rolling || stopping) return;
    rolling = true;
    console.log("Replacing the workers one at a time (SIGHUP)…");
    for (const old of live()) {
      if (stopping) break;
      const fresh = fork();
      await new Promise<void>((resolve) => {
        const check = () => {
          if (ready.has(fresh.id) || fresh.isDead()) {
            cluster.off("message", check);
            resolve();
          }
        };
        cluster.on("message", check);
        fresh.once("exit", () => resolve());
      });
      retiring.add(old.id);
      if (leader === old.id) {
        // The old leader stops its jobs as it drains; the new leader is chosen when it has exited.
      }
      send(old, { [MESSAGE_TAG]: { command: "shutdown" } });
      await new Promise((resolve) => (old.isDead() ? resolve(null) : old.once("exit", resolve)));
    }
    rolling = false;
    console.log("Every worker was replaced.");
  };

  const stopRequest = stopRequests();
  const onStop = () => {
    switch (stopRequest()) {
      case "same-stop":
        return;
      case "force":
        console.log("Stopping at once (asked again): the requests still in flight are cut.");
        for (const w of live()) w.process.kill("SIGKILL");
        heldLock.release();
        process.exit(1);
        return;
      case "stop":
        console.log(
          `Stopping: finishing the requests in flight (at most ${SHUTDOWN_TIMEOUT_MS / 1_000} s)… Ctrl-C again to stop at once.`,
        );
        void stop(0);
    }
  };
  process.on("SIGTERM", onStop);
  process.on("SIGINT", onStop);
  process.on("SIGHUP", () => void rollingRestart());

  for (let i = 0; i < config.webConcurrency; i++) fork();
}
