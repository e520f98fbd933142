/**
 * Checking the public log's contents as anyone can (`verify-ledger` and `verify-anonymous`, from this
 * database or from any server's public API with `--from=URL`): pure functions from the log's entries,
 * its signed checkpoints and what a server publishes to the problems found, one plain line each.
 * Reading (the database, or HTTP) is elsewhere (log-sources.server.ts), so both paths share these.
 */
import { type LogEntry, parseEntry } from "../../platform/transparency/log-entries";
import { CompactRange, equalHashes, type Hash, leafHash } from "../../platform/transparency/merkle";
import {
  cosignatureTime,
  NoteError,
  parseCheckpoint,
  parseNote,
  SIG_COSIGNATURE,
  signatureBy,
  type Verifier,
  verifySignature,
} from "../../platform/transparency/signed-note";

/** What a check found: failures, and facts worth saying that are not failures (a restore). */
export type Findings = { problems: string[]; notes: string[] };

export type IndexedEntry = { index: number; entry: LogEntry };

/** A log as read: its leaf lines in order, its signed checkpoints (notes with every cosignature), who signs. */
export type LogView = {
  rows: Array<{ index: number; data: string }>;
  checkpoints: string[];
  /** The log's key (type 0x01), and the witnesses whose cosignatures are checked. */
  logKey: Verifier;
  witnesses: Verifier[];
  /** How recent a witness's newest cosignature must be (WITNESS_FRESHNESS_MINUTES, as served). */
  freshnessMs: number;
};

const encoder = new TextEncoder();

/**
 * The log's entries, trusted only once its checkpoints hold them: each checkpoint must carry the
 * log key's signature and have the root the entries give at its size, and each witness's cosignature
 * on it must verify. A checkpoint that disagrees with the entries means the log was rewritten under
 * it: "the log is not append-only".
 */
export function checkLog(view: LogView): Findings & { entries: IndexedEntry[]; size: number } {
  const problems: string[] = [];
  const notes: string[] = [];
  const entries: IndexedEntry[] = [];
  const checkpoints = view.checkpoints.flatMap((text) => {
    try {
      const note = parseNote(text);
      return [{ text, note, checkpoint: parseCheckpoint(note.body) }];
    } catch (error) {
      if (!(error instanceof NoteError)) throw error;
      problems.push(`A checkpoint of the public log is not a signed checkpoint: ${error.message}`);
      return [];
    }
  });
  const wanted = new Set(checkpoints.map((c) => c.checkpoint.size));
  const roots = new Map<number, Hash>();
  const range = new CompactRange();
  if (wanted.has(0)) roots.set(0, range.root());
  for (const row of view.rows) {
    if (row.index !== range.size) {
      problems.push(
        `The public log's entry ${range.size} is missing (the next one is numbered ${row.index}).`,
      );
      break;
    }
    const data = encoder.encode(row.data);
    range.append(leafHash(data));
    if (wanted.has(range.size)) roots.set(range.size, range.root());
    try {
      entries.push({ index: row.index, entry: parseEntry(data) });
    } catch (error) {
      if (!(error instanceof NoteError)) throw error;
      problems.push(`The public log's entry ${row.index} is not a log entry: ${error.message}`);
    }
  }
  const size = range.size;
  if (!checkpoints.length) problems.push("The public log has no signed checkpoint.");
  for (const { note, checkpoint } of checkpoints) {
    const n = checkpoint.size;
    const logSignature = signatureBy(note.signatures, view.logKey);
    if (checkpoint.origin !== view.logKey.name)
      problems.push(
        `The checkpoint of size ${n} names the log "${checkpoint.origin}", not "${view.logKey.name}".`,
      );
    if (!logSignature || !verifySignature(note.body, logSignature, view.logKey)) {
      problems.push(`The checkpoint of size ${n} does not carry a valid signature of the log's key.`);
      continue;
    }
    const root = roots.get(n);
    if (n > size)
      problems.push(`The log signed a checkpoint of size ${n}, but only ${size} entries were given.`);
    else if (!root || !equalHashes(root, checkpoint.root))
      problems.push(
        `The log is not append-only: the checkpoint of size ${n} it signed has a root its first ${n} entries do not give.`,
      );
    for (const witness of view.witnesses) {
      const cosignature = signatureBy(note.signatures, witness);
      if (!cosignature) continue;
      if (witness.type !== SIG_COSIGNATURE || !verifySignature(note.body, cosignature, witness))
        problems.push(
          `The log is not append-only: witness ${witness.name}'s cosignature on the checkpoint of size ${n} does not verify against it.`,
        );
    }
  }
  if (!problems.length) notes.push(`The public log: ${size} entries, each checkpoint signed by its key.`);
  return { problems, notes, entries, size };
}

/**
 * Each required witness must have confirmed the log recently: a log whose cosignatures were deleted
 * (or never sent) after a rewrite is held to nothing but its own key, which its operator holds.
 */
