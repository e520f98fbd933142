import { type ChainEntry, checkChain, compareWithStored, verifyLedger } from "../petitions/ledger.server";
import {
  checkLedgerAgainstLog,
  checkLog,
  checkLogContents,
  type Findings,
  type IndexedEntry,
  staleWitnesses,
  witnessConfirmations,
} from "./log-audit";
import { LogUnreadable, localLogView, remoteLedger, remoteLogView } from "./log-sources.server";

/**
 * The public log as `verify-ledger` and `verify-anonymous` use it (docs/transparency-log.md): read
 * from this database or from `from` (a server's public API), its checkpoints checked against the
 * entries and the log's key before any entry is used, then its contents checked across the whole
 * log. `entries` is null when the log cannot be trusted (or there is none): nothing is checked
 * against it then, and `problems` says why.
 */
export type VerifiedLog = Findings & { entries: IndexedEntry[] | null };

export async function verifiedLog(source: {
  from?: string;
  logKey?: string;
  /** `--max-witness-age=MINUTES`: a required witness silent for longer fails the check (else a note). */
  maxWitnessAgeMs?: number;
}): Promise<VerifiedLog> {
  let read: Awaited<ReturnType<typeof remoteLogView>> | null;
  try {
    read = source.from ? await remoteLogView(source.from, source.logKey) : localLogView();
  } catch (error) {
    if (error instanceof LogUnreadable)
      return { problems: [`The public log could not be read: ${error.message}`], notes: [], entries: null };
    throw error;
  }
  if (!read)
    return {
      problems: [],
      notes: ["This database has no public log yet (the server starts it)."],
      entries: null,
    };
  const log = checkLog(read.view);
  const problems = [...read.findings.problems, ...log.problems];
  const notes = [...read.findings.notes, ...log.notes, ...witnessConfirmations(read.view)];
  // A silent witness is the verifier's to judge (its own maximum age, never the server's): a note by
  // default, a failure with --max-witness-age; either way the entries are still checked.
  const stale = staleWitnesses(read.view, Date.now(), source.maxWitnessAgeMs);
  const staleProblems = source.maxWitnessAgeMs === undefined ? [] : stale;
  if (source.maxWitnessAgeMs === undefined) notes.push(...stale);
  if (problems.length) {
    notes.push("Nothing else was checked against the log: its entries cannot be trusted.");
    return { problems, notes, entries: null };
  }
  const contents = checkLogContents(log.entries);
  return {
    problems: [...staleProblems, ...contents.problems],
    notes: [...notes, ...contents.notes],
    entries: log.entries,
  };
}

/** The petitions the log names (their keys, ledger states and restores). */
export function petitionsInLog(entries: IndexedEntry[]): number[] {
  const ids = new Set<number>();
  for (const { entry } of entries) {
    if (entry.type === "petition" || entry.type === "restored") ids.add(entry.petition);
    if (entry.type === "key" && entry.scope.startsWith("petition:")) ids.add(Number(entry.scope.slice(9)));
  }
  return [...ids].sort((a, b) => a - b);
}

export type PetitionLedgerCheck = Findings & { petitionId: number; length: number; count: number };

/** One petition's ledger: its chain recomputed and replayed, then held to what the log recorded. */
export async function checkPetitionLedger(
  idOrId: number | string,
  log: VerifiedLog,
  from?: string,
): Promise<PetitionLedgerCheck> {
  let petitionId: number;
  let problems: string[];
  let chain: ReturnType<typeof checkChain> | undefined;
  if (from) {
    const read = await remoteLedger(from, String(idOrId));
    petitionId = read.petitionId;
    // Entries appended after the petition's JSON was read are left for the next run.
    const entries: ChainEntry[] = read.entries.filter((e) => e.seq <= read.stored.length);
    chain = checkChain(petitionId, entries);
    problems = [...chain.problems, ...compareWithStored(chain, read.stored)];
  } else {
    petitionId = Number(idOrId);
    const check = verifyLedger(petitionId);
    problems = check.problems;
    chain = check.chain;
  }
  const against =
    log.entries && chain
      ? checkLedgerAgainstLog(petitionId, log.entries, chain)
      : { problems: [], notes: [] };
  return {
    petitionId,
    length: chain?.length ?? 0,
    count: chain?.count ?? 0,
    problems: [...problems, ...against.problems],
    notes: against.notes,
  };
}
