import { sql } from "drizzle-orm";
import { type DB, getDb } from "../../../db/client";
import { anonymousBatchSettings } from "../../platform/anonymity/batches.server";
import { HOUR_MS, startOfHour } from "../../platform/time";
import { logNewKey, logRetiredKey } from "../../platform/transparency/key-entries.server";
import {
  appendEntries,
  firstScopeEntry,
  lastDeploymentEntry,
  lastPetitionEntry,
  logSigner,
} from "../../platform/transparency/log.server";
import type { LogEntry } from "../../platform/transparency/log-entries";
import { publicWithoutToken } from "../petitions/counts.server";
import { legacyAnonymousCount } from "../petitions/petition-keys.server";

/**
 * What the scheduler writes to the public log (docs/transparency-log.md): keys made before the log
 * existed, the batch settings when they change, and — at every batch boundary and at least hourly —
 * each petition ledger's head and count with its published anonymity figures, when they changed.
 * Keys themselves are logged as they are stored (platform/transparency/key-entries.server.ts).
 */

const at = (ms: number) => new Date(startOfHour(ms)).toISOString();

type PetitionState = Omit<Extract<LogEntry, { type: "petition" }>, "type" | "at" | "publicWithoutToken">;

let lastSlot = Number.NEGATIVE_INFINITY;

/** The scheduler's job: a no-op except at the first run in a new batch period (or hour). */
export function logCurrentState(now: number, options: { force?: boolean } = {}): number {
  const period = Math.min(anonymousBatchSettings().minutes * 60_000, HOUR_MS);
  const slot = now - (now % period);
  if (!options.force && slot <= lastSlot) return 0;
  const appended = getDb().transaction(
    () => {
      logSigner();
      const before = sizeNow();
      logUnloggedKeys();
      logSettings(now);
      logPetitionStates(now);
      return sizeNow() - before;
    },
    { behavior: "immediate" },
  );
  lastSlot = slot;
  return appended;
}

const sizeNow = () =>
  getDb().$client.prepare<[], { n: number }>("select count(*) as n from log_leaves").get()?.n ?? 0;

/** Keys stored before this version (or by a restore's copy): logged in the order they were made. */
function logUnloggedKeys(): void {
  const keys = getDb().all<{
    scope: string;
    public_key: string;
    fingerprint: string;
    created_on: number;
    retired_on: number | null;
  }>(sql`select scope, public_key, fingerprint, created_on, retired_on from blind_keys
    where scope not in (select scope from log_leaves where scope is not null and data like '{"type":"key",%')
       or (retired_on is not null and scope not in
         (select scope from log_leaves where scope is not null and data like '{"type":"key-retired"%'))
    order by created_on, scope`);
  for (const key of keys) {
    const petition = /^petition:(\d+)$/.exec(key.scope);
    if (!firstScopeEntry(key.scope, "key"))
      logNewKey(
        key.scope,
        { publicKey: key.public_key, fingerprint: key.fingerprint },
        key.created_on,
        petition ? legacyAnonymousCount(getDb(), Number(petition[1])) : 0,
      );
    if (key.retired_on !== null) logRetiredKey(key.scope, key.fingerprint, key.retired_on);
  }
}

function logSettings(now: number): void {
  const settings = anonymousBatchSettings();
  const last = lastDeploymentEntry("settings")?.entry;
  if (
    last &&
    last.batchMinutes === settings.minutes &&
    last.batchMinimum === settings.size &&
    last.minimumHolders === settings.minHolders
  )
    return;
  appendEntries([
    {
      type: "settings",
      batchMinutes: settings.minutes,
      batchMinimum: settings.size,
      minimumHolders: settings.minHolders,
      at: at(now),
    },
  ]);
}

/** Every petition with a key whose ledger or published figures moved since its last entry. */
function logPetitionStates(now: number): void {
  const rows = getDb().all<{
    id: number;
    ledger_length: number;
    ledger_head: string | null;
    signature_count: number;
    issued_published: number;
    spent_published: number;
  }>(sql`select p.id, p.ledger_length, p.ledger_head, p.signature_count, k.issued_published, k.spent_published
    from petitions p join blind_keys k on k.scope = 'petition:' || p.id order by p.id`);
  const entries: LogEntry[] = [];
  for (const row of rows) {
    if (!row.ledger_head) continue;
    const state: PetitionState = {
      petition: row.id,
      length: row.ledger_length,
      head: row.ledger_head,
      count: row.signature_count,
      tokensIssued: row.issued_published,
      publicWithToken: row.spent_published,
    };
    const last = lastPetitionEntry(row.id, "petition")?.entry;
    // The bound moves only with the ledger (every public signing or withdrawal is an entry).
    if (
      last &&
      last.length === state.length &&
      last.head === state.head &&
      last.count === state.count &&
      last.tokensIssued === state.tokensIssued &&
      last.publicWithToken === state.publicWithToken
    )
      continue;
    entries.push({
      type: "petition",
      ...state,
      publicWithoutToken: publicWithoutToken(row.id),
      at: at(now),
    });
  }
  appendEntries(entries);
}

/** Where a petition's restored chain and the replaced database's chain part (their common prefix). */
export type ChainFork = { length: number; head: string; liveLength: number };

/**
 * After a restore (the restored copy, its live log carried over): each petition the backup takes back
 * gets a public `restored` entry naming where its chain now continues from, and what was logged
 * beyond that point is known lost. With the replaced database at hand (`forks`), that point is where
 * the two chains part — so a second restore, from a backup on another branch, names the true fork;
 * without it (a lost disk), the restored head when the last logged one is not in its chain. A petition
 * whose published number of tokens issued the backup is below is taken back too.
 */
export function logRestoredPetitions(db: DB, now: number, forks: Map<number, ChainFork> | null): number[] {
  const rewound: number[] = [];
  const petitions = db.all<{
    id: number;
    ledger_length: number;
    ledger_head: string | null;
    issued_published: number | null;
  }>(
    sql`select p.id, p.ledger_length, p.ledger_head, k.issued_published
      from petitions p left join blind_keys k on k.scope = 'petition:' || p.id order by p.id`,
  );
  const entries: LogEntry[] = [];
  for (const petition of petitions) {
    const state = lastPetitionEntry(petition.id, "petition", db);
    const restored = lastPetitionEntry(petition.id, "restored", db);
    const newest = !restored || (state && state.index > restored.index) ? state : restored;
    const issuedBack =
      state !== null && newest === state && (petition.issued_published ?? 0) < state.entry.tokensIssued;
    const fork = forks?.get(petition.id);
    let back: { length: number; head: string } | null = null;
    if (fork) {
      if (fork.length < fork.liveLength) back = fork;
    } else if (newest) {
      const hash = db.get<{ hash: string } | undefined>(
        sql`select hash from ledger_entries where petition_id = ${petition.id} and seq = ${newest.entry.length}`,
      )?.hash;
      if (hash !== newest.entry.head)
        back = { length: petition.ledger_length, head: petition.ledger_head ?? GENESIS };
    }
    if (!back && issuedBack) back = { length: petition.ledger_length, head: petition.ledger_head ?? GENESIS };
    if (!back || !newest) continue;
    rewound.push(petition.id);
    entries.push({
      type: "restored",
      petition: petition.id,
      length: back.length,
      head: back.head,
      at: at(now),
    });
  }
  appendEntries(entries, db);
  return rewound;
}

const GENESIS = "0".repeat(64);