export function staleWitnesses(view: LogView, now: number, maxAgeMs = view.freshnessMs): string[] {
  return view.witnesses.flatMap((witness) => {
    let newest = 0;
    for (const text of view.checkpoints) {
      try {
        const note = parseNote(text);
        const cosignature = signatureBy(note.signatures, witness);
        if (cosignature && verifySignature(note.body, cosignature, witness))
          newest = Math.max(newest, cosignatureTime(cosignature) * 1000);
      } catch (error) {
        if (!(error instanceof NoteError)) throw error;
      }
    }
    if (newest && now - newest <= maxAgeMs) return [];
    return [
      `Witness ${witness.name} has not confirmed the public log ${newest ? `since ${new Date(newest).toISOString().slice(0, 16).replace("T", " ")} UTC` : "at all"}: what the log shows is held to nothing but the log's own key.`,
    ];
  });
}

/** Each witness's newest verifying cosignature in the given checkpoints: when it last confirmed the log. */
export function witnessConfirmations(view: LogView): string[] {
  return view.witnesses.map((witness) => {
    let newest: { size: number; time: number } | null = null;
    for (const text of view.checkpoints) {
      try {
        const note = parseNote(text);
        const cosignature = signatureBy(note.signatures, witness);
        if (!cosignature || !verifySignature(note.body, cosignature, witness)) continue;
        const size = parseCheckpoint(note.body).size;
        if (!newest || size > newest.size) newest = { size, time: cosignatureTime(cosignature) };
      } catch (error) {
        if (!(error instanceof NoteError)) throw error;
      }
    }
    return newest
      ? `Witness ${witness.name} confirmed the log at size ${newest.size} on ${new Date(newest.time * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC.`
      : `Witness ${witness.name} has confirmed no checkpoint shown here.`;
  });
}

type Of<T extends LogEntry["type"]> = Extract<LogEntry, { type: T }>;
const ofType = <T extends LogEntry["type"]>(entries: IndexedEntry[], type: T) =>
  entries.filter((e): e is { index: number; entry: Of<T> } => e.entry.type === type);

/**
 * What holds across the whole log: one key per scope (a second would let the server tell its holders
 * apart), retirements only of logged keys, and a petition's issued tokens never going down except
 * across a restore, nor below the tokens spent on public signatures.
 */
export function checkLogContents(entries: IndexedEntry[]): Findings {
  const problems: string[] = [];
  const keys = new Map<string, Of<"key">>();
  for (const { index, entry } of ofType(entries, "key")) {
    const first = keys.get(entry.scope);
    if (!first) keys.set(entry.scope, entry);
    else if (first.fingerprint !== entry.fingerprint)
      problems.push(
        `The public log holds a second signing key for ${scopeName(entry.scope)} (entry ${index}): a server that hands some people another key can tell their signatures apart.`,
      );
  }
  for (const { index, entry } of ofType(entries, "key-retired")) {
    const key = keys.get(entry.scope);
    if (!key || key.fingerprint !== entry.fingerprint)
      problems.push(
        `The public log retires a signing key of ${scopeName(entry.scope)} it never logged (entry ${index}).`,
      );
  }
  const lastIssued = new Map<number, number>();
  for (const { index, entry } of entries) {
    if (entry.type === "restored") lastIssued.delete(entry.petition);
    if (entry.type !== "petition") continue;
    const before = lastIssued.get(entry.petition);
    if (before !== undefined && entry.tokensIssued < before)
      problems.push(
        `Petition ${entry.petition}: the public log's number of tokens issued went down from ${before} to ${entry.tokensIssued} (entry ${index}) without a restore.`,
      );
    if (entry.publicWithToken > entry.tokensIssued)
      problems.push(
        `Petition ${entry.petition}: the public log records ${entry.publicWithToken} tokens spent on public signatures but only ${entry.tokensIssued} issued (entry ${index}).`,
      );
    lastIssued.set(entry.petition, entry.tokensIssued);
  }
  return { problems, notes: [] };
}

const scopeName = (scope: string) =>
  scope.replace(/^petition:/, "petition ").replace(/^feedback:/, "feedback ");

const petitionScope = (petitionId: number) => `petition:${petitionId}`;

/** A petition's ledger as its chain gives it (from ledger.server.ts's checkChain). */
export type ChainView = {
  length: number;
  head: string;
  hashAt: (seq: number) => string | undefined;
  countAt: (seq: number) => number | undefined;
};

/**
 * A petition's ledger against the log: every (length, head, count) logged since its last restore
 * is in the chain (the live head may only extend the last logged one), and so is where the restore
 * took it. Restores are reported with how many logged entries they lost.
 */
