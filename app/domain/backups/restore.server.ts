import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { inArray } from "drizzle-orm";
import { type DB, openDatabase, type Tx } from "../../../db/client";
import { identityLinkRequests, outbox, sessions, signInTokens } from "../../../db/schema";
import { freezeIssuance } from "../../platform/anonymity/token-issuance.server";
import { lockPathOf, realDatabasePath, tryLockDatabase } from "../../platform/runtime/database-lock.server";
import { CLI_ACTOR, recordAudit } from "../../platform/security/audit.server";
import { type ChainFork, logRestoredPetitions } from "../transparency/log-writer.server";
import {
  checkDatabaseFile,
  type DatabaseSummary,
  summarize,
  UnusableDatabase,
  verifyContents,
} from "./inspect.server";

/**
 * Restoring a backup over the database: refused while a server (or another restore) holds the
 * database's lock, and it holds that lock itself until done, so no server can start half-way. The file
 * is checked before anything is touched (SQLite, intact, Undersigned's, no newer than this version),
 * copied beside the database, migrated to this version, verified (every ledger and count), then put
 * through the after-restore steps below; only then is the database moved aside (kept, never deleted)
 * and the copy renamed in its place. Any failure before that leaves the database as it was.
 */

export class DatabaseInUse extends Error {
  constructor(databasePath: string) {
    super(
      `A server (or another restore) is using ${databasePath} (it holds ${lockPathOf(databasePath)}): stop it, then restore.`,
    );
    this.name = "DatabaseInUse";
  }
}

/**
 * One thing a restore does to the restored copy, inside one transaction, before it replaces the
 * database. It says what it did (or null for nothing to say). Add steps here: they run in order.
 */
export type AfterRestoreStep = {
  name: string;
  run: (
    tx: Tx,
    context: { from: string; now: number; db: DB; forks: Map<number, ChainFork> | null },
  ) => string | null;
};

export const AFTER_RESTORE_STEPS: AfterRestoreStep[] = [
  {
    // The backup forgets who was issued a token since it was taken: issuing again would let them
    // sign twice. Open petitions issue no new tokens (held ones still redeem; people without one
    // sign publicly); petitions opened later get their own keys (docs/anonymity.md, "Restores").
    name: "freeze token issuance",
    run(tx, { now }) {
      const frozen = freezeIssuance(tx, now);
      return frozen
        ? `Stopped issuing anonymous tokens for ${frozen.toLocaleString("en")} open petitions and policies: the backup does not know who was issued one since it was taken. Tokens already held still count; people without one can sign publicly.`
        : null;
    },
  },
  {
    // A session or sign-in link ended after the backup was taken (a sign-out, a deactivated person,
    // a revoked role's sessions) would work again from the backup's copy: everyone signs in again.
    name: "end sessions",
    run(tx) {
      const ended = tx.delete(sessions).run().changes;
      // Counted with the links: a request to connect a company account is one too (its email a link).
      const links = tx.delete(signInTokens).run().changes + tx.delete(identityLinkRequests).run().changes;
      return `Ended ${ended.toLocaleString("en")} sessions and ${links.toLocaleString("en")} unused sign-in links from the backup: everyone signs in again.`;
    },
  },
  {
    // Emails still waiting when the backup was taken may have gone out since: they go again, under
    // the same Message-ID (receivers that drop repeated ids see each once). Sign-in links and
    // confirmations of company sign-ins among them are dropped: their tokens were ended above.
    name: "emails waiting in the backup",
    run(tx) {
      const waiting = tx
        .select({ id: outbox.id, kind: outbox.kind })
        .from(outbox)
        .where(inArray(outbox.status, ["queued", "sending"]))
        .all();
      const links = waiting
        .filter((m) => m.kind === "sign-in" || m.kind === "identity.link")
        .map((m) => m.id);
      if (links.length) tx.delete(outbox).where(inArray(outbox.id, links)).run();
      const others = waiting.length - links.length;
      return others
        ? `${others.toLocaleString("en")} emails were waiting to be sent when the backup was taken: they will be sent, again if they had gone out since (under the same Message-ID).`
        : null;
    },
  },
  {
    // The live log was carried over (carryLogOver): petitions whose logged head the backup does not
    // reach get a public entry saying where their chain now ends, so witnesses see a restore, never
    // a rewritten history.
    name: "log the restore",
    run(_tx, { now, db, forks }) {
      const rewound = logRestoredPetitions(db, now, forks);
      return rewound.length
        ? `The public log now says that ${rewound.length.toLocaleString("en")} petitions were taken back to the backup's signatures (those made since it was taken are lost).`
        : null;
    },
  },
  {
    name: "audit",
    run(tx, { from }) {
      recordAudit(tx, CLI_ACTOR, "database.restore", undefined, { from: path.basename(from) });
      return null;
    },
  },
];

