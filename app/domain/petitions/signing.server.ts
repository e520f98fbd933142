import { createHmac } from "node:crypto";
import { and, count, desc, eq, gte, inArray, isNull, lte, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb, preparedStatements } from "../../../db/client";
import { people, petitions, signatures } from "../../../db/schema";
import { getConfig } from "../../config.server";
import { type Actor, recordAudit } from "../../platform/audit.server";
import { normalizeEmail } from "../../platform/email-address";
import { renderMarkdown } from "../../platform/markdown.server";
import type { SignatureVisibility } from "../../vocabulary/petitions";
import { postSigningReason } from "../discussion/posting.server";
import { signSchema } from "./forms";
import { newSignerPseudonym, nextLedgerEntry, verifyLedger, writeLedgerEntry } from "./ledger.server";
import { recordMilestoneCrossings } from "./milestones.server";
import { sponsorIds } from "./organizers.server";

export { signSchema };

import { hitRateLimits, type RateLimitResult, type RateLimitRule } from "../../platform/rate-limits.server";
import { Refusal } from "../../platform/refusal";
import type { User } from "../identity/sessions.server";
import { OWN_PETITION, PetitionError } from "./lifecycle.server";

export const SIGNING_LIMITS = {
  perPerson: { limit: 30, windowMs: 10 * 60_000 },
  perIp: { limit: 120, windowMs: 10 * 60_000 },
};

/** Addresses are kept only as a keyed hash, and only so moderators can invalidate by IP. */
export function hashIp(ip: string): string {
  return createHmac("sha256", getConfig().sessionSecret).update(`ip:${ip}`).digest("hex");
}

export type Receipt = { petitionId: number; seq: number; hash: string };
export type SignResult =
  /** `reasonPosted`: whether the reason became a comment (null without one); see postSigningReason. */
  | { ok: true; receipt: Receipt; reasonPosted: boolean | null }
  | { ok: false; rateLimited: RateLimitResult & { allowed: false } };

const isUniqueViolation = (error: unknown) =>
  error instanceof Error && "code" in error && error.code === "SQLITE_CONSTRAINT_UNIQUE";

/**
 * Signing is the hot path: its statements are prepared once per connection, and run raw, because
 * drizzle's per-call query mapping costs more than the SQL (see docs/benchmarks.md).
 */
const statements = preparedStatements((db) => ({
  petition: db.$client.prepare<
    [number],
    {
      id: number;
      state: string;
      hidden_at: number | null;
      closes_at: number | null;
      signature_count: number;
      ledger_length: number;
      ledger_head: string | null;
    }
  >(
    "select id, state, hidden_at, closes_at, signature_count, ledger_length, ledger_head from petitions where id = ?",
  ),
  insert: db.$client.prepare(
    "insert into signatures (petition_id, person_id, visibility, reason, wants_updates, ip_hash, ledger_signer, ledger_seq, ledger_hash, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
  ),
  nextMilestone: db.$client.prepare<[number], { threshold: number }>(
    "select threshold from milestones where petition_id = ? and reached_at is null order by threshold limit 1",
  ),
}));

/** What the petition page reads on every view. */
const pageStatements = preparedStatements((db) => ({
  own: db
    .select()
    .from(signatures)
    .where(
      and(
        eq(signatures.petitionId, sql.placeholder("petitionId")),
        eq(signatures.personId, sql.placeholder("personId")),
        isNull(signatures.withdrawnAt),
      ),
    )
    .prepare(),
}));

/** The petition's signing state, refusing one that is not open. */
function openPetition(petitionId: number, now: number) {
  const row = statements().petition.get(petitionId);
  if (!row) throw new PetitionError("There is no such petition.", 404);
  if (row.state !== "open" || row.hidden_at !== null || (row.closes_at !== null && row.closes_at <= now)) {
    throw new PetitionError("This petition is not open for signatures.", 409);
  }
  return {
    id: row.id,
    signatureCount: row.signature_count,
    ledgerLength: row.ledger_length,
    ledgerHead: row.ledger_head,
  };
}

