import { and, count, desc, eq, isNull, sql } from "drizzle-orm";
import { type DB, getDb, preparedStatements } from "../../../db/client";
import { anonymousSignatures, people, petitions, signatures } from "../../../db/schema";
import type { SignatureVisibility } from "../../vocabulary/petitions";
import type { User } from "../identity/sessions.server";
import { verifyLedger } from "./ledger.server";
import { mayReadSignerNames } from "./rights.server";

/**
 * Counting signatures: standing public and anonymous counts (cached exactly per ledger state), the
 * public signers list, and check-counts (stored count against rows against the ledger).
 */

export const standing = (petitionId: number) =>
  and(
    eq(signatures.petitionId, petitionId),
    isNull(signatures.withdrawnAt),
    isNull(signatures.invalidatedAt),
  );

export const SIGNERS_PAGE_SIZE = 50;

type VisibilityCounts = { publicCount: number; anonymousCount: number };

/**
 * Counting a petition's public and anonymous signatures reads all of its index entries (16 ms at
 * 100,000), and every page view shows the two numbers. So they are kept in memory, and exact: each is
 * valid for one state of the petition's ledger (its length and head hash: a signature, a withdrawal
 * and an invalidation each append an entry), and when only signatures were appended since, the rows
 * added since (signature ids only grow) are counted onto it. Anything else is counted afresh.
 */
const visibilityCounts = new Map<
  number,
  VisibilityCounts & { ledgerLength: number; ledgerHead: string | null; lastId: number }
>();

/**
 * Standing public signatures made without a token (a device without the signer's wallet, no
 * JavaScript): published as `publicWithoutToken`, the most by which the count can exceed the number
 * of people who signed (one of them may also have signed anonymously). Read from
 * signatures_public_without_token_idx alone: keep every term of its WHERE.
 */
export const COUNT_PUBLIC_WITHOUT_TOKEN =
  "select count(*) as n from signatures where petition_id = ? and token_id is null and visibility = 'public' and withdrawn_at is null and invalidated_at is null";

export const publicWithoutToken = (petitionId: number): number =>
  countStatements().withoutToken.get(petitionId)?.n ?? 0;

/**
 * Read from signatures_standing_visibility_idx alone (migration 0012): a partial index, which SQLite
 * uses only when the WHERE repeats its terms, so keep both `is null` terms here.
 */
export const COUNT_STANDING_BY_VISIBILITY =
  "select visibility, count(*) as n from signatures where petition_id = ? and withdrawn_at is null and invalidated_at is null group by visibility";

const countStatements = preparedStatements((db) => ({
  ledger: db.$client.prepare<
    [number],
    { ledger_length: number; ledger_head: string | null; signature_count: number }
  >("select ledger_length, ledger_head, signature_count from petitions where id = ?"),
  lastId: db.$client.prepare<[], { id: number | null }>("select max(id) as id from signatures"),
  all: db.$client.prepare<[number], { visibility: SignatureVisibility; n: number }>(
    COUNT_STANDING_BY_VISIBILITY,
  ),
  withoutToken: db.$client.prepare<[number], { n: number }>(COUNT_PUBLIC_WITHOUT_TOKEN),
  // The entry the counts were taken at is still there, and only signatures came after it.
  onlySignedSince: db.$client.prepare<{ petitionId: number; seq: number; hash: string }, { ok: number }>(
    `select exists (select 1 from ledger_entries where petition_id = @petitionId and seq = @seq and hash = @hash)
       and not exists (select 1 from ledger_entries where petition_id = @petitionId and seq > @seq and event <> 'signed') as ok`,
  ),
  // "+petition_id" keeps SQLite on the rowid range (the rows added since), not the petition's index.
  since: db.$client.prepare<[number, number], { visibility: SignatureVisibility; n: number }>(
    "select visibility, count(*) as n from signatures where id > ? and +petition_id = ? group by visibility",
  ),
}));

const tally = (rows: Array<{ visibility: SignatureVisibility; n: number }>, base: VisibilityCounts) => ({
  publicCount: base.publicCount + (rows.find((r) => r.visibility === "public")?.n ?? 0),
  anonymousCount: base.anonymousCount + (rows.find((r) => r.visibility === "anonymous")?.n ?? 0),
});

/**
 * Standing public and anonymous signatures of a petition (exact; see visibilityCounts). Anonymous
 * ones are the rest of the stored count: those in anonymous_signatures, and legacy ones still in
 * signatures until their petition closes.
 */