/** The log's tables, children last, with their columns named (never `select *` across versions). */
const LOG_TABLES: Array<[string, string]> = [
  ["log_key", "id, origin, private_key, vkey"],
  ["log_leaves", "idx, data, scope, petition_id"],
  ["log_nodes", "level, idx, hash"],
  ["log_checkpoints", "size, root, note"],
  ["log_cosignatures", "size, witness, key_id, time, line"],
];

export class LogMismatch extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LogMismatch";
  }
}

type Carried = { message: string; forks: Map<number, ChainFork> | null };

const unreadable =
  'The database being replaced could not be read: the public log is the backup\'s own, and witnesses will refuse it if they cosigned a newer one (docs/transparency-log.md, "Restores").';

/**
 * The public log is never restored from a backup: witnesses have cosigned what the live database's
 * log holds, and an older copy would look like a rewritten history (they would refuse it). So the
 * live database's log replaces the backup's in the restored copy — only if it is the same log (its
 * name and key) and extends the backup's; a database a server made afresh after a lost disk has a
 * log of its own, and carrying it would swap the witnessed key for a new one (the restore refuses
 * and says to move it aside). Without a readable live database the backup's log stays, and witnesses
 * will refuse it if they cosigned a newer one. Also returns where each petition's chains part.
 */
function carryLogOver(restored: DB, livePath: string): Carried {
  const sqlite = restored.$client;
  const kept = (message: string): Carried => ({ message, forks: null });
  if (!existsSync(livePath))
    return kept(
      'There was no database to replace: the public log is the backup\'s own. If witnesses cosigned a newer one, they will refuse this log (docs/transparency-log.md, "Restores").',
    );
  try {
    sqlite.prepare("attach database ? as live").run(livePath);
  } catch {
    return kept(unreadable);
  }
  try {
    let facts: {
      backupSize: number;
      liveSize: number;
      sameKey: boolean;
      backupKey: boolean;
      liveKey: boolean;
      prefix: boolean;
    };
    try {
      const hasLog = sqlite
        .prepare("select 1 from live.sqlite_master where type = 'table' and name = 'log_leaves'")
        .get();
      if (!hasLog) return kept("The database being replaced had no public log: the backup's is kept.");
      const count = (sql: string) => (sqlite.prepare(sql).get() as { n: number }).n;
      facts = {
        backupSize: count("select count(*) as n from main.log_leaves"),
        liveSize: count("select count(*) as n from live.log_leaves"),
        backupKey: count("select count(*) as n from main.log_key") > 0,
        liveKey: count("select count(*) as n from live.log_key") > 0,
        sameKey:
          count(
            "select count(*) as n from main.log_key m join live.log_key l on l.origin = m.origin and l.vkey = m.vkey",
          ) > 0,
        prefix:
          count(
            "select count(*) as n from main.log_leaves m left join live.log_leaves l on l.idx = m.idx where l.data is null or l.data != m.data",
          ) === 0,
      };
    } catch {
      return kept(unreadable);
    }
    if (facts.liveSize === 0 && !facts.liveKey)
      return kept("The database being replaced had not started a public log: the backup's is kept.");
    if (facts.backupKey && (!facts.sameKey || !facts.prefix))
      throw new LogMismatch(
        `The database being replaced (${livePath}) holds another public log than the backup's (${facts.sameKey ? "its entries do not extend the backup's" : "another name or key: a server started on an empty database makes a new one"}). Carrying it would swap the log witnesses cosigned for another; nothing was replaced. Move that database aside (or delete it, if it is a fresh one), then restore again: the backup's own log is kept.`,
      );
    sqlite.transaction(() => {
      for (const [table] of [...LOG_TABLES].reverse()) sqlite.prepare(`delete from main.${table}`).run();
      for (const [table, columns] of LOG_TABLES)
        sqlite.prepare(`insert into main.${table} (${columns}) select ${columns} from live.${table}`).run();
      skipLoggedIds(sqlite);
      carryLoggedKeys(sqlite);
    })();
    return {
      message: `The public log was carried over from the database being replaced (${facts.liveSize.toLocaleString("en")} entries; the backup's had ${facts.backupSize.toLocaleString("en")}): a restore never rewinds it.`,
      forks: chainForks(sqlite),
    };
  } finally {
    sqlite.prepare("detach database live").run();
  }
}