/**
 * Signs once. The partial unique index makes a second standing signature impossible, whatever the
 * code does. One immediate transaction holds the rate-limit hits, the signature, its ledger entry,
 * the count and any milestone crossing; a refused signature still commits its rate-limit hits.
 */
export function signPetition(
  input: {
    petitionId: number;
    user: User;
    visibility: SignatureVisibility;
    reason?: string;
    wantsUpdates?: boolean;
    ip: string | null;
  },
  now = Date.now(),
): SignResult {
  const db = getDb();
  // Rendered before the write lock is taken: the reason becomes the signer's comment.
  const reason = input.reason ? { body: input.reason, bodyHtml: renderMarkdown(input.reason) } : null;
  // better-sqlite3's own transaction (drizzle's wrapper costs ~15 µs a call); drizzle queries on the
  // same connection inside it, like the milestone check, are part of it.
  const outcome = db.$client
    .transaction((): SignResult | PetitionError => {
      const limited = hitRateLimits(
        [
          [`sign:person:${input.user.id}`, SIGNING_LIMITS.perPerson],
          ...(input.ip ? [[`sign:ip:${input.ip}`, SIGNING_LIMITS.perIp] as [string, RateLimitRule]] : []),
        ],
        now,
      );
      if (!limited.allowed) return { ok: false, rateLimited: limited };
      try {
        const petition = openPetition(input.petitionId, now);
        const at = new Date(now);
        const signer = newSignerPseudonym();
        const entry = nextLedgerEntry(petition, "signed", signer, at);
        statements().insert.run(
          petition.id,
          input.user.id,
          input.visibility,
          input.reason || null,
          input.wantsUpdates ? 1 : 0,
          input.ip === null ? null : hashIp(input.ip),
          signer,
          entry.seq,
          entry.hash,
          now,
        );
        writeLedgerEntry(entry, +1, petition);
        const reasonPosted = reason
          ? postSigningReason(db, petition.id, reason, input.visibility === "anonymous", input.user, now) !==
            null
          : null;
        const next = statements().nextMilestone.get(petition.id);
        if (next && next.threshold <= petition.signatureCount) recordMilestoneCrossings(db, petition.id, at);
        return {
          ok: true,
          receipt: { petitionId: petition.id, seq: entry.seq, hash: entry.hash },
          reasonPosted,
        };
      } catch (error) {
        // A failed statement does not end the transaction: the rate-limit hits above still commit.
        if (isUniqueViolation(error)) return new PetitionError("You have already signed this petition.", 409);
        if (error instanceof PetitionError) return error;
        throw error;
      }
    })
    .immediate();
  if (outcome instanceof PetitionError) throw outcome;
  return outcome;
}

/** Withdraws while open: off the count, but the ledger keeps the event. */
export function withdrawSignature(petitionId: number, user: User, now = Date.now()): void {
  getDb().transaction(
    (tx) => {
      const petition = openPetition(petitionId, now);
      const at = new Date(now);
      const withdrawn = tx
        .update(signatures)
        .set({ withdrawnAt: at })
        .where(
          and(
            eq(signatures.petitionId, petitionId),
            eq(signatures.personId, user.id),
            isNull(signatures.withdrawnAt),
            isNull(signatures.invalidatedAt),
          ),
        )
        .returning({ signer: signatures.ledgerSigner })
        .all();
      const signature = withdrawn.at(0);
      if (!signature) throw new PetitionError("You have not signed this petition.", 409);
      writeLedgerEntry(nextLedgerEntry(petition, "withdrawn", signature.signer, at), -1, petition);
    },
    { behavior: "immediate" },
  );
}

/** The standing signature of this person, for the petition page (receipt, withdraw button). */
export function findOwnSignature(petitionId: number, personId: number) {
  return pageStatements().own.get({ petitionId, personId });
}

const standing = (petitionId: number) =>
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

