import { type DB, getDb, preparedStatements } from "../../../db/client";
import { getConfig } from "../../config.server";
import { encodeEntry, type LogEntry, parseEntry } from "./log-entries";
import {
  CompactRange,
  consistencyProof,
  type Hash,
  inclusionProof,
  leafHash,
  type PerfectNodes,
  treeRoot,
} from "./merkle";
import { type NoteSigner, newNoteSigner, noteSignerFrom, signNote, vkeyOf } from "./note-signing.server";
import { formatCheckpoint, formatNote, SIG_ED25519 } from "./signed-note";

/**
 * The deployment's one transparency log (ADR 0039, docs/transparency-log.md): leaves appended inside
 * the caller's transaction — a key in the same transaction that stores it — and a checkpoint of the
 * new size signed by the log's key at each append. Every read here is what any visitor may fetch.
 */

// Raw statements: appends run inside hot transactions (a petition opening, every batch boundary).
const statements = preparedStatements((db) => ({
  key: db.$client.prepare<[], { origin: string; private_key: string; vkey: string }>(
    "select origin, private_key, vkey from log_key where id = 1",
  ),
  insertKey: db.$client.prepare("insert into log_key (id, origin, private_key, vkey) values (1, ?, ?, ?)"),
  size: db.$client.prepare<[], { size: number }>("select coalesce(max(idx) + 1, 0) as size from log_leaves"),
  insertLeaf: db.$client.prepare(
    "insert into log_leaves (idx, data, scope, petition_id) values (?, ?, ?, ?)",
  ),
  insertNode: db.$client.prepare("insert into log_nodes (level, idx, hash) values (?, ?, ?)"),
  node: db.$client.prepare<[number, number], { hash: Buffer }>(
    "select hash from log_nodes where level = ? and idx = ?",
  ),
  insertCheckpoint: db.$client.prepare(
    "insert or replace into log_checkpoints (size, root, note) values (?, ?, ?)",
  ),
  latest: db.$client.prepare<[], { size: number; root: Buffer; note: string }>(
    "select size, root, note from log_checkpoints order by size desc limit 1",
  ),
  checkpoint: db.$client.prepare<[number], { size: number; root: Buffer; note: string }>(
    "select size, root, note from log_checkpoints where size = ?",
  ),
  cosignatures: db.$client.prepare<[number], { witness: string; key_id: number; time: number; line: string }>(
    "select witness, key_id, time, line from log_cosignatures where size = ? order by witness, key_id",
  ),
  entries: db.$client.prepare<[number, number], { idx: number; data: string }>(
    "select idx, data from log_leaves where idx >= ? and idx < ? order by idx",
  ),
}));

export const logOrigin = (db: DB = getDb()) => logKeyRow(db)?.origin ?? configuredOrigin();

/** The origin a new log takes: LOG_ORIGIN, else this server's host and "/undersigned-log". */
function configuredOrigin(): string {
  const config = getConfig();
  return config.logOrigin ?? `${new URL(config.appUrl).host}/undersigned-log`;
}

const logKeyRow = (db: DB) => statements(db).key.get();

/**
 * The log's signer, made on first need (in the caller's transaction). A log keeps its name and key
 * for life: witnesses and browsers pin both.
 */
let parsed: { pkcs8: string; signer: NoteSigner } | null = null;

export function logSigner(db: DB = getDb()): NoteSigner {
  const row = logKeyRow(db);
  if (row) {
    // Parsed once per process: reading the PKCS #8 key was most of what an append cost.
    if (parsed?.pkcs8 !== row.private_key || parsed.signer.name !== row.origin)
      parsed = { pkcs8: row.private_key, signer: noteSignerFrom(row.origin, SIG_ED25519, row.private_key) };
    return parsed.signer;
  }
  const origin = configuredOrigin();
  const { signer, pkcs8 } = newNoteSigner(origin, SIG_ED25519);
  statements(db).insertKey.run(origin, pkcs8, vkeyOf(signer));
  return signer;
}

/** The log's public key (a C2SP vkey); null before the log's first entry (the server's start makes it). */
export const logVkey = (db: DB = getDb()): string | null => logKeyRow(db)?.vkey ?? null;

export const logSize = (db: DB = getDb()): number => statements(db).size.get()?.size ?? 0;

const perfectIn =
  (db: DB): PerfectNodes =>
  (level, index) => {
    const row = statements(db).node.get(level, index);
    if (!row) throw new Error(`The log has no node ${level}/${index}: its tree is incomplete.`);
    return new Uint8Array(row.hash);
  };

/**
 * Appends entries inside the caller's transaction (which must be immediate, or the only writer) and
 * signs a checkpoint of the new size. Returns the index of the first.
 */
