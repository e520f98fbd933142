import { and, asc, count, desc, eq, inArray, isNotNull, isNull, ne, or, type SQL, sql } from "drizzle-orm";
import { getDb, preparedStatements } from "../../../db/client";
import {
  milestones,
  people,
  petitionCoOrganizers,
  petitionCoSponsors,
  petitions,
  signatures,
} from "../../../db/schema";
import { renderStoredMarkdown } from "../../platform/content/markdown.server";
import { dayOf, minuteOf } from "../../platform/time";
import { MODERATION_OVERDUE_MS } from "../../vocabulary/moderation";
import { PETITION_LISTS, type PetitionList, type PetitionSort } from "../../vocabulary/petitions";
import { formerAddressOwner } from "../addresses/addresses.server";
import { awaitingResponseSql, respondedSql, responseStatuses } from "../announcements/obligations.server";
import type { User } from "../identity/sessions.server";
import { countingCoSponsors } from "./organizers.server";
import { mayReadSignerNames, type Petition } from "./rights.server";
import { viewableBy, viewerRights } from "./standing.server";

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
    .select({ id: people.id, name: people.name })
    .from(petitionCoSponsors)
    .innerJoin(people, eq(people.id, petitionCoSponsors.personId))
    .where(and(eq(petitionCoSponsors.petitionId, sql.placeholder("petitionId")), countingCoSponsors))
    .orderBy(asc(petitionCoSponsors.createdAt))
    .prepare(),
}));

