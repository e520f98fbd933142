/**
 * The leaves of the transparency log: what a reader can hold the operator to. Each leaf is one line
 * of canonical JSON (keys in the order below, UTF-8, no whitespace, no trailing newline), so the same
 * entry always hashes the same. Times are whole days (`on`, "YYYY-MM-DD") or whole hours (`at`,
 * "…T13:00:00.000Z"), never finer: a logged instant must not line up with one person's action.
 * Pure and browser-safe.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { type Hash, leafHash } from "./merkle";
import { NoteError } from "./signed-note";

export type LogEntry =
  /**
   * A signing key of a petition ("petition:12") or of a feedback week ("feedback:3:2026-W05");
   * legacyAnonymous: the frozen number of pre-token anonymous rows of that petition (0 for keys made
   * after tokens existed, and for feedback).
   */
  | {
      type: "key";
      scope: string;
      fingerprint: string;
      publicKey: string;
      on: string;
      legacyAnonymous: number;
    }
  | { type: "key-retired"; scope: string; fingerprint: string; on: string }
  /** A petition ledger's state at a batch boundary or an hour, when it changed since its last entry. */
  | {
      type: "petition";
      petition: number;
      length: number;
      head: string;
      count: number;
      tokensIssued: number;
      publicWithToken: number;
      publicWithoutToken: number;
      at: string;
    }
  | { type: "settings"; batchMinutes: number; batchMinimum: number; minimumHolders: number; at: string }
  /** A restore took the petition's ledger back to (length, head): entries logged after it were lost. */
  | { type: "restored"; petition: number; length: number; head: string; at: string };

export type LogEntryType = LogEntry["type"];

/** Each type's fields, in their canonical order (type first). */
export const ENTRY_FIELDS = {
  key: ["type", "scope", "fingerprint", "publicKey", "on", "legacyAnonymous"],
  "key-retired": ["type", "scope", "fingerprint", "on"],
  petition: [
    "type",
    "petition",
    "length",
    "head",
    "count",
    "tokensIssued",
    "publicWithToken",
    "publicWithoutToken",
    "at",
  ],
  settings: ["type", "batchMinutes", "batchMinimum", "minimumHolders", "at"],
  restored: ["type", "petition", "length", "head", "at"],
} as const satisfies { [T in LogEntryType]: ReadonlyArray<keyof Extract<LogEntry, { type: T }>> };

type Check = (value: unknown) => boolean;

const isCount: Check = (v) => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
const isId: Check = (v) => isCount(v) && (v as number) > 0;
const matches =
  (pattern: RegExp): Check =>
  (v) =>
    typeof v === "string" && pattern.test(v);

/** The scopes of token-messages.ts: a petition's key, or one policy's feedback key for an ISO week. */
const isScope = matches(
  /^(?:petition:[1-9]\d{0,11}|feedback:[1-9]\d{0,11}:\d{4}-W(?:0[1-9]|[1-4]\d|5[0-3]))$/,
);
/** SHA-256 of the key's DER, lowercase hex (blind-signatures.server.ts). */
const isFingerprint = matches(/^[0-9a-f]{64}$/);
/** SubjectPublicKeyInfo DER, base64url without padding. */
const isPublicKey = matches(/^[A-Za-z0-9_-]{16,4096}$/);
/** A ledger hash (or the genesis hash, 64 zeros), lowercase hex. */
const isHead = matches(/^[0-9a-f]{64}$/);

const isDay: Check = (v) =>
  typeof v === "string" &&
  /^\d{4}-\d\d-\d\d$/.test(v) &&
  !Number.isNaN(Date.parse(v)) &&
  new Date(Date.parse(v)).toISOString().slice(0, 10) === v;
const isHour: Check = (v) =>
  typeof v === "string" &&
  /^\d{4}-\d\d-\d\dT\d\d:00:00\.000Z$/.test(v) &&
  !Number.isNaN(Date.parse(v)) &&
  new Date(Date.parse(v)).toISOString() === v;

