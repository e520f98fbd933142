import { and, asc, count, desc, eq, inArray, isNotNull, isNull, ne, or, type SQL, sql } from "drizzle-orm";
import { type Executor, getDb, preparedStatements } from "../../../db/client";
import {
  milestones,
  people,
  petitionCoOrganizers,
  petitionCoSponsors,
  petitions,
  signatures,
} from "../../../db/schema";
import { renderMarkdown } from "../../platform/markdown.server";
import type { PetitionList, PetitionSort } from "../../vocabulary/petitions";
import { awaitingResponseSql, respondedSql, responseStatuses } from "../announcements/obligations.server";
import { can } from "../identity/permissions.server";
import type { User } from "../identity/sessions.server";
import { isOrganizer } from "./organizers.server";
import type { Petition } from "./rights.server";
import { viewerRights } from "./rights.server";

/** What the petition pages and lists read: who may see a petition, lists and search, My petitions. */

/**
 * What every petition page, list and API call reads: prepared once per connection. Built and
 * prepared on each call, a petition by slug cost 0.6 ms; prepared, 0.03 ms (docs/benchmarks.md).
 */
const statements = preparedStatements((db) => ({
  bySlug: db
    .select()
    .from(petitions)
    .where(eq(petitions.slug, sql.placeholder("slug")))
    .prepare(),
  byIdOrSlug: db
    .select()
    .from(petitions)
    .where(or(eq(petitions.id, sql.placeholder("id")), eq(petitions.slug, sql.placeholder("slug"))))
    .prepare(),
  personName: db
    .select({ name: people.name })
    .from(people)
    .where(eq(people.id, sql.placeholder("id")))
    .prepare(),
  milestones: db
    .select()
    .from(milestones)
    .where(eq(milestones.petitionId, sql.placeholder("petitionId")))
    .orderBy(asc(milestones.threshold))
    .prepare(),
  coSponsors: db
    .select({ id: people.id, name: people.name, department: people.department })
    .from(petitionCoSponsors)
    .innerJoin(people, eq(people.id, petitionCoSponsors.personId))
    .where(eq(petitionCoSponsors.petitionId, sql.placeholder("petitionId")))
    .orderBy(asc(petitionCoSponsors.createdAt))
    .prepare(),
}));

/** Public: listed, viewable by anyone signed in, in the API. */
export function isPublic(petition: Pick<Petition, "state" | "hiddenAt">): boolean {
  return ["open", "closed", "archived"].includes(petition.state) && !petition.hiddenAt;
}

/** Who may see a petition page at all. */
export function canView(exec: Executor, petition: Petition, user: User | null): boolean {
  if (isPublic(petition)) return true;
  // Rejected (but not offensive) petitions stay readable, with the reason, like any public record.
  if (petition.state === "rejected" && petition.rejectionReason !== "offensive" && !petition.hiddenAt)
    return true;
  if (!user) return false;
  // A draft is its creator's alone; moderators see everything from the moment it is shared.
  if (can(user, "moderate:petition") && petition.state !== "draft") return true;
  if (petition.state === "rejected" && petition.rejectionReason !== "offensive" && !petition.hiddenAt)
    return true;
  // Collecting co-sponsors: the creator shares the link with colleagues.
  if (petition.state === "collecting") return true;
  return isOrganizer(exec, petition, user.id);
}

export function findPetition(idOrSlug: string): Petition | undefined {
  return /^\d+$/.test(idOrSlug)
    ? statements().byIdOrSlug.get({ id: Number(idOrSlug), slug: idOrSlug })
    : statements().bySlug.get({ slug: idOrSlug });
}

export function listMilestones(petitionId: number) {
  return statements().milestones.all({ petitionId });
}

export function listCoSponsors(petitionId: number) {
  return statements().coSponsors.all({ petitionId });
}

export const PETITIONS_PAGE_SIZE = 20;

/** Turns free text into an FTS5 query of quoted prefix terms, so user input is never FTS syntax. */
export function ftsQuery(text: string): string | null {
  const terms = text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 1)
    .slice(0, 12);
  return terms.length ? terms.map((t) => `"${t}"*`).join(" ") : null;
}

