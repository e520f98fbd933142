import { type DB, getDb } from "../../../db/client";
import { getConfig } from "../../config.server";
import { logVkey, rootOfSize } from "../../platform/transparency/log.server";
import { equalHashes } from "../../platform/transparency/merkle";
import {
  NoteError,
  parseCheckpoint,
  parseNote,
  parseVkey,
  SIG_COSIGNATURE,
  SIG_ED25519,
  type Verifier,
} from "../../platform/transparency/signed-note";
import { requiredWitnesses } from "../../platform/transparency/witnessing.server";
import type { ChainEntry } from "../petitions/ledger.server";
import type { Findings, LogView } from "./log-audit";

/**
 * Where the verifiers read the public log from: this database (every checkpoint it stored, with
 * every cosignature) or a server's public API (its newest checkpoint and the newest every witness
 * cosigned, the entries below them). What they read is checked by log-audit.ts, never trusted here.
 */

export class LogUnreadable extends Error {
  override name = "LogUnreadable";
}

/** The log as this database holds it; null when it has none yet. */
export function localLogView(db: DB = getDb()): { view: LogView; findings: Findings } | null {
  const vkey = logVkey(db);
  if (!vkey) return null;
  const sqlite = db.$client;
  const rows = sqlite
    .prepare<[], { index: number; data: string }>("select idx as 'index', data from log_leaves order by idx")
    .all();
  const cosignatures = new Map<number, string[]>();
  const witnesses = requiredWitnesses();
  const unknown = new Set<string>();
  for (const c of sqlite
    .prepare<[], { size: number; witness: string; key_id: number; line: string }>(
      "select size, witness, key_id, line from log_cosignatures order by size, witness, key_id",
    )
    .all()) {
    if (!witnesses.some((w) => w.name === c.witness && w.keyId === c.key_id)) unknown.add(c.witness);
    cosignatures.set(c.size, [...(cosignatures.get(c.size) ?? []), c.line]);
  }
  const stored = sqlite
    .prepare<[], { size: number; root: Buffer; note: string }>(
      "select size, root, note from log_checkpoints order by size",
    )
    .all();
  const findings: Findings = { problems: [], notes: [] };
  const newest = stored.at(-1);
  // The proofs the server hands out come from its stored tree: it must give the entries' root.
  if (newest && newest.size <= rows.length) {
    let treeRoot: Uint8Array | null = null;
    try {
      treeRoot = rootOfSize(newest.size, db);
    } catch {
      treeRoot = null;
    }
    if (!treeRoot || !equalHashes(treeRoot, new Uint8Array(newest.root)))
      findings.problems.push(
        "The log's stored tree (the one its proofs come from) does not give its newest checkpoint's root.",
      );
  }
  for (const name of unknown)
    findings.notes.push(
      `Cosignatures by ${name}, a witness WITNESSES no longer lists, were not checked (its key is not known here).`,
    );
  return {
    view: {
      rows,
      checkpoints: stored.map((c) => c.note + (cosignatures.get(c.size) ?? []).join("")),
      logKey: parseVkey(vkey),
      witnesses,
      freshnessMs: getConfig().witnessFreshnessMs,
    },
    findings,
  };
}

type Trust = { origin: string; logKey: string; witnesses: string[]; freshnessMinutes: number };

const ENTRIES_PAGE = 1000;

async function get(base: string, path: string, accept404 = false): Promise<Response | null> {
  let response: Response;
  try {
    response = await fetch(new URL(path, base), { credentials: "omit" });
  } catch (error) {
    throw new LogUnreadable(`${path}: the server could not be reached (${(error as Error).message}).`);
  }
  if (accept404 && response.status === 404) return null;
  if (!response.ok)
    throw new LogUnreadable(`${path}: the server answered ${response.status} ${await response.text()}`);
  return response;
}

const getJson = async <T>(base: string, path: string): Promise<T> =>
  (await (await get(base, path))?.json()) as T;