export function appendEntries(entries: LogEntry[], db: DB = getDb()): number {
  const signer = logSigner(db);
  const s = statements(db);
  const first = s.size.get()?.size ?? 0;
  if (!entries.length) return first;
  const range = CompactRange.fromNodes(first, perfectIn(db));
  entries.forEach((entry, i) => {
    const data = encodeEntry(entry);
    s.insertLeaf.run(
      first + i,
      new TextDecoder().decode(data),
      "scope" in entry ? entry.scope : null,
      "petition" in entry ? entry.petition : null,
    );
    for (const node of range.append(leafHash(data)))
      s.insertNode.run(node.level, node.index, Buffer.from(node.hash));
  });
  const body = formatCheckpoint({
    origin: signer.name,
    size: range.size,
    root: range.root(),
    extensions: [],
  });
  s.insertCheckpoint.run(range.size, Buffer.from(range.root()), formatNote(body, [signNote(body, signer)]));
  return first;
}

/** A signed checkpoint as stored, with its cosignatures added as note signature lines. */
export type StoredCheckpoint = {
  size: number;
  root: Hash;
  note: string;
  cosigners: Array<{ witness: string; keyId: number; time: number }>;
};

function withCosignatures(db: DB, row: { size: number; root: Buffer; note: string }): StoredCheckpoint {
  const cosignatures = statements(db).cosignatures.all(row.size);
  return {
    size: row.size,
    root: new Uint8Array(row.root),
    note: row.note + cosignatures.map((c) => c.line).join(""),
    cosigners: cosignatures.map((c) => ({ witness: c.witness, keyId: c.key_id, time: c.time })),
  };
}

export function latestCheckpoint(db: DB = getDb()): StoredCheckpoint | null {
  const row = statements(db).latest.get();
  return row ? withCosignatures(db, row) : null;
}

export function checkpointOfSize(size: number, db: DB = getDb()): StoredCheckpoint | null {
  const row = statements(db).checkpoint.get(size);
  return row ? withCosignatures(db, row) : null;
}

export const rootOfSize = (size: number, db: DB = getDb()): Hash => treeRoot(size, perfectIn(db));

export function logEntries(
  start: number,
  end: number,
  db: DB = getDb(),
): Array<{ index: number; data: string }> {
  return statements(db)
    .entries.all(start, end)
    .map((row) => ({ index: row.idx, data: row.data }));
}

export const inclusionProofOf = (index: number, size: number, db: DB = getDb()): Hash[] =>
  inclusionProof(index, size, perfectIn(db));
export const consistencyProofOf = (size1: number, size2: number, db: DB = getDb()): Hash[] =>
  consistencyProof(size1, size2, perfectIn(db));

const lookups = preparedStatements((db) => ({
  firstForScope: db.$client.prepare<[string, string], { idx: number; data: string }>(
    "select idx, data from log_leaves where scope = ? and data like ? order by idx limit 1",
  ),
  lastForPetition: db.$client.prepare<[number, string], { idx: number; data: string }>(
    "select idx, data from log_leaves where petition_id = ? and data like ? order by idx desc limit 1",
  ),
  lastOfType: db.$client.prepare<[string], { idx: number; data: string }>(
    "select idx, data from log_leaves where scope is null and petition_id is null and data like ? order by idx desc limit 1",
  ),
}));

/** Entries of one type begin with its `type` member (log-entries.ts writes it first). */
const typePrefix = (type: LogEntry["type"]) => `{"type":"${type}"%`;

/** An entry as logged: its index, its leaf line (the hashed bytes) and what it says. */
export type LoggedEntry<T extends LogEntry["type"]> = {
  index: number;
  data: string;
  entry: Extract<LogEntry, { type: T }>;
};

function logged<T extends LogEntry["type"]>(
  row: { idx: number; data: string } | undefined,
): LoggedEntry<T> | null {
  return row
    ? {
        index: row.idx,
        data: row.data,
        entry: parseEntry(new TextEncoder().encode(row.data)) as Extract<LogEntry, { type: T }>,
      }
    : null;
}

/** A scope's first logged key (the only one browsers accept) or its retirement. */
export const firstScopeEntry = <T extends "key" | "key-retired">(scope: string, type: T, db: DB = getDb()) =>
  logged<T>(lookups(db).firstForScope.get(scope, typePrefix(type)));

/** A petition's newest entry of a type ("petition" states, "restored"). */
export const lastPetitionEntry = <T extends "petition" | "restored">(
  petition: number,
  type: T,
  db: DB = getDb(),
) => logged<T>(lookups(db).lastForPetition.get(petition, typePrefix(type)));

/** The newest entry of a deployment-wide type ("settings"). */
export const lastDeploymentEntry = <T extends "settings">(type: T, db: DB = getDb()) =>
  logged<T>(lookups(db).lastOfType.get(typePrefix(type)));
