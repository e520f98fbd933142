/**
 * Text for the server log from anything a request could have shaped: a form field, a query string, a
 * header, an identity provider's answer, an error message quoting one of them. Written as it came, a
 * newline lets a stranger add lines of their own to the log (a fake "admin signed in"), a terminal
 * escape recolours or hides what follows, and a bidi control reorders it. So every control, bidi and
 * line-separator character is written as an escape (`\n`, `\u001b`), and the text is cut at `max`
 * characters, saying how many more there were.
 */
export const LOG_TEXT_MAX = 300;

// C0 and C1 controls, DEL, line and paragraph separators, and the bidi controls of single-line fields.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

const escapeChar = (c: string) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** One line of at most `max` characters (before escaping), with nothing in it that a terminal or log reader acts on. */
export function logText(value: unknown, max = LOG_TEXT_MAX): string {
  const text = typeof value === "string" ? value : describeValue(value);
  let end = Math.min(text.length, max);
  // Not between the halves of a surrogate pair.
  if (end < text.length && /[\ud800-\udbff]/.test(text.charAt(end - 1))) end--;
  const kept = text.slice(0, end).replace(UNSAFE, escapeChar);
  return end < text.length ? `${kept}… (${text.length - end} more characters)` : kept;
}

function describeValue(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value === "object" && value !== null) {
    try {
      return JSON.stringify(value) ?? String(value);
    } catch {
      return Object.prototype.toString.call(value);
    }
  }
  return String(value);
}

const FRAME = /^\s+at /;

/**
 * An error for the log: its name, code and message as one safe line (logText), then its stack's
 * frames (code locations, not input) and those of its cause. Never the error's other properties,
 * which may carry what a request sent.
 */
export function errorForLog(error: unknown, depth = 0): string {
  if (!(error instanceof Error)) return logText(error);
  const code = (error as { code?: unknown }).code;
  const head = `${logText(error.name, 60)}${typeof code === "string" || typeof code === "number" ? ` [${logText(code, 60)}]` : ""}: ${logText(error.message)}`;
  // V8's stack starts with `${name}: ${message}` (the message may hold newlines): only what follows is frames.
  const header = error.message ? `${error.name}: ${error.message}` : error.name;
  const stack =
    typeof error.stack === "string" && error.stack.startsWith(header) ? error.stack.slice(header.length) : "";
  const frames = stack
    .split("\n")
    .filter((line) => FRAME.test(line))
    .slice(0, 10)
    .map((line) => `    ${logText(line.trim(), 200)}`);
  const cause =
    error.cause !== undefined && depth < 2 ? [`  caused by ${errorForLog(error.cause, depth + 1)}`] : [];
  return [head, ...frames, ...cause].join("\n");
}
