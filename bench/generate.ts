/**
 * Big data sets, fast: raw inserts in one transaction each, writing the rows exactly as the domain
 * modules would (a real hash chain per petition, counts, ledger head and reached milestones in step),
 * so `check-counts` and `verify-ledger` pass and every page works. Import after bench/setup.ts.
 */
import { randomBytes } from "node:crypto";
import { SESSION_TTL_MS } from "../app/domain/identity/sessions.server";
import { entryHash, GENESIS_HASH, ledgerHour } from "../app/domain/petitions/ledger.server";
import { hashToken, newToken } from "../app/platform/security/tokens.server";
import { commitSessionCookie } from "../app/web/session.server";
import { getDb } from "../db/client";

const DAY_MS = 24 * 60 * 60_000;
const DEPARTMENTS = ["Engineering", "Sales", "Operations", "People", "Legal", "Research", "Support"];
const LOCATIONS = ["London", "Berlin", "New York", "Lisbon", "Singapore", "Toronto"];

/** `count` people in the directory (emails `LABEL-N@bench.example`); returns their ids in order. */
export function insertPeople(count: number, label: string): number[] {
  const sqlite = getDb().$client;
  const insert = sqlite.prepare(
    "insert into people (email, name, department, location, created_at, updated_at) values (?, ?, ?, ?, ?, ?)",
  );
  const now = Date.now();
  const ids: number[] = [];
  sqlite.transaction(() => {
    for (let i = 0; i < count; i++) {
      const result = insert.run(
        `${label}-${i}@bench.example`,
        `${label} Person ${i}`,
        DEPARTMENTS[i % DEPARTMENTS.length],
        LOCATIONS[i % LOCATIONS.length],
        now,
        now,
      );
      ids.push(Number(result.lastInsertRowid));
    }
  })();
  return ids;
}

/**
 * A session per person, as sign-in creates them, and the `Cookie` header value a browser would send
 * (the same signed cookie the server issues).
 */
export async function insertSessions(personIds: number[]): Promise<string[]> {
  const sqlite = getDb().$client;
  const insert = sqlite.prepare(
    "insert into sessions (token_hash, person_id, created_at, expires_at, renewed_at) values (?, ?, ?, ?, ?)",
  );
  const now = Date.now();
  const tokens = personIds.map(() => newToken());
  sqlite.transaction(() => {
    personIds.forEach((id, i) => {
      insert.run(hashToken(tokens[i] ?? ""), id, now, now + SESSION_TTL_MS, now);
    });
  })();
  return Promise.all(tokens.map(async (token) => (await commitSessionCookie(token)).split(";")[0] ?? ""));
}

/**
 * Standing signatures by these people on one petition, each with its ledger entry, spread evenly
 * from `from` to `to`; then the petition's count, ledger length and head, and the milestones the
 * count reached (at the time of the signature that reached them), as signPetition leaves them.
 * Every `anonymousEvery`th signature is anonymous. Runs in the caller's transaction if any.
 */
export function insertSignatures(
  petitionId: number,
  personIds: number[],
  options: { from: number; to: number; anonymousEvery?: number; wantsUpdatesEvery?: number },
): void {
  const sqlite = getDb().$client;
  const petition = sqlite
    .prepare<[number], { ledger_length: number; ledger_head: string | null; signature_count: number }>(
      "select ledger_length, ledger_head, signature_count from petitions where id = ?",
    )
    .get(petitionId);
  if (!petition) throw new Error(`no petition ${petitionId}`);
  const insertSignature = sqlite.prepare(
    // Public signatures record the signer's department and location, as signPetition's statement does.
    "insert into signatures (petition_id, person_id, visibility, wants_updates, ledger_signer, ledger_seq, ledger_hash, created_at, department, location) select @petitionId, @personId, @visibility, @wantsUpdates, @signer, @seq, @hash, @at, case when @visibility = 'public' then department end, case when @visibility = 'public' then location end from people where id = @personId",
  );
  const insertEntry = sqlite.prepare(
    "insert into ledger_entries (petition_id, seq, event, at, signer, prev_hash, hash, format) values (?, ?, 'signed', ?, ?, ?, ?, 2)",
  );
  const anonymousEvery = options.anonymousEvery ?? 3;
  const wantsUpdatesEvery = options.wantsUpdatesEvery ?? 10;
  const step = personIds.length > 1 ? (options.to - options.from) / (personIds.length - 1) : 0;
  const pseudonyms = randomBytes(32 * personIds.length).toString("hex");
  const times: number[] = [];
  let seq = petition.ledger_length;
  let prevHash = petition.ledger_head ?? GENESIS_HASH;
  sqlite.transaction(() => {
    personIds.forEach((personId, i) => {
      seq++;
      const at = Math.round(options.from + i * step);
      const signer = pseudonyms.slice(i * 64, (i + 1) * 64);
      const hour = ledgerHour(new Date(at));
      const hash = entryHash({ format: 2, petitionId, seq, event: "signed", at: hour, signer, prevHash });
      insertSignature.run({
        petitionId,
        personId,
        visibility: i % anonymousEvery === anonymousEvery - 1 ? "anonymous" : "public",
        wantsUpdates: i % wantsUpdatesEvery === 0 ? 1 : 0,
        signer,
        seq,
        hash,
        at,
      });
      insertEntry.run(petitionId, seq, hour.getTime(), signer, prevHash, hash);
      prevHash = hash;
      times.push(at);
    });
    const count = petition.signature_count + personIds.length;
    sqlite
      .prepare("update petitions set signature_count = ?, ledger_length = ?, ledger_head = ? where id = ?")
      .run(count, seq, prevHash, petitionId);
    const reached = sqlite
      .prepare<
        [number, number],
        { id: number; threshold: number; response_required: number; response_days: number | null }
      >(
        "select id, threshold, response_required, response_days from milestones where petition_id = ? and reached_at is null and threshold <= ?",
      )
      .all(petitionId, count);
    for (const milestone of reached) {
      const at = times[milestone.threshold - petition.signature_count - 1] ?? options.to;
      sqlite
        .prepare("update milestones set reached_at = ?, response_due_at = ? where id = ?")
        .run(
          at,
          milestone.response_required && milestone.response_days
            ? at + milestone.response_days * DAY_MS
            : null,
          milestone.id,
        );
    }
  })();
}
