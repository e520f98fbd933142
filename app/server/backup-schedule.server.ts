import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  listScheduledBackups,
  pruneScheduledBackups,
  scheduledBackupName,
} from "../domain/backups/backup.server";

/**
 * Scheduled backups (BACKUP_DIR, BACKUP_EVERY, BACKUP_KEEP), run by the process that runs the
 * background jobs. Each is `npm run cli -- backup FILE` in a child process (nice'd): the same code and
 * checks as a backup taken by hand, and a copy of a large database never stalls the requests this
 * worker serves. The next one is due BACKUP_EVERY after the newest in the folder, so a restart or a
 * new leader keeps the rhythm instead of starting it again; a failed one is tried again in 15
 * minutes. After each, all but the newest BACKUP_KEEP are deleted.
 */

const RETRY_MS = 15 * 60_000;

/**
 * `npm run cli -- backup FILE` in a child process at a lower priority: the same code and checks as a
 * backup taken by hand, without stalling the requests this process serves (the schedule, and the
 * admin page's "Take a backup now").
 */
export function runBackupCommand(file: string): {
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>;
  stop: () => void;
} {
  let output = "";
  const child = spawn(process.execPath, ["--import", "tsx", path.resolve("app/cli.ts"), "backup", file], {
    stdio: ["ignore", "pipe", "pipe"],
    env: process.env,
  });
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  child.on("spawn", () => {
    try {
      if (child.pid) os.setPriority(child.pid, 10);
    } catch {
      // A lower priority is a courtesy.
    }
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>(
    (resolve) => {
      child.on("exit", (code, signal) => resolve({ code, signal, output }));
      child.on("error", (error) =>
        resolve({ code: null, signal: null, output: `${output}${error.message}` }),
      );
    },
  );
  return { done, stop: () => child.kill("SIGTERM") };
}
/** A first backup, when one is due, waits this long after the jobs start: the server warms first. */
const FIRST_DELAY_MS = 10_000;

export function startBackupSchedule(
  schedule: { dir: string; everyMs: number; keep: number },
  options: { log?: (line: string) => void; firstDelayMs?: number } = {},
): () => Promise<void> {
  const log = options.log ?? ((line: string) => console.log(line));
  let timer: NodeJS.Timeout | null = null;
  let current: ReturnType<typeof runBackupCommand> | null = null;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  const plan = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = takeOne();
    }, delayMs);
    timer.unref();
  };

  const takeOne = async () => {
    mkdirSync(schedule.dir, { recursive: true, mode: 0o700 });
    const file = path.join(schedule.dir, scheduledBackupName(Date.now()));
    const run = runBackupCommand(file);
    current = run;
    const { code, signal, output } = await run.done;
    current = null;
    if (code === 0) {
      // Pruned before the line is logged: whoever reads the log then sees the folder as left.
      const removed = pruneScheduledBackups(schedule.dir, schedule.keep);
      log(
        `Scheduled backup: ${output.trim()}${removed.length > 0 ? ` Pruned ${removed.length} older file${removed.length === 1 ? "" : "s"}.` : ""}`,
      );
      plan(schedule.everyMs);
    } else {
      if (!stopped)
        log(
          `Scheduled backup failed (${signal ?? `exit ${code}`}); trying again in 15 minutes: ${output.trim().split("\n").slice(-3).join(" ")}`,
        );
      // A stopped backup leaves only its temporary copy, which this removes.
      pruneScheduledBackups(schedule.dir, schedule.keep);
      plan(RETRY_MS);
    }
  };

  const newest = listScheduledBackups(schedule.dir).at(-1)?.at ?? null;
  const due = newest === null ? Date.now() : newest + schedule.everyMs;
  plan(Math.max(options.firstDelayMs ?? FIRST_DELAY_MS, due - Date.now()));

  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    (current as ReturnType<typeof runBackupCommand> | null)?.stop();
    await running;
  };
}