const CHECKS: { [T in LogEntryType]: { [F in (typeof ENTRY_FIELDS)[T][number]]: Check } } = {
  key: {
    type: (v) => v === "key",
    scope: isScope,
    fingerprint: isFingerprint,
    publicKey: isPublicKey,
    on: isDay,
    legacyAnonymous: isCount,
  },
  "key-retired": { type: (v) => v === "key-retired", scope: isScope, fingerprint: isFingerprint, on: isDay },
  petition: {
    type: (v) => v === "petition",
    petition: isId,
    length: isCount,
    head: isHead,
    count: isCount,
    tokensIssued: isCount,
    publicWithToken: isCount,
    publicWithoutToken: isCount,
    at: isHour,
  },
  settings: {
    type: (v) => v === "settings",
    batchMinutes: isCount,
    batchMinimum: isCount,
    minimumHolders: isCount,
    at: isHour,
  },
  restored: { type: (v) => v === "restored", petition: isId, length: isCount, head: isHead, at: isHour },
};

const isEntryType = (v: unknown): v is LogEntryType =>
  typeof v === "string" && Object.hasOwn(ENTRY_FIELDS, v);

function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");

/** A key entry's fingerprint is the SHA-256 of the public key it carries. */
function fingerprintMatches(publicKey: string, fingerprint: string): boolean {
  try {
    return hex(sha256(fromBase64url(publicKey))) === fingerprint;
  } catch {
    return false;
  }
}

/** Why the value is not a log entry, or null when it is one. */
function problemOf(value: unknown, ordered: boolean): string | null {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return "A log entry is a JSON object.";
  const record = value as Record<string, unknown>;
  if (!isEntryType(record.type)) return `"${String(record.type)}" is not a type of log entry.`;
  const type = record.type;
  const fields: readonly string[] = ENTRY_FIELDS[type];
  const keys = Object.keys(record);
  const sameFields = ordered
    ? keys.join(",") === fields.join(",")
    : keys.length === fields.length && fields.every((f) => Object.hasOwn(record, f));
  if (!sameFields) {
    return `A ${type} entry has exactly the fields ${fields.join(", ")}, in that order.`;
  }
  const checks = CHECKS[type] as Record<string, Check>;
  const wrong = fields.find((field) => !checks[field]?.(record[field]));
  if (wrong) return `A ${type} entry's ${wrong} is not well formed.`;
  if (type === "key" && !fingerprintMatches(record.publicKey as string, record.fingerprint as string)) {
    return "A key entry's fingerprint is not the SHA-256 of its public key.";
  }
  return null;
}

/** One line of canonical JSON (whatever the order of the entry's own keys); throws NoteError when the entry is not well formed. */
export function encodeEntry(entry: LogEntry): Uint8Array {
  const problem = problemOf(entry, false);
  if (problem) throw new NoteError(problem);
  return new TextEncoder().encode(JSON.stringify(canonical(entry)));
}

/** The entry with its keys in canonical order (only the type's fields). */
function canonical(entry: LogEntry): Record<string, unknown> {
  const record = entry as Record<string, unknown>;
  const fields: readonly string[] = isEntryType(record.type) ? ENTRY_FIELDS[record.type] : [];
  return Object.fromEntries(fields.map((field) => [field, record[field]]));
}

/** The entry a leaf holds; throws NoteError unless the bytes are exactly a canonical entry. */
export function parseEntry(bytes: Uint8Array): LogEntry {
  let text: string;
  let value: unknown;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
    value = JSON.parse(text);
  } catch {
    throw new NoteError("A log entry is one line of JSON.");
  }
  const problem = problemOf(value, true);
  if (problem) throw new NoteError(problem);
  const entry = value as LogEntry;
  if (JSON.stringify(canonical(entry)) !== text) {
    throw new NoteError("A log entry is written in canonical form (no spaces, no escapes, plain integers).");
  }
  return entry;
}

/** The Merkle leaf hash of an entry. */
export const entryLeafHash = (entry: LogEntry): Hash => leafHash(encodeEntry(entry));