/** Standing public and anonymous signatures of a petition (exact; see visibilityCounts). */
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
        return { publicCount: cached.publicCount, anonymousCount: cached.anonymousCount };
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
      return counts;
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
      department: people.department,
      signedAt: signatures.createdAt,
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
    signers: rows.map(({ signedAt, ...row }) => ({ ...row, signedOn: signedAt.toISOString().slice(0, 10) })),
    publicCount,
    anonymousCount,
    pageCount: Math.max(1, Math.ceil(publicCount / SIGNERS_PAGE_SIZE)),
  };
}

// ---- Bulk invalidation ---------------------------------------------------------------------------

export const invalidationSchema = z
  .object({
    emails: z.string().trim().max(100_000).optional(),
    from: z.coerce.date().optional(),
    to: z.coerce.date().optional(),
    ip: z.string().trim().max(64).optional(),
    reason: z.string().trim().max(500).optional(),
  })
  .refine((v) => v.emails || v.from || v.to || v.ip, {
    message: "Give at least one criterion: people, a time window or an IP address",
    path: ["emails"],
  });
export type InvalidationCriteria = z.infer<typeof invalidationSchema>;

function invalidationWhere(petitionId: number, criteria: InvalidationCriteria): SQL | undefined {
  const conditions: (SQL | undefined)[] = [standing(petitionId)];
  if (criteria.emails) {
    const emails = emailList(criteria);
    conditions.push(
      inArray(
        signatures.personId,
        getDb().select({ id: people.id }).from(people).where(inArray(people.email, emails)),
      ),
    );
  }
  if (criteria.from) conditions.push(gte(signatures.createdAt, criteria.from));
  if (criteria.to) conditions.push(lte(signatures.createdAt, criteria.to));
  if (criteria.ip) conditions.push(eq(signatures.ipHash, hashIp(criteria.ip)));
  return and(...conditions);
}

/**
 * A list of people shorter than this cannot be previewed or invalidated: otherwise "1 signature
 * matches" for one address would tell a moderator that an anonymous signer signed.
 */
export const MIN_PEOPLE_PER_INVALIDATION = 5;

export class InvalidationError extends Refusal {}

function emailList(criteria: InvalidationCriteria): string[] {
  return [
    ...new Set(
      (criteria.emails ?? "")
        .split(/[\s,;]+/)
        .map(normalizeEmail)
        .filter(Boolean),
    ),
  ];
}

function checkNotOwnPetition(petitionId: number, actor: Actor): void {
  if (actor.id !== null && sponsorIds(getDb(), petitionId).has(actor.id)) {
    throw new InvalidationError(OWN_PETITION, 403);
  }
}

function checkPeopleList(criteria: InvalidationCriteria): string[] {
  const emails = emailList(criteria);
  // Only real people count toward the minimum: made-up addresses would not hide anyone.
  const known = emails.length
    ? getDb().select({ id: people.id }).from(people).where(inArray(people.email, emails)).all().length
    : 0;
  if (emails.length > 0 && known < MIN_PEOPLE_PER_INVALIDATION) {
    throw new InvalidationError(
      `List at least ${MIN_PEOPLE_PER_INVALIDATION} people from the directory: a shorter list would reveal whether someone signed anonymously.`,
    );
  }
  return emails;
}

/**
 * How many standing signatures the criteria match, shown before the moderator confirms. Every
 * preview is audited with its criteria, so probing for who signed leaves a trace.
 */
export function previewInvalidation(
  petitionId: number,
  criteria: InvalidationCriteria,
  actor: Actor,
): MatchSize {
  checkNotOwnPetition(petitionId, actor);
  const emails = checkPeopleList(criteria);
  return getDb().transaction(
    (tx) => {
      const matched = describeMatch(
        tx.select({ n: count() }).from(signatures).where(invalidationWhere(petitionId, criteria)).get()?.n ??
          0,
      );
      recordAudit(
        tx,
        actor,
        "signatures.invalidate.preview",
        { type: "petition", id: petitionId },
        {
          matched,
          people: emails,
          from: criteria.from?.toISOString(),
          to: criteria.to?.toISOString(),
          ip: criteria.ip ? "given" : undefined,
        },
      );
      return matched;
    },
    { behavior: "immediate" },
  );
}