/** The petition at this id, address or former address (which the routes redirect from). */
export function findPetition(idOrSlug: string): Petition | undefined {
  if (/^\d+$/.test(idOrSlug)) return statements().byIdOrSlug.get({ id: Number(idOrSlug), slug: idOrSlug });
  const petition = statements().bySlug.get({ slug: idOrSlug });
  if (petition) return petition;
  const movedId = formerAddressOwner("petition", idOrSlug);
  return movedId === undefined ? undefined : statements().byIdOrSlug.get({ id: movedId, slug: "" });
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

/**
 * Readable by everyone (rights.server.ts' canView without standing): public petitions, and rejected
 * ones but the offensive — never a hidden one. A list or search shows nothing else.
 */
export const readableByAnyone = and(
  isNull(petitions.hiddenAt),
  or(
    inArray(petitions.state, ["open", "closed", "archived"]),
    and(eq(petitions.state, "rejected"), ne(petitions.rejectionReason, "offensive")),
  ),
) as SQL;

/** Each list's rule, within readableByAnyone. */
function listCondition(list: PetitionList): SQL | undefined {
  switch (list) {
    case "all":
      return undefined;
    case "open":
      return eq(petitions.state, "open");
    case "closed":
      return inArray(petitions.state, ["closed", "archived"]);
    case "awaiting-response":
      return and(inArray(petitions.state, ["open", "closed"]), awaitingResponseSql);
    case "responded":
      return respondedSql;
    case "won":
      return isNotNull(petitions.wonAt);
    case "rejected":
      return eq(petitions.state, "rejected");
  }
}

/**
 * A list (a tab) of petitions, or a search. A search looks through every state ("all") unless the
 * reader narrows it to one list; `found` then says how many each list holds, for the tabs.
 */
export function listPetitions(
  filter: { list: PetitionList; sort: PetitionSort; q?: string; page: number },
  pageSize = PETITIONS_PAGE_SIZE,
) {
  const db = getDb();
  const query = filter.q ? ftsQuery(filter.q) : null;
  const searched = (list: PetitionList) =>
    and(readableByAnyone, listCondition(list), query ? matchesSearch(query) : undefined);
  const where = searched(filter.list);
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
    .limit(pageSize)
    .offset((filter.page - 1) * pageSize)
    .all();
  const countOf = (condition: SQL | undefined) =>
    db.select({ n: count() }).from(petitions).where(condition).get()?.n ?? 0;
  const total = countOf(where);
  return {
    petitions: withStatus(rows).map(asShownInLists),
    total,
    pageCount: Math.max(1, Math.ceil(total / pageSize)),
    // Only for a search: a few index lookups of the matches, not of every petition.
    found: query
      ? (Object.fromEntries(PETITION_LISTS.map((list) => [list, countOf(searched(list))])) as Record<
          PetitionList,
          number
        >)
      : null,
  };
}

export const SIMILAR_LIMIT = 6;

/**
 * Up to 6 petitions like this title, for the creation form, in every state a colleague may read
 * (readableByAnyone: open, closed, archived, rejected but not offensive; never hidden), each with
 * its state and response status: a closed petition leadership already answered, or one rejected as
 * off-topic, says as much as an open one to sign.
 */
export function findSimilarPetitions(title: string) {
  const query = ftsQuery(title);
  if (!query) return [];
  // Any of the words, ranked by bm25: a title rarely repeats another's words exactly.
  const anyTerm = query.split(" ").join(" OR ");
  const rows = getDb()
    .select({
      id: petitions.id,
      slug: petitions.slug,
      title: petitions.title,
      state: petitions.state,
      signatureCount: petitions.signatureCount,
      wonAt: petitions.wonAt,
    })
    .from(petitions)
    .innerJoin(sql`petitions_fts`, sql`petitions_fts.rowid = ${petitions.id}`)
    .where(and(readableByAnyone, sql`petitions_fts match ${anyTerm}`))
    .orderBy(sql`bm25(petitions_fts)`)
    .limit(SIMILAR_LIMIT)
    .all();
  return withStatus(rows).map(({ id: _id, wonAt, responseDueAt, ...row }) => ({
    ...row,
    won: wonAt !== null,
    responseDueAt: minuteOf(responseDueAt),
  }));
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
    .where(and(eq(petitionCoSponsors.personId, userId), countingCoSponsors))
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
  // As the page shows them: days.
  return {
    created: created.map(asShownInLists),
    coSponsored: coSponsored.map(asShownInLists),
    coOrganized: coOrganized.map(asShownInLists),
    signed: signed.map(({ petition, signedAt, invalidatedAt, ...signature }) => ({
      ...signature,
      petition: asShownInLists(petition),
      signedAt: dayOf(signedAt),
      invalidatedAt: dayOf(invalidatedAt),
    })),
  };
}

/** A list's petition as the list shows it: its dates as days (loader data goes whole to the browser). */
function asShownInLists<T extends { closesAt: Date | null; wonAt: Date | null; responseDueAt?: Date | null }>(
  row: T,
): T {
  return {
    ...row,
    // A closing time and a due date are moments the reader sees in their own zone: to the minute.
    closesAt: minuteOf(row.closesAt),
    wonAt: dayOf(row.wonAt),
    ...(row.responseDueAt === undefined ? {} : { responseDueAt: minuteOf(row.responseDueAt) }),
  };
}

/** Petitions awaiting moderation, longest waiting first, each with how long and whether overdue. */
export function moderationQueue(now = Date.now()) {
  return getDb()
    .select()
    .from(petitions)
    .where(eq(petitions.state, "awaiting_moderation"))
    .orderBy(asc(petitions.updatedAt))
    .all()
    .map((petition) => {
      const waitingMs = Math.max(0, now - petition.updatedAt.getTime());
      return { ...petition, waitingMs, overdue: waitingMs > MODERATION_OVERDUE_MS };
    });
}

/**
 * A petition's body as sanitized HTML: rendered when it was saved (petitions.body_html). Rows saved
 * before bodies were stored rendered get it at start (renderMissingPetitionBodies); until then, and
 * for a body the renderer cannot take, the safe rendering (never an error for the page's viewers).
 */
export function petitionBodyHtml(petition: Pick<Petition, "body" | "bodyHtml">): string {
  return petition.bodyHtml || renderStoredMarkdown(petition.body);
}

/** The addresses the former rules gave titles without Latin letters: a counter anyone can walk. */
const COUNTED_ADDRESS = /^(\d+-)?petition(-\d+)?$/;

/**
 * The petition at this address (id or slug) if this person may see it, or undefined: others are told
 * it does not exist, as though it did not (a 403 would confirm that a draft with that title exists).
 */
export function findViewablePetition(idOrSlug: string, user: User | null): Petition | undefined {
  const petition = findPetition(idOrSlug);
  if (!petition) return undefined;
  // A former address is asked for as an address is (ADR 40) — unless the former rules made it from a
  // counter ("petition-3", "2-petition"): anyone can count those, so they find no more than a number.
  const counted =
    (/^\d+$/.test(idOrSlug) && Number(idOrSlug) === petition.id) ||
    (idOrSlug !== petition.slug && COUNTED_ADDRESS.test(idOrSlug));
  const askedBy = counted ? "number" : "slug";
  return viewableBy(getDb(), petition, user, askedBy) ? petition : undefined;
}

/**
 * What the petition page shows of a petition, and nothing more: loader data reaches the browser
 * whole (`?_data=`), so the row's creator id, exact times, ledger head and bookkeeping stay here.
 * Dates the page shows as days are days.
 */
export function petitionView(petition: Petition, viewer: { isCreator: boolean; isModerator: boolean }) {
  return {
    id: petition.id,
    slug: petition.slug,
    title: petition.title,
    summary: petition.summary,
    category: petition.category,
    state: petition.state,
    hidden: petition.hiddenAt !== null,
    hiddenReason: petition.hiddenAt ? petition.hiddenReason : null,
    rejectionReason: petition.rejectionReason,
    rejectionNote: petition.rejectionNote,
    signatureCount: petition.signatureCount,
    coSponsorsRequired: petition.coSponsorsRequired,
    openedAt: dayOf(petition.openedAt),
    closesAt: minuteOf(petition.closesAt),
    closedAt: dayOf(petition.closedAt),
    won: petition.wonAt !== null,
    // The creator's request to close early: for the creator and the moderators who decide it.
    closeRequest:
      petition.closeRequestedAt && (viewer.isCreator || viewer.isModerator)
        ? { on: dayOf(petition.closeRequestedAt), reason: petition.closeRequestReason }
        : null,
  };
}

/**
 * Everything the petition page shows, for this viewer; null when they may not see it. `row` is the
 * petition for the loader's other questions; `page` is what goes to the browser.
 */
export function petitionPage(slug: string, user: User | null) {
  const petition = findViewablePetition(slug, user);
  if (!petition) return null;
  const viewer = viewerRights(petition, user);
  const creator = statements().personName.get({ id: petition.creatorId });
  const milestoneRows = listMilestones(petition.id);
  const [status] = withStatus([petition]);
  return {
    row: petition,
    page: {
      petition: petitionView(petition, viewer),
      creatorName: creator?.name ?? "A colleague",
      // Names for colleagues only (like signers'); person ids only for the creator, whose "drop"
      // buttons post them.
      coSponsors: listCoSponsors(petition.id).map((c) => ({
        name: mayReadSignerNames(user) ? c.name : null,
        personId: viewer.canDropCoSponsors ? c.id : null,
      })),
      milestones: milestoneRows.map((m) => {
        const pendingApproval = m.responseRequested && !m.responseRequired && !m.reachedAt;
        return {
          threshold: m.threshold,
          responseRequired: m.responseRequired,
          pendingApproval,
          responseDays: m.responseRequired || pendingApproval ? m.responseDays : null,
          reachedAt: minuteOf(m.reachedAt),
          responseDueAt: minuteOf(m.responseDueAt),
          // For the moderator's "approve" button only.
          id: pendingApproval && viewer.canApproveResponses ? m.id : null,
        };
      }),
      nextThreshold: milestoneRows.find((m) => m.threshold > petition.signatureCount)?.threshold ?? null,
      responseDueAt: minuteOf(status?.responseDueAt ?? null),
      overdue: status?.overdue ?? false,
      responded: status?.responded ?? null,
      viewer,
    },
  };
}

/** What the petition page shows this viewer: its panels are handed parts of it. */
export type PetitionPage = NonNullable<ReturnType<typeof petitionPage>>["page"];

/** Every petition's id, in order: for checks that walk them all (verify-ledger). */
export function allPetitionIds(): number[] {
  return getDb()
    .select({ id: petitions.id })
    .from(petitions)
    .orderBy(asc(petitions.id))
    .all()
    .map((p) => p.id);
}
