import { getConfig } from "../../config.server";
import { Refusal } from "../../platform/refusal";
import { type Said, say } from "../../platform/said";
import {
  consistencyProofOf,
  firstScopeEntry,
  inclusionProofOf,
  latestCheckpoint,
  logEntries,
  logOrigin,
  logVkey,
  type StoredCheckpoint,
} from "../../platform/transparency/log.server";
import {
  requiredWitnesses,
  witnessedCheckpoint,
  witnessStatus,
} from "../../platform/transparency/witnessing.server";
import { issuanceTargets } from "../petitions/issuance-runs.server";

/**
 * What anyone may read of the public log (docs/transparency-log.md, docs/api.md): the same answer for
 * every visitor, signed in or not, so no one can be shown a log of their own without a witness
 * noticing. Reads only: the log is written by the scheduler and by the transactions that store keys.
 */

export class LogReadRefused extends Refusal {}

export const ENTRIES_PAGE = 1000;

/** The keys a browser pins on first sight (the log's) and the witnesses it requires. */
export function logTrust() {
  const logKey = logVkey();
  if (!logKey) throw new LogReadRefused(say("admin.refusal.log.notStarted"), 503);
  const config = getConfig();
  return {
    origin: logOrigin(),
    logKey,
    witnesses: config.witnesses,
    freshnessMinutes: config.witnessFreshnessMs / 60_000,
  };
}

function requireCheckpoint(checkpoint: StoredCheckpoint | null, what: Said): StoredCheckpoint {
  if (!checkpoint) throw new LogReadRefused(what, 404);
  return checkpoint;
}

export const newestCheckpointNote = () =>
  requireCheckpoint(latestCheckpoint(), say("admin.refusal.log.noCheckpoint")).note;

export const witnessedCheckpointNote = () =>
  requireCheckpoint(witnessedCheckpoint(), say("admin.refusal.log.notWitnessed")).note;

function newestSize(): number {
  return latestCheckpoint()?.size ?? 0;
}

export function entriesBetween(start: number, end: number) {
  const size = newestSize();
  if (start > size) throw new LogReadRefused(say("admin.refusal.log.pastTheEnd", { size }), 400);
  const last = Math.min(end, size, start + ENTRIES_PAGE);
  return { size, entries: logEntries(start, last) };
}

const encodeProof = (proof: Uint8Array[]) => proof.map((hash) => Buffer.from(hash).toString("base64"));

export function inclusionProofFor(index: number, size: number) {
  if (size > newestSize()) throw new LogReadRefused(say("admin.refusal.log.noSuchSize"), 400);
  if (index >= size) throw new LogReadRefused(say("admin.refusal.log.outsideTree"), 400);
  return { proof: encodeProof(inclusionProofOf(index, size)) };
}

export function consistencyProofFor(from: number, to: number) {
  if (to > newestSize()) throw new LogReadRefused(say("admin.refusal.log.noSuchSize"), 400);
  if (from > to) throw new LogReadRefused(say("admin.refusal.log.olderLarger"), 400);
  return { proof: encodeProof(consistencyProofOf(from, to)) };
}

/**
 * Every key a device may ask a signature of now (the same list as GET /api/tokens), each with its
 * first logged entry and an inclusion proof in the newest witnessed checkpoint: a key logged after it
 * (not yet cosigned) is left out, and the device waits for the witnesses.
 */
export function liveKeysWithProofs(now = Date.now()) {
  const checkpoint = witnessedCheckpoint();
  if (!checkpoint) return { checkpoint: null, keys: [] };
  const targets = issuanceTargets(now);
  const scopes = [...targets.petitions, ...targets.feedback].map((t) => t.scope);
  // Every device asks this each hour and the answer is the same for all of them until the witnessed
  // checkpoint or the list of keys changes: made once per change, not once per device.
  const cacheKey = `${checkpoint.note}\n${scopes.join(",")}`;
  if (cachedKeys?.key === cacheKey) return cachedKeys.answer;
  const keys: LiveKey[] = [];
  for (const scope of scopes) {
    const logged = firstScopeEntry(scope, "key");
    if (!logged || logged.index >= checkpoint.size) continue;
    keys.push({
      scope,
      index: logged.index,
      data: logged.data,
      proof: encodeProof(inclusionProofOf(logged.index, checkpoint.size)),
    });
  }
  const answer = { checkpoint: checkpoint.note, keys };
  cachedKeys = { key: cacheKey, answer };
  return answer;
}

let cachedKeys: { key: string; answer: { checkpoint: string; keys: LiveKey[] } } | null = null;
type LiveKey = { scope: string; index: number; data: string; proof: string[] };

/** For the public transparency page: the log, its size and each witness's newest cosignature. */
export function logOverview(now: number) {
  const checkpoint = latestCheckpoint();
  return {
    origin: logOrigin(),
    logKey: logVkey(),
    size: checkpoint?.size ?? 0,
    witnesses: witnessStatus(now).map((status, i) => ({ ...status, key: getConfig().witnesses[i] ?? "" })),
    freshnessMinutes: getConfig().witnessFreshnessMs / 60_000,
  };
}

/** The names of the independent witnesses the log requires (none: "no independent witness"). */
export const witnessNames = (): string[] => requiredWitnesses().map((w) => w.name);
