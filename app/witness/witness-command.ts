/**
 * `npm run witness`: an independent witness of an Undersigned server's public log (docs/witness.md).
 *
 *   npm run witness -- init [--state FILE] [--name NAME]   make this witness's key and record
 *   npm run witness -- key [--state FILE]                  print its key again
 *   npm run witness -- URL [--state FILE] [--every SECONDS] [--once]
 *
 * Exit codes: 0 done (--once: cosigned), 1 the log failed a check (nothing cosigned; both
 * checkpoints printed), 2 a usage or state-file problem, 3 (--once) the server could not be asked or
 * does not list this witness yet.
 */
import { type PollResult, pollOnce } from "./witness-poll";
import {
  DEFAULT_STATE_FILE,
  defaultWitnessName,
  initWitnessState,
  loadWitnessState,
  saveWitnessState,
  WitnessStateError,
} from "./witness-state";

const USAGE = `Usage:
  npm run witness -- init [--state FILE] [--name NAME]
  npm run witness -- key [--state FILE]
  npm run witness -- URL [--state FILE] [--every SECONDS] [--once]

FILE defaults to ./${DEFAULT_STATE_FILE}; SECONDS to 60. See docs/witness.md.`;

class UsageError extends Error {}

type Options = { state: string; name?: string; every: number; once: boolean };

function parseArgs(args: string[]): { command: string; options: Options } {
  const options: Options = { state: DEFAULT_STATE_FILE, every: 60, once: false };
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s) : [arg, undefined];
    const value = () => {
      const v = inline ?? args[++i];
      if (v === undefined || v === "") throw new UsageError(`${flag} needs a value.`);
      return v;
    };
    if (flag === "--state") options.state = value();
    else if (flag === "--name") options.name = value();
    else if (flag === "--every") {
      options.every = Number(value());
      if (!Number.isFinite(options.every) || options.every <= 0)
        throw new UsageError("--every takes a number of seconds.");
    } else if (flag === "--once") options.once = true;
    else if (flag === "--help" || flag === "-h") throw new UsageError("");
    else if (flag?.startsWith("-")) throw new UsageError(`Unknown option ${flag}.`);
    else positional.push(arg);
  }
  if (positional.length !== 1) throw new UsageError("Give one command: init, key, or the server's address.");
  return { command: positional[0] as string, options };
}

const say = (text: string) => process.stdout.write(`${text}\n`);
const warn = (text: string) => process.stderr.write(`${text}\n`);
const time = () => new Date().toISOString().slice(0, 19).replace("T", " ");

function init(options: Options): void {
  const state = initWitnessState(options.state, options.name ?? defaultWitnessName());
  say(`Made the witness ${state.name}; its key and record are in ${options.state} (readable by you only).

Its public key:

  ${state.vkey}

Give this line to the server's administrator: they add it to WITNESSES and restart the server.
Then run the witness (and keep it running):

  npm run witness -- https://undersigned.example.com --state ${options.state}

Keep ${options.state}: it is this witness's identity and memory. Losing it means starting over with a new key.`);
}

function report(result: PollResult, vkey: string, again: boolean): void {
  switch (result.kind) {
    case "cosigned":
      say(`${time()} cosigned ${result.origin} at size ${result.size}`);
      return;
    case "not-listed":
      warn(
        `${time()} checked ${result.origin} at size ${result.size}, but the server does not list this witness yet: its administrator adds this key to WITNESSES:\n  ${vkey}`,
      );
      return;
    case "unreachable":
      warn(`${time()} ${result.message}${again ? " Trying again at the next poll." : ""}`);
      return;
    case "refused":
      warn(`${time()} REFUSED: the public log failed a witness's check, and this witness will not cosign it.

Why: ${result.reason}

The checkpoint this witness last cosigned:
${result.cosignedNote ?? "(none: this witness had not cosigned this log yet)\n"}
The checkpoint the server serves now:
${result.newNote || "(none could be read)\n"}
Keep this output: the two checkpoints are signed by the log's key, and together they show what it did.
See docs/witness.md, "When the witness refuses".`);
  }
}

async function watch(url: string, options: Options): Promise<number> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`${url} is not an address (say https://undersigned.example.com).`);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:")
    throw new UsageError(`${url} is not an http(s) address.`);
  let state = loadWitnessState(options.state);
  if (state.log && state.log.url !== parsed.href.replace(/\/+$/, ""))
    warn(`This witness first watched ${state.log.url}; it checks the same log at ${url}.`);
  let stopping = false;
  let wake: (() => void) | null = null;
  const stop = () => {
    stopping = true;
    wake?.();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  for (;;) {
    const result = await pollOnce(state, {
      url,
      now: Date.now,
      // What is saved is what the next poll is checked against, whatever the server answers after:
      // a server that keeps a cosignature but answers with an error must not get a second one for
      // another checkpoint of the same size (a fork).
      save: (next) => {
        saveWitnessState(options.state, next);
        state = next;
      },
    });
    report(result, state.vkey, !options.once);
    if (result.kind === "refused") return 1;
    if (options.once) return result.kind === "cosigned" ? 0 : 3;
    if (stopping) return 0;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, options.every * 1000);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    if (stopping) return 0;
  }
}

async function main(args: string[]): Promise<number> {
  try {
    const { command, options } = parseArgs(args);
    if (command === "init") {
      init(options);
      return 0;
    }
    if (command === "key") {
      say(loadWitnessState(options.state).vkey);
      return 0;
    }
    return await watch(command, options);
  } catch (error) {
    if (error instanceof UsageError) {
      warn(error.message ? `${error.message}\n\n${USAGE}` : USAGE);
      return 2;
    }
    if (error instanceof WitnessStateError) {
      warn(error.message);
      return 2;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
