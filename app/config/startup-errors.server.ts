import { accessSync, constants, existsSync } from "node:fs";
import path from "node:path";

/**
 * A problem that stops the server (or a command) at start, said in one line: the path, the cause and
 * what to do. Never a stack trace.
 */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StartupError";
  }
}

/** The error's code and message in a few words: "read-only file system (EROFS)". */
export function describeFileError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  const reason = error.message.replace(/^[A-Z]+: /, "").replace(/, \w+ '.*'$/, "");
  return code && !reason.includes(code) ? `${reason} (${code})` : reason;
}

/**
 * Why a folder cannot be written (its nearest existing ancestor checked, as mkdir would need it):
 * "read-only file system (EROFS)", or null when it can.
 */
export function whyNotWritable(folder: string): string | null {
  let existing = path.resolve(folder);
  while (!existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  try {
    accessSync(existing, constants.W_OK);
    return null;
  } catch (error) {
    return `${existing} is not writable: ${describeFileError(error)}`;
  }
}