/**
 * For each petition both databases hold: the longest prefix their ledgers share (chains are hash
 * linked, so one equal hash at a sequence means equal entries up to it) and the replaced one's length.
 */
function chainForks(sqlite: Database.Database): Map<number, ChainFork> {
  const forks = new Map<number, ChainFork>();
  const live = sqlite
    .prepare("select p.id, l.ledger_length from main.petitions p join live.petitions l on l.id = p.id")
    .all() as Array<{ id: number; ledger_length: number }>;
  const shared = sqlite.prepare(
    `select m.seq, m.hash from main.ledger_entries m join live.ledger_entries l
       on l.petition_id = m.petition_id and l.seq = m.seq and l.hash = m.hash
     where m.petition_id = ? order by m.seq desc limit 1`,
  );
  for (const { id, ledger_length } of live) {
    const common = shared.get(id) as { seq: number; hash: string } | undefined;
    forks.set(id, {
      length: common?.seq ?? 0,
      head: common?.hash ?? "0".repeat(64),
      liveLength: ledger_length,
    });
  }
  return forks;
}

const KEY_COLUMNS =
  "scope, public_key, private_key, fingerprint, created_on, retired_on, issued, issued_published, spent_published, issuance_frozen_on";

/**
 * A key made after the backup for a petition or policy the backup still has (a petition approved
 * since, this week's feedback key) is in the carried log: the restored copy takes the live key back,
 * or the petition could never get one (the log holds one key per scope for life). The restore's
 * freeze (below) then stops it issuing, like every key the backup does not know the issuance of.
 */
function carryLoggedKeys(sqlite: Database.Database): void {
  sqlite
    .prepare(
      `insert into main.blind_keys (${KEY_COLUMNS}) select ${KEY_COLUMNS} from live.blind_keys
       where scope not in (select scope from main.blind_keys)
         and scope in (select scope from main.log_leaves where scope is not null)
         and ((scope like 'petition:%' and cast(substr(scope, 10) as integer) in (select id from main.petitions))
           or (scope like 'feedback:%' and cast(substr(scope, 10, instr(substr(scope, 10), ':') - 1) as integer)
             in (select id from main.policies)))`,
    )
    .run();
}

/**
 * Petitions and policies made after the backup are gone from it, but their keys stay in the carried
 * log: their numbers are never handed out again, or the next petition (or policy) would be refused
 * its key (the log holds one for "petition:N" already) and witnesses would refuse a second one.
 */
function skipLoggedIds(sqlite: Database.Database): void {
  const highest = (table: string, sql: string) => {
    const logged = (sqlite.prepare(sql).get() as { n: number | null }).n ?? 0;
    const row = sqlite.prepare("select seq from main.sqlite_sequence where name = ?").get(table) as
      | { seq: number }
      | undefined;
    if (!row) sqlite.prepare("insert into main.sqlite_sequence (name, seq) values (?, ?)").run(table, logged);
    else if (row.seq < logged)
      sqlite.prepare("update main.sqlite_sequence set seq = ? where name = ?").run(logged, table);
  };
  highest(
    "petitions",
    `select max(n) as n from (
       select max(petition_id) as n from main.log_leaves
       union all select max(cast(substr(scope, 10) as integer)) from main.log_leaves where scope like 'petition:%')`,
  );
  highest(
    "policies",
    `select max(cast(substr(scope, 10, instr(substr(scope, 10), ':') - 1) as integer)) as n
       from main.log_leaves where scope like 'feedback:%'`,
  );
}

