import { getDb, preparedStatements } from "../../../db/client";
import { getConfig } from "../../config.server";
import { Refusal } from "../refusal";
import { say } from "../said";
import { checkpointOfSize, latestCheckpoint, type StoredCheckpoint } from "./log.server";
import {
  cosignatureTime,
  NoteError,
  parseCheckpoint,
  parseNote,
  parseVkey,
  SIG_COSIGNATURE,
  signatureLine,
  type Verifier,
  verifySignature,
} from "./signed-note";

/**
 * The witnesses this deployment requires (WITNESSES): their cosignatures, sent by each witness's
 * own process (`npm run witness`), are checked here and served with the checkpoint they sign.
 * Browsers trust a signing key only inside a checkpoint every one of them cosigned recently.
 */

export class CosignatureRefused extends Refusal {}

let cached: { from: string[]; witnesses: Verifier[] } | null = null;

/** The required witnesses, from WITNESSES (validated at start, so a bad key fails the start). */
export function requiredWitnesses(): Verifier[] {
  const keys = getConfig().witnesses;
  if (cached?.from !== keys) {
    const witnesses = keys.map((key) => {
      const verifier = parseVkey(key);
      if (verifier.type !== SIG_COSIGNATURE)
        throw new NoteError(`WITNESSES: ${verifier.name}'s key is not a cosignature key (type 0x04).`);
      return verifier;
    });
    cached = { from: keys, witnesses };
  }
  return cached.witnesses;
}

const statements = preparedStatements((db) => ({
  record: db.$client.prepare(
    `insert into log_cosignatures (size, witness, key_id, time, line) values (?, ?, ?, ?, ?)
     on conflict (size, witness, key_id) do update set time = excluded.time, line = excluded.line
     where excluded.time > log_cosignatures.time`,
  ),
  newestBy: db.$client.prepare<[string, number], { size: number; time: number }>(
    "select size, time from log_cosignatures where witness = ? and key_id = ? order by size desc limit 1",
  ),
}));

/** Clock skew a witness may have: a cosignature dated further ahead than this is refused. */
const FUTURE_SKEW_S = 5 * 60;

/**
 * Records the cosignatures in a note a witness posts (the checkpoint it cosigned, with its signature
 * line): only for a checkpoint this log signed, only from a required witness, only verifying.
 */
export function acceptCosignatures(text: string, now: number): { size: number; witnesses: string[] } {
  let note: ReturnType<typeof parseNote>;
  let size: number;
  try {
    note = parseNote(text);
    size = parseCheckpoint(note.body).size;
  } catch (error) {
    if (error instanceof NoteError)
      throw new CosignatureRefused(say("admin.refusal.log.notCosigned", { problem: error.message }), 400);
    throw error;
  }
  const stored = checkpointOfSize(size);
  if (!stored || parseNote(stored.note).body !== note.body)
    throw new CosignatureRefused(say("admin.refusal.log.neverSigned"), 400);
  const witnesses = requiredWitnesses();
  const accepted: string[] = [];
  getDb().transaction(
    () => {
      for (const signature of note.signatures) {
        const witness = witnesses.find((w) => w.name === signature.name && w.keyId === signature.keyId);
        if (!witness) continue;
        if (!verifySignature(note.body, signature, witness))
          throw new CosignatureRefused(
            say("admin.refusal.log.badCosignature", { witness: witness.name }),
            400,
          );
        const time = cosignatureTime(signature);
        if (time > now / 1000 + FUTURE_SKEW_S)
          throw new CosignatureRefused(
            say("admin.refusal.log.futureCosignature", { witness: witness.name }),
            400,
          );
        statements().record.run(size, witness.name, witness.keyId, time, signatureLine(signature));
        accepted.push(witness.name);
      }
    },
    { behavior: "immediate" },
  );
  if (!accepted.length) throw new CosignatureRefused(say("admin.refusal.log.unknownWitness"), 403);
  return { size, witnesses: accepted };
}

/**
 * The newest checkpoint every required witness cosigned (with no witness required: the newest
 * checkpoint), with its cosignatures. Its freshness is each browser's to judge by their times.
 */
export function witnessedCheckpoint(): StoredCheckpoint | null {
  const witnesses = requiredWitnesses();
  if (!witnesses.length) return latestCheckpoint();
  let size = Number.POSITIVE_INFINITY;
  for (const w of witnesses) {
    const newest = statements().newestBy.get(w.name, w.keyId);
    if (!newest) return null;
    size = Math.min(size, newest.size);
  }
  // Each witness cosigned a checkpoint at least this big, and all of the log's checkpoints are
  // consistent: the smallest of their newest is the one all of them vouch for (asked of each, below).
  for (let candidate = size; candidate > 0; ) {
    const checkpoint = checkpointOfSize(candidate);
    if (
      checkpoint &&
      witnesses.every((w) => checkpoint.cosigners.some((c) => c.witness === w.name && c.keyId === w.keyId))
    )
      return checkpoint;
    const older = olderCosigned(candidate);
    if (older === null) return null;
    candidate = older;
  }
  return null;
}

const olderStatement = preparedStatements((db) =>
  db.$client.prepare<[number], { size: number }>(
    "select max(size) as size from log_cosignatures where size < ?",
  ),
);
const olderCosigned = (size: number): number | null => olderStatement().get(size)?.size ?? null;

/** Each required witness and its newest cosignature: shown on the public transparency page. */
export function witnessStatus(now: number) {
  const freshness = getConfig().witnessFreshnessMs;
  return requiredWitnesses().map((w) => {
    const newest = statements().newestBy.get(w.name, w.keyId);
    return {
      name: w.name,
      newestSize: newest?.size ?? null,
      newestTime: newest ? newest.time * 1000 : null,
      fresh: newest ? now - newest.time * 1000 <= freshness : false,
    };
  });
}