/**
 * What a preview may say: an exact number from MIN_PEOPLE_PER_INVALIDATION up, "few" for anything
 * below it, zero included ("none" against "few" for one IP, one domain or a list padded with
 * non-signers would tell whether someone signed).
 */
export type MatchSize = number | "few";
export function describeMatch(matched: number): MatchSize {
  return matched < MIN_PEOPLE_PER_INVALIDATION ? "few" : matched;
}

/** Invalidates the matching signatures with a reason: count, ledger and audit log in one transaction. */
export function invalidateSignatures(
  petitionId: number,
  criteria: InvalidationCriteria & { reason: string; expected: MatchSize },
  actor: Actor,
  now = Date.now(),
): number {
  checkNotOwnPetition(petitionId, actor);
  checkPeopleList(criteria);
  return getDb().transaction(
    (tx) => {
      const petition = tx.select().from(petitions).where(eq(petitions.id, petitionId)).get();
      if (!petition) throw new PetitionError("There is no such petition.", 404);
      const matched = tx
        .select({ id: signatures.id, signer: signatures.ledgerSigner })
        .from(signatures)
        .where(invalidationWhere(petitionId, criteria))
        .all();
      // Checked inside the transaction: what is invalidated is exactly what the moderator confirmed.
      if (describeMatch(matched.length) !== criteria.expected) {
        throw new InvalidationError(
          "The matching signatures changed since the preview: check the new number.",
          409,
        );
      }
      // The public count and ledger would show the exact number dropping — 0 or 1 for narrow criteria,
      // i.e. whether someone signed. Fewer than five signatures change no outcome: refused.
      if (matched.length < MIN_PEOPLE_PER_INVALIDATION) {
        throw new InvalidationError(
          `Fewer than ${MIN_PEOPLE_PER_INVALIDATION} signatures match: so narrow an invalidation would show in the public count whether someone signed. Widen the criteria, or ask an admin to deactivate a fraudulent account.`,
          409,
        );
      }
      const at = new Date(now);
      for (const signature of matched) {
        tx.update(signatures)
          .set({ invalidatedAt: at, invalidationReason: criteria.reason })
          .where(eq(signatures.id, signature.id))
          .run();
        writeLedgerEntry(nextLedgerEntry(petition, "invalidated", signature.signer, at), -1, petition);
      }
      recordAudit(
        tx,
        actor,
        "signatures.invalidate",
        { type: "petition", id: petitionId },
        {
          count: matched.length,
          reason: criteria.reason,
          criteria: {
            people: criteria.emails ? criteria.emails.split(/[\s,;]+/).filter(Boolean).length : 0,
            from: criteria.from?.toISOString(),
            to: criteria.to?.toISOString(),
            ip: criteria.ip ? "given" : undefined,
          },
        },
      );
      return matched.length;
    },
    { behavior: "immediate" },
  );
}

// ---- Checks --------------------------------------------------------------------------------------

export type CountCheck = {
  petitionId: number;
  slug: string;
  stored: number;
  signatures: number;
  ledger: string[];
};

/** Stored count vs COUNT(*) of standing signatures vs ledger replay, for every petition. */
export function checkCounts(): { ok: boolean; mismatches: CountCheck[]; checked: number } {
  const db = getDb();
  // One snapshot for every read (see verifyLedger): a live server's commits are never a mismatch.
  return db.transaction(() => {
    const all = db
      .select({ id: petitions.id, slug: petitions.slug, stored: petitions.signatureCount })
      .from(petitions)
      .all();
    const mismatches: CountCheck[] = [];
    for (const petition of all) {
      const actual = db.select({ n: count() }).from(signatures).where(standing(petition.id)).get()?.n ?? 0;
      const ledger = verifyLedger(petition.id);
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