export const matchesSearch = (query: string) =>
  sql`${petitions.id} in (select rowid from petitions_fts where petitions_fts match ${query})`;

/**
 * What a list shows of each petition (PetitionCard): not the body, which can be 10,000 characters
 * and would otherwise go through the loader's JSON and into the page for nothing.
 */
export const CARD_COLUMNS = {
  id: petitions.id,
  slug: petitions.slug,
  title: petitions.title,
  summary: petitions.summary,
  state: petitions.state,
  signatureCount: petitions.signatureCount,
  closesAt: petitions.closesAt,
  wonAt: petitions.wonAt,
};

export function listPetitions(filter: { list: PetitionList; sort: PetitionSort; q?: string; page: number }) {
  const db = getDb();
  const conditions: SQL[] = [isNull(petitions.hiddenAt)];
  if (filter.list === "open") conditions.push(eq(petitions.state, "open"));
  if (filter.list === "closed") conditions.push(inArray(petitions.state, ["closed", "archived"]));
  if (filter.list === "awaiting-response") {
    conditions.push(inArray(petitions.state, ["open", "closed"]), awaitingResponseSql);
  }
  if (filter.list === "responded") conditions.push(respondedSql);
  if (filter.list === "won") conditions.push(isNotNull(petitions.wonAt));
  if (filter.list === "rejected") {
    conditions.push(eq(petitions.state, "rejected"), ne(petitions.rejectionReason, "offensive"));
  }
  const query = filter.q ? ftsQuery(filter.q) : null;
  if (query) conditions.push(matchesSearch(query));
  const where = and(...conditions);
  const order =
    filter.sort === "newest"
      ? [desc(petitions.openedAt), desc(petitions.id)]
      : filter.sort === "closing"
        ? [asc(petitions.closesAt), asc(petitions.id)]
        : [desc(petitions.signatureCount), desc(petitions.id)];
  const rows = db
    .select(CARD_COLUMNS)
    .from(petitions)
    .where(where)
    .orderBy(...order)
    .limit(PETITIONS_PAGE_SIZE)
    .offset((filter.page - 1) * PETITIONS_PAGE_SIZE)
    .all();
  const total = db.select({ n: count() }).from(petitions).where(where).get()?.n ?? 0;
  return {
    petitions: withStatus(rows),
    total,
    pageCount: Math.max(1, Math.ceil(total / PETITIONS_PAGE_SIZE)),
  };
}

/** Up to 5 open petitions like this title, for the creation form. */
export function findSimilarOpenPetitions(title: string) {
  const query = ftsQuery(title);
  if (!query) return [];
  // Any of the words, ranked by bm25: a title rarely repeats another's words exactly.
  const anyTerm = query.split(" ").join(" OR ");
  return getDb()
    .select({ slug: petitions.slug, title: petitions.title, signatureCount: petitions.signatureCount })
    .from(petitions)
    .innerJoin(sql`petitions_fts`, sql`petitions_fts.rowid = ${petitions.id}`)
    .where(and(eq(petitions.state, "open"), isNull(petitions.hiddenAt), sql`petitions_fts match ${anyTerm}`))
    .orderBy(sql`bm25(petitions_fts)`)
    .limit(5)
    .all();
}

/** Adds the response status each list and page shows. */
export function withStatus<T extends Pick<Petition, "id">>(rows: T[]) {
  const statuses = responseStatuses(rows.map((r) => r.id));
  return rows.map((row) => {
    const status = statuses.get(row.id) ?? { kind: "none" as const };
    return {
      ...row,
      responseDueAt: status.kind === "awaiting" ? status.dueAt : null,
      overdue: status.kind === "awaiting" && status.overdue,
      responded:
        status.kind === "responded"
          ? { stance: status.stance, announcementSlug: status.announcementSlug }
          : null,
    };
  });
}