export function checkLedgerAgainstLog(
  petitionId: number,
  entries: IndexedEntry[],
  chain: ChainView,
): Findings {
  const problems: string[] = [];
  const notes: string[] = [];
  const own = entries.filter(
    (e) => (e.entry.type === "petition" || e.entry.type === "restored") && e.entry.petition === petitionId,
  ) as Array<{ index: number; entry: Of<"petition"> | Of<"restored"> }>;
  let loggedLength = 0;
  for (const { entry } of own) {
    if (entry.type === "restored") {
      const lost = Math.max(0, loggedLength - entry.length);
      notes.push(
        `Petition ${petitionId}: restored from a backup on ${entry.at.slice(0, 10)}, its ledger taken back to ${entry.length} entries${lost ? `; at least ${lost} logged entries were lost` : ""}.`,
      );
    }
    loggedLength = Math.max(loggedLength, entry.length);
  }
  // A restore goes back to a backup: a prefix of what was logged. So every logged state must be in
  // the chain, except those a later restore took back (logged longer than where it went back to); a
  // `restored` entry written to excuse a rewritten chain still leaves its earlier states to match.
  own.forEach(({ index, entry }, i) => {
    const lostInRestore = own
      .slice(i + 1)
      .some((later) => later.entry.type === "restored" && later.entry.length < entry.length);
    if (lostInRestore) return;
    const hash = chain.hashAt(entry.length);
    const when =
      entry.type === "restored"
        ? "after its restore"
        : `on ${entry.at.slice(0, 10)} at ${entry.at.slice(11, 16)} UTC`;
    if (entry.length > chain.length) {
      problems.push(
        `Petition ${petitionId}: the public log recorded its ledger at ${entry.length} entries ${when} (entry ${index}), but the chain has only ${chain.length}: the ledger was rewound or rewritten.`,
      );
    } else if (hash !== entry.head) {
      problems.push(
        `Petition ${petitionId}: the ledger's entry ${entry.length} is not the one the public log recorded ${when} (entry ${index}): the ledger was rewritten.`,
      );
    } else if (entry.type === "petition" && chain.countAt(entry.length) !== entry.count) {
      problems.push(
        `Petition ${petitionId}: the public log recorded ${entry.count} signatures at ledger entry ${entry.length} (entry ${index}), the chain replays to ${chain.countAt(entry.length)}.`,
      );
    }
  });
  if (!own.length) notes.push(`Petition ${petitionId}: the public log records no state of its ledger yet.`);
  return { problems, notes };
}

/** What a server publishes of a petition's anonymous signatures (its JSON and its list). */
export type PublishedAnonymity = {
  petitionId: number;
  /** The petition's published key, SPKI DER base64url (null: none, a petition from before tokens). */
  publicKey: string | null;
  /** Anonymous signatures from before tokens (listed without a token, or counted by the database). */
  legacy: number;
  /** Tokens redeemed anonymously (every listed signature with a token, standing or not). */
  redeemed: number;
  /** Tokens spent on public signatures, as published. */
  publicWithToken: number;
  /** The ledger's live length and head. */
  ledger: { length: number; head: string | null };
};

/**
 * A petition's anonymity figures against the log: its published key is the first one logged for it,
 * no more pre-token anonymous signatures than the log froze with the key, and — when the log is
 * current — redemptions and public signatures with a token within the tokens the log says were issued.
 */
export function checkAnonymityAgainstLog(entries: IndexedEntry[], published: PublishedAnonymity): Findings {
  const problems: string[] = [];
  const notes: string[] = [];
  const id = published.petitionId;
  const key = ofType(entries, "key").find((e) => e.entry.scope === petitionScope(id));
  if (published.publicKey && !key) problems.push(`Petition ${id}: its signing key is not in the public log.`);
  else if (key && !published.publicKey)
    problems.push(
      `Petition ${id}: the public log holds a signing key for it, but the server publishes none.`,
    );
  else if (key && key.entry.publicKey !== published.publicKey)
    problems.push(
      `Petition ${id}: its published signing key is not the one the public log holds for it (entry ${key.index}): signers given it could be told apart.`,
    );
  const frozen = key?.entry.legacyAnonymous ?? null;
  if (frozen !== null && published.legacy > frozen)
    problems.push(
      frozen === 0
        ? `Petition ${id}: ${published.legacy} anonymous signatures without a token, but its key came first (the public log froze their number at 0): they were added since.`
        : `Petition ${id}: ${published.legacy} anonymous signatures from before tokens, but the public log froze their number at ${frozen} with its key: ${published.legacy - frozen} were added since.`,
    );
  const states = ofType(entries, "petition").filter((e) => e.entry.petition === id);
  const last = states.at(-1);
  if (last && last.entry.length === published.ledger.length && last.entry.head === published.ledger.head) {
    const issued = Math.max(...states.map((s) => s.entry.tokensIssued));
    const spent = published.redeemed + last.entry.publicWithToken;
    if (spent > issued)
      problems.push(
        `Petition ${id}: ${published.redeemed} tokens redeemed anonymously and ${last.entry.publicWithToken} spent on public signatures, but the public log says only ${issued} were issued.`,
      );
  } else if (last) {
    notes.push(
      `Petition ${id}: its ledger moved since the public log's last entry for it (entry ${last.index}); the tokens are checked against the published number only.`,
    );
  }
  return { problems, notes };
}
