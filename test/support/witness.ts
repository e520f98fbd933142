import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { WitnessState } from "../../app/witness/witness-state";
import { runChild } from "./child-process";

/**
 * The witness (`npm run witness`, app/witness/) as its own process, as a staff representative runs
 * it: `initWitness` makes its key and state file before any server starts (the server reads
 * WITNESSES at its start), `startWitness` runs it against a server and reads what it prints.
 */

const WITNESS_COMMAND = ["--import", "tsx", "app/witness/witness-command.ts"];

export type InitializedWitness = {
  /** Its state file (key, pinned log, last cosigned checkpoint). */
  stateFile: string;
  /** Its C2SP verifier key: what goes into the server's WITNESSES. */
  vkey: string;
  /** What `init` printed. */
  output: string;
  /** Removes the folder the state file was made in (when it made one). */
  remove: () => void;
};

/** `npm run witness -- init`: a new witness key and state file, in a fresh folder unless `stateFile` is given. */
export async function initWitness(
  options: { name?: string; stateFile?: string } = {},
): Promise<InitializedWitness> {
  const dir = options.stateFile ? null : mkdtempSync(path.join(tmpdir(), "undersigned-witness-"));
  const stateFile = options.stateFile ?? path.join(dir ?? "", "witness.json");
  const args = [...WITNESS_COMMAND, "init", "--state", stateFile];
  if (options.name) args.push("--name", options.name);
  const result = await runChild(args);
  if (result.status !== 0) throw new Error(`witness init failed:\n${result.output}`);
  return {
    stateFile,
    vkey: readWitnessState(stateFile).vkey,
    output: result.output,
    remove: () => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const readWitnessState = (stateFile: string): WitnessState =>
  JSON.parse(readFileSync(stateFile, "utf8")) as WitnessState;

const COSIGNED = /cosigned (\S+) at size (\d+)/g;

export type RunningWitness = ReturnType<typeof startWitness>;

/**
 * `npm run witness -- URL --state FILE --every SECONDS`: polls the server until stopped (or until it
 * refuses, exiting 1). Its stdout and stderr are read together by `output()`.
 */
export function startWitness(url: string, stateFile: string, options: { everySeconds?: number } = {}) {
  const child: ChildProcess = spawn(
    process.execPath,
    [...WITNESS_COMMAND, url, "--state", stateFile, "--every", String(options.everySeconds ?? 0.5)],
    { env: process.env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const onExit = () => child.kill("SIGKILL");
  process.once("exit", onExit);
  const exit = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once("exit", (code, signal) => {
      process.off("exit", onExit);
      resolve(code ?? signal);
    }),
  );
  const running = () => child.exitCode === null && child.signalCode === null;
  /** The sizes it cosigned so far (one per poll the server took), oldest first. */
  const cosignedSizes = () => [...output.matchAll(COSIGNED)].map((m) => Number(m[2]));

  return {
    pid: child.pid,
    output: () => output,
    cosignedSizes,
    /**
     * Waits until the witness has cosigned a checkpoint of at least `size` entries (by default: any,
     * its first) and returns the size; fails with its output if it exits or the time runs out.
     */
    async waitForCosignature(size = 0, timeoutMs = 60_000): Promise<number> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const reached = cosignedSizes().find((n) => n >= size);
        if (reached !== undefined) return reached;
        if (!running())
          throw new Error(`The witness exited (${child.exitCode ?? child.signalCode}):\n${output}`);
        if (Date.now() > deadline)
          throw new Error(
            `The witness cosigned no checkpoint of ${size} entries or more in time:\n${output}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    /** Waits until `text` appears in its output. */
    async waitForOutput(text: string | RegExp, timeoutMs = 60_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      const found = () => (typeof text === "string" ? output.includes(text) : text.test(output));
      while (!found()) {
        if (Date.now() > deadline) throw new Error(`The witness did not say ${text} in time:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    /** Its exit code once it exits by itself (1: it refused the log), or fails after `timeoutMs`. */
    async exited(timeoutMs = 60_000): Promise<number | NodeJS.Signals | null> {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`The witness is still running:\n${output}`)), timeoutMs);
      });
      try {
        return await Promise.race([exit, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    /** Stops it as a service manager would (SIGTERM), waiting for it to exit. */
    async stop(): Promise<void> {
      if (running()) child.kill("SIGTERM");
      await exit;
    },
  };
}