export function countByVisibility(petitionId: number): VisibilityCounts {
  const statements = countStatements();
  // One read transaction: the ledger, the last id and the rows counted are one state of the database.
  return getDb()
    .$client.transaction((): VisibilityCounts => {
      const ledger = statements.ledger.get(petitionId);
      if (!ledger) return { publicCount: 0, anonymousCount: 0 };
      const cached = visibilityCounts.get(petitionId);
      if (
        cached &&
        cached.ledgerLength === ledger.ledger_length &&
        cached.ledgerHead === ledger.ledger_head
      ) {
        return {
          publicCount: cached.publicCount,
          anonymousCount: ledger.signature_count - cached.publicCount,
        };
      }
      const lastId = statements.lastId.get()?.id ?? 0;
      const counts =
        cached?.ledgerHead &&
        // Fewer rows to look at since than the petition has signatures, or counting afresh is cheaper.
        lastId - cached.lastId <= ledger.signature_count &&
        statements.onlySignedSince.get({
          petitionId,
          seq: cached.ledgerLength,
          hash: cached.ledgerHead,
        })?.ok
          ? tally(statements.since.all(cached.lastId, petitionId), cached)
          : tally(statements.all.all(petitionId), { publicCount: 0, anonymousCount: 0 });
      visibilityCounts.set(petitionId, {
        ...counts,
        ledgerLength: ledger.ledger_length,
        ledgerHead: ledger.ledger_head,
        lastId,
      });
      return { publicCount: counts.publicCount, anonymousCount: ledger.signature_count - counts.publicCount };
    })
    .deferred();
}

/**
 * Public signers only: name, department and date (not the reason: it lives in the thread, where its
 * author may delete it and moderators hide it). Anonymous signatures are counted here as a number,
 * never listed — the query does not even select their people.
 */
export function listPublicSigners(petitionId: number, page: number) {
  const db = getDb();
  const rows = db
    .select({
      name: people.name,
      // As it was when they signed, like the breakdowns.
      department: signatures.department,
      signedAt: signatures.createdAt,
      erasedAt: people.erasedAt,
    })
    .from(signatures)
    .innerJoin(people, eq(people.id, signatures.personId))
    .where(and(standing(petitionId), eq(signatures.visibility, "public")))
    .orderBy(desc(signatures.createdAt), desc(signatures.id))
    .limit(SIGNERS_PAGE_SIZE)
    .offset((page - 1) * SIGNERS_PAGE_SIZE)
    .all();
  const { publicCount, anonymousCount } = countByVisibility(petitionId);
  return {
    // The day only: exact times could be lined up with the ledger's.
    // An erased colleague's kept signature names nothing, not even the department (docs/privacy.md).
    signers: rows.map(({ signedAt, erasedAt, ...row }) => ({
      ...row,
      department: erasedAt ? null : row.department,
      former: erasedAt !== null,
      signedOn: signedAt.toISOString().slice(0, 10),
    })),
    publicCount,
    anonymousCount,
    pageCount: Math.max(1, Math.ceil(publicCount / SIGNERS_PAGE_SIZE)),
  };
}

/**
 * The signers page for this reader: the counts for everyone; the public signers' names, departments
 * and days only for a colleague (mayReadSignerNames) — for anyone else their rows are not even read.
 */
export function signersFor(petitionId: number, page: number, reader: User | null) {
  if (mayReadSignerNames(reader))
    return { namesShown: true as const, ...listPublicSigners(petitionId, page) };
  const { publicCount, anonymousCount } = countByVisibility(petitionId);
  return { namesShown: false as const, signers: [], publicCount, anonymousCount, pageCount: 1 };
}

export type CountCheck = {
  petitionId: number;
  slug: string;
  stored: number;
  signatures: number;
  ledger: string[];
};

/**
 * Stored count vs COUNT(*) of standing signatures (public, legacy anonymous and anonymous) vs ledger
 * replay, for every petition (of this database, or of a backup being checked).
 */
export function checkCounts(db: DB = getDb()): { ok: boolean; mismatches: CountCheck[]; checked: number } {
  // One snapshot for every read (see verifyLedger): a live server's commits are never a mismatch.
  return db.transaction(() => {
    const all = db
      .select({ id: petitions.id, slug: petitions.slug, stored: petitions.signatureCount })
      .from(petitions)
      .all();
    const mismatches: CountCheck[] = [];
    for (const petition of all) {
      const actual =
        (db.select({ n: count() }).from(signatures).where(standing(petition.id)).get()?.n ?? 0) +
        countStandingAnonymous(petition.id, db);
      const ledger = verifyLedger(petition.id, db);
      if (actual !== petition.stored || !ledger.ok) {
        mismatches.push({
          petitionId: petition.id,
          slug: petition.slug,
          stored: petition.stored,
          signatures: actual,
          ledger: ledger.problems,
        });
      }
    }
    return { ok: mismatches.length === 0, mismatches, checked: all.length };
  });
}

/** Standing anonymous signatures of a petition: the token ones and the legacy ones moved here. */
export function countStandingAnonymous(petitionId: number, db: DB = getDb()): number {
  return (
    db
      .select({ n: sql<number>`count(*)` })
      .from(anonymousSignatures)
      .where(and(eq(anonymousSignatures.petitionId, petitionId), eq(anonymousSignatures.standing, true)))
      .get()?.n ?? 0
  );
}