function vkeyOf(text: string, what: string, type: number): Verifier {
  let verifier: Verifier;
  try {
    verifier = parseVkey(text);
  } catch (error) {
    if (error instanceof NoteError) throw new LogUnreadable(`${what}: ${error.message}`);
    throw error;
  }
  if (verifier.type !== type)
    throw new LogUnreadable(`${what} is not ${type === SIG_ED25519 ? "a log's key" : "a witness's key"}.`);
  return verifier;
}

/**
 * The log as a server publishes it, checked against `logKey` when given (a key kept from before:
 * the server cannot then substitute its own), else against the key the server names.
 */
export async function remoteLogView(
  base: string,
  logKey?: string,
): Promise<{ view: LogView; findings: Findings }> {
  const findings: Findings = { problems: [], notes: [] };
  const trust = await getJson<Trust>(base, "/api/log/trust");
  const served = vkeyOf(trust.logKey, "The log key the server names", SIG_ED25519);
  let key = served;
  if (logKey) {
    key = vkeyOf(logKey, "--log-key", SIG_ED25519);
    if (trust.logKey !== logKey)
      findings.problems.push(`The server names another log key than the one given: ${trust.logKey}.`);
  } else {
    findings.notes.push(
      `The log's key was taken from the server itself (${trust.logKey}); keep it and pass --log-key= to hold the server to it.`,
    );
  }
  const witnesses = trust.witnesses.map((w, i) => vkeyOf(w, `Witness ${i + 1}`, SIG_COSIGNATURE));
  const newest = await (await get(base, "/api/log/checkpoint"))?.text();
  if (!newest) throw new LogUnreadable("/api/log/checkpoint: the server sent no checkpoint.");
  const witnessed = witnesses.length
    ? await (await get(base, "/api/log/checkpoint/witnessed", true))?.text()
    : undefined;
  if (witnesses.length && !witnessed)
    findings.notes.push("No checkpoint of the log is cosigned by every witness the server requires yet.");
  let size: number;
  try {
    size = parseCheckpoint(parseNote(newest).body).size;
  } catch (error) {
    if (error instanceof NoteError)
      throw new LogUnreadable(`/api/log/checkpoint: not a signed checkpoint (${error.message}).`);
    throw error;
  }
  const rows: LogView["rows"] = [];
  while (rows.length < size) {
    const page = await getJson<{ entries: LogView["rows"] }>(
      base,
      `/api/log/entries?start=${rows.length}&end=${Math.min(size, rows.length + ENTRIES_PAGE)}`,
    );
    if (!page.entries.length) break;
    rows.push(...page.entries);
  }
  return {
    view: {
      rows,
      checkpoints: witnessed ? [newest, witnessed] : [newest],
      logKey: key,
      witnesses,
      freshnessMs: trust.freshnessMinutes * 60_000,
    },
    findings,
  };
}

/** What a server publishes of a petition's ledger: its entries, length, head and count. */
export async function remoteLedger(base: string, idOrSlug: string) {
  const petition = await getJson<{
    id: number;
    signatureCount: number;
    ledger?: { length: number; head: string | null };
  }>(base, `/api/petitions/${encodeURIComponent(idOrSlug)}`);
  const entries: ChainEntry[] = [];
  let after: number | null = 0;
  let head: { length: number; head: string | null } = { length: 0, head: null };
  while (after !== null) {
    const page: {
      length: number;
      head: string | null;
      entries: Array<Omit<ChainEntry, "at"> & { at: string }>;
      nextAfter: number | null;
    } = await getJson(base, `/api/petitions/${petition.id}/ledger?after=${after}`);
    if (!head.length) head = { length: page.length, head: page.head };
    entries.push(...page.entries.map((e) => ({ ...e, at: new Date(e.at) })));
    after = page.nextAfter;
  }
  return {
    petitionId: petition.id,
    entries,
    stored: { ...(petition.ledger ?? head), count: petition.signatureCount },
  };
}