export type RestoreReport = {
  from: string;
  databasePath: string;
  summary: DatabaseSummary;
  /** Where the replaced database was kept (null when there was none). */
  keptAside: string | null;
  steps: string[];
};

function syncFolder(folder: string): void {
  const fd = openSync(folder, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

const stamp = (at: number) =>
  new Date(at)
    .toISOString()
    .replace(/\.\d+Z$/, "Z")
    .replaceAll(":", "-");

const sidecars = (file: string) => [`${file}-wal`, `${file}-shm`];

/** Folds a database's WAL into it, when it opens; a file that does not is moved as it is. */
function checkpoint(file: string): void {
  try {
    const sqlite = new Database(file, { fileMustExist: true });
    try {
      sqlite.pragma("wal_checkpoint(TRUNCATE)");
    } finally {
      sqlite.close();
    }
  } catch {
    // Not SQLite, damaged, or unreadable: it is kept aside as it is, its WAL beside it.
  }
}

/**
 * Restores `file` over the database at `databasePath`. Throws DatabaseInUse while a server runs on
 * it, UnusableDatabase for a file that must not be restored; in both cases nothing is replaced.
 */
export function restoreDatabase(
  file: string,
  databasePath: string,
  options: { now?: () => number; steps?: AfterRestoreStep[] } = {},
): RestoreReport {
  const from = path.resolve(file);
  // The file itself, not a symlink to it: what every server on it opens, whatever name it was given.
  const target = realDatabasePath(databasePath);
  const now = options.now ?? Date.now;
  if (realDatabasePath(file) === target)
    throw new UnusableDatabase(`${file} is the database it would replace.`);
  const lock = tryLockDatabase(target);
  if (!lock) throw new DatabaseInUse(databasePath);
  const staging = `${target}.restoring`;
  const clean = () => {
    for (const f of [staging, ...sidecars(staging)]) rmSync(f, { force: true });
  };
  try {
    checkDatabaseFile(from, file);
    clean();
    // A compact copy of the file as it is (its WAL included, if it has one), nothing written to it.
    const source = new Database(from, { readonly: true, fileMustExist: true });
    try {
      source.prepare("VACUUM INTO ?").run(staging);
    } finally {
      source.close();
    }
    let summary: DatabaseSummary;
    const steps: string[] = [];
    let db: DB | undefined;
    let forks: Map<number, ChainFork> | null = null;
    try {
      // Migrated to this version (a backup from an older one is upgraded), then verified.
      db = openDatabase(staging);
      verifyContents(db, file);
      const opened = db;
      // What the backup held, before the steps below add their own rows.
      const held = summarize(opened, staging);
      const carried = carryLogOver(opened, target);
      steps.push(carried.message);
      forks = carried.forks;
      opened.transaction(
        (tx) => {
          for (const step of options.steps ?? AFTER_RESTORE_STEPS) {
            const said = step.run(tx, { from, now: now(), db: opened, forks });
            if (said) steps.push(said);
          }
        },
        { behavior: "immediate" },
      );
      opened.$client.pragma("wal_checkpoint(TRUNCATE)");
      summary = { ...held, bytes: summarize(opened, staging).bytes };
    } finally {
      db?.$client.close();
    }
    // Nothing replaced before this point. The database and its WAL are kept aside, never deleted.
    let keptAside: string | null = null;
    if (existsSync(target)) {
      checkpoint(target);
      keptAside = `${target}.replaced-${stamp(now())}`;
      renameSync(target, keptAside);
      if (existsSync(`${target}-wal`)) renameSync(`${target}-wal`, `${keptAside}-wal`);
      rmSync(`${target}-shm`, { force: true });
    }
    try {
      renameSync(staging, target);
    } catch (error) {
      if (keptAside) renameSync(keptAside, target);
      throw error;
    }
    syncFolder(path.dirname(target));
    return { from, databasePath: target, summary, keptAside, steps };
  } catch (error) {
    clean();
    throw error;
  } finally {
    lock.release();
  }
}