export function myPetitions(userId: number) {
  const db = getDb();
  const created = db
    .select(CARD_COLUMNS)
    .from(petitions)
    .where(eq(petitions.creatorId, userId))
    .orderBy(desc(petitions.id))
    .all();
  const coSponsored = db
    .select({ petition: CARD_COLUMNS })
    .from(petitionCoSponsors)
    .innerJoin(petitions, eq(petitions.id, petitionCoSponsors.petitionId))
    .where(eq(petitionCoSponsors.personId, userId))
    .orderBy(desc(petitions.id))
    .all()
    .map((r) => r.petition);
  const coOrganized = db
    .select({ petition: CARD_COLUMNS })
    .from(petitionCoOrganizers)
    .innerJoin(petitions, eq(petitions.id, petitionCoOrganizers.petitionId))
    .where(eq(petitionCoOrganizers.personId, userId))
    .orderBy(desc(petitions.id))
    .all()
    .map((r) => r.petition);
  const signed = db
    .select({
      petition: CARD_COLUMNS,
      visibility: signatures.visibility,
      signedAt: signatures.createdAt,
      receiptSeq: signatures.ledgerSeq,
      receiptHash: signatures.ledgerHash,
      invalidatedAt: signatures.invalidatedAt,
    })
    .from(signatures)
    .innerJoin(petitions, eq(petitions.id, signatures.petitionId))
    .where(and(eq(signatures.personId, userId), isNull(signatures.withdrawnAt)))
    .orderBy(desc(signatures.createdAt))
    .all();
  return { created, coSponsored, coOrganized, signed };
}

export function moderationQueue() {
  return getDb()
    .select()
    .from(petitions)
    .where(eq(petitions.state, "awaiting_moderation"))
    .orderBy(asc(petitions.updatedAt))
    .all();
}

const BODY_CACHE_SIZE = 200;
const bodyHtmlCache = new Map<string, string>();

/**
 * A petition's body as sanitized HTML. Rendering costs 4-10 ms for a 2,000-character body, on every
 * view, and bodies rarely change: the last few hundred rendered are kept, by their text (so an edit
 * is simply a new entry).
 */
export function petitionBodyHtml(body: string): string {
  const cached = bodyHtmlCache.get(body);
  if (cached !== undefined) {
    // Most recently used last, so the oldest is first to go.
    bodyHtmlCache.delete(body);
    bodyHtmlCache.set(body, cached);
    return cached;
  }
  const html = renderMarkdown(body);
  bodyHtmlCache.set(body, html);
  if (bodyHtmlCache.size > BODY_CACHE_SIZE) {
    const oldest = bodyHtmlCache.keys().next().value;
    if (oldest !== undefined) bodyHtmlCache.delete(oldest);
  }
  return html;
}

/**
 * The petition at this address (id or slug) if this person may see it, or undefined: others are told
 * it does not exist, as though it did not (a 403 would confirm that a draft with that title exists).
 */
export function findViewablePetition(idOrSlug: string, user: User | null): Petition | undefined {
  const petition = findPetition(idOrSlug);
  return petition && canView(getDb(), petition, user) ? petition : undefined;
}

/** Everything the petition page shows, for this viewer; null when they may not see it. */
export function petitionPage(slug: string, user: User | null) {
  const petition = findViewablePetition(slug, user);
  if (!petition) return null;
  const creator = statements().personName.get({ id: petition.creatorId });
  const sponsors = listCoSponsors(petition.id);
  const milestoneRows = listMilestones(petition.id);
  const [status] = withStatus([petition]);
  return {
    petition,
    creatorName: creator?.name ?? "A colleague",
    coSponsors: sponsors,
    milestones: milestoneRows,
    nextThreshold: milestoneRows.find((m) => m.threshold > petition.signatureCount)?.threshold ?? null,
    responseDueAt: status?.responseDueAt ?? null,
    overdue: status?.overdue ?? false,
    responded: status?.responded ?? null,
    viewer: viewerRights(petition, user),
  };
}

/** Every petition's id, in order: for checks that walk them all (verify-ledger). */
export function allPetitionIds(): number[] {
  return getDb()
    .select({ id: petitions.id })
    .from(petitions)
    .orderBy(asc(petitions.id))
    .all()
    .map((p) => p.id);
}
