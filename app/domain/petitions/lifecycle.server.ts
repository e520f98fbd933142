import {
  and,
  asc,
  count,
  desc,
  eq,
  inArray,
  isNotNull,
  isNull,
  lte,
  ne,
  or,
  type SQL,
  sql,
} from "drizzle-orm";
import { z } from "zod";
import { type Executor, getDb, preparedStatements, type Tx } from "../../../db/client";
import {
  milestones,
  people,
  personRoles,
  petitionCoOrganizers,
  petitionCoSponsors,
  petitions,
  policies,
  signatures,
} from "../../../db/schema";
import { getConfig } from "../../config.server";
import { actorOf, recordAudit, SYSTEM_ACTOR } from "../../platform/audit.server";
import { renderMarkdown } from "../../platform/markdown.server";
import { enqueueMail, renderEmail } from "../../platform/outbox.server";
import { Refusal } from "../../platform/refusal";
import { getMilestoneDefaults, getSettings } from "../../platform/settings.server";
import { slugify, uniqueSlug } from "../../platform/slugs";
import {
  type PetitionList,
  type PetitionSort,
  type PetitionState,
  REJECTION_LABELS,
  REJECTION_REASONS,
  type RejectionReason,
  STATE_LABELS,
} from "../../vocabulary/petitions";
import { awaitingResponseSql, respondedSql, responseStatuses } from "../announcements/obligations.server";
import { can } from "../identity/permissions.server";
import type { User } from "../identity/sessions.server";
import { milestoneInputSchema, petitionInputSchema, victorySchema } from "./forms";
import { isOrganizer, organizerEmails, sponsorIds } from "./organizers.server";
import { recordPetitionUpdate } from "./updates.server";

export { milestoneInputSchema };

export type Petition = typeof petitions.$inferSelect;

export const DAY_MS = 24 * 60 * 60_000;

// ---- Input ---------------------------------------------------------------------------------------

export type PetitionInput = z.infer<typeof petitionInputSchema>;
export { petitionInputSchema, slugify };

/** Path segments that routes use beside /petitions/<slug>. */
const RESERVED_SLUGS = new Set(["new", "similar"]);

const petitionSlug = (tx: Executor, title: string) =>
  uniqueSlug(title, "petition", RESERVED_SLUGS, (slug) =>
    Boolean(tx.select({ id: petitions.id }).from(petitions).where(eq(petitions.slug, slug)).get()),
  );

// ---- Errors --------------------------------------------------------------------------------------

/** A refused change: the message is shown to the person (400/403), nothing is changed. */
export class PetitionError extends Refusal {}

// ---- Creating and editing ------------------------------------------------------------------------

/** A petition may name a policy from the registry, and only one that exists. */
function requireKnownPolicy(tx: Executor, policyId: number | undefined): void {
  if (policyId === undefined) return;
  if (!tx.select({ id: policies.id }).from(policies).where(eq(policies.id, policyId)).get()) {
    throw new PetitionError("There is no such policy: choose one from the list.");
  }
}

export function createPetition(input: PetitionInput, creator: User, now = Date.now()): Petition {
  return getDb().transaction(
    (tx) => {
      requireKnownPolicy(tx, input.policyId);
      const settings = getSettings(tx);
      const petition = tx
        .insert(petitions)
        .values({
          slug: petitionSlug(tx, input.title),
          title: input.title,
          summary: input.summary,
          body: input.body,
          category: input.category || null,
          policyId: input.policyId ?? null,
          creatorId: creator.id,
          coSponsorsRequired: settings.coSponsorsRequired,
          openForDays: input.openForDays ?? settings.openForDays,
          createdAt: new Date(now),
          updatedAt: new Date(now),
        })
        .returning()
        .get();
      const defaults = getMilestoneDefaults(tx);
      if (defaults.length) {
        tx.insert(milestones)
          .values(defaults.map((d) => ({ petitionId: petition.id, ...d })))
          .run();
      }
      return petition;
    },
    { behavior: "immediate" },
  );
}

/** Creators edit while draft; afterwards only moderators may fix typos (audited). */
export function editPetition(petitionId: number, input: PetitionInput, user: User): Petition {
  return getDb().transaction(
    (tx) => {
      requireKnownPolicy(tx, input.policyId);
      const petition = requirePetition(tx, petitionId);
      const isCreatorDraft = petition.creatorId === user.id && petition.state === "draft";
      const isModeratorFix = can(user, "moderate:petition") && petition.state !== "draft";
      if (!isCreatorDraft && isModeratorFix && sponsorIds(tx, petition.id).has(user.id)) {
        throw new PetitionError(OWN_PETITION, 403);
      }
      if (!isCreatorDraft && !isModeratorFix) {
        throw new PetitionError(
          petition.creatorId === user.id
            ? "This petition can no longer be edited; a moderator can fix typos."
            : "Only the creator can edit this petition.",
          403,
        );
      }
      const updated = tx
        .update(petitions)
        .set({
          ...input,
          category: input.category || null,
          policyId: input.policyId ?? null,
          openForDays: input.openForDays ?? petition.openForDays,
          updatedAt: new Date(),
        })
        .where(eq(petitions.id, petitionId))
        .returning()
        .get();
      if (isModeratorFix) {
        recordAudit(
          tx,
          actorOf(user),
          "petition.edit",
          { type: "petition", id: petitionId },
          {
            before: {
              title: petition.title,
              summary: petition.summary,
              body: petition.body,
              category: petition.category,
            },
          },
        );
      }
      return updated;
    },
    { behavior: "immediate" },
  );
}

/** Organizers may add their own milestones before the petition opens. */
export function addMilestone(
  petitionId: number,
  input: { threshold: number; responseRequired: boolean; responseDays: number | null },
  user: User,
): void {
  getDb().transaction(
    (tx) => {
      const petition = requirePetition(tx, petitionId);
      if (petition.creatorId !== user.id)
        throw new PetitionError("Only the creator can add milestones.", 403);
      if (!["draft", "collecting", "awaiting_moderation"].includes(petition.state)) {
        throw new PetitionError("Milestones can only be added before the petition opens.");
      }
      const inserted = tx
        .insert(milestones)
        .values({ petitionId, ...input })
        .onConflictDoNothing()
        .run();
      if (!inserted.changes)
        throw new PetitionError(`There is already a milestone at ${input.threshold}.`, 409);
    },
    { behavior: "immediate" },
  );
}

// ---- The state machine ---------------------------------------------------------------------------

export type Transition =
  | { action: "submit" }
  | { action: "co-sponsor" }
  | { action: "approve" }
  | { action: "reject"; reason: RejectionReason; note?: string }
  | { action: "close" }
  | { action: "archive" }
  | { action: "hide"; reason: string }
  | { action: "unhide" }
  | { action: "declare-victory"; note: string };

export const transitionSchema = z.discriminatedUnion("action", [
  z.object({ action: z.literal("submit") }),
  z.object({ action: z.literal("co-sponsor") }),
  z.object({ action: z.literal("approve") }),
  z.object({
    action: z.literal("reject"),
    reason: z.enum(REJECTION_REASONS, { message: "Choose a reason" }),
    note: z.string().trim().max(1000).optional(),
  }),
  z.object({ action: z.literal("close") }),
  z.object({ action: z.literal("archive") }),
  z.object({
    action: z.literal("hide"),
    reason: z.string({ message: "Say why" }).trim().min(3, "Say why").max(500),
  }),
  z.object({ action: z.literal("unhide") }),
  z.object({ action: z.literal("declare-victory"), note: victorySchema.shape.body }),
]);

/** Which states each action leaves from. */
const FROM: Record<Transition["action"], PetitionState[]> = {
  submit: ["draft"],
  "co-sponsor": ["collecting"],
  approve: ["awaiting_moderation"],
  reject: ["awaiting_moderation"],
  close: ["open"],
  archive: ["closed", "rejected"],
  hide: ["open", "closed"],
  unhide: ["open", "closed"],
  "declare-victory": ["open", "closed"],
};

/** Moderators never moderate a petition they started or co-sponsored (review, edit, close, hide, invalidate). */
export const OWN_PETITION = "You started or co-sponsored this petition, so another moderator must do this.";
const MODERATION: ReadonlySet<Transition["action"]> = new Set([
  "approve",
  "reject",
  "close",
  "archive",
  "hide",
  "unhide",
]);

/**
 * The one way a petition changes state. Checks the state and who may act, records the audit entry
 * and queues the emails, all in one transaction. `user` is null only for the scheduler's closing.
 */
export function transitionPetition(
  petitionId: number,
  transition: Transition,
  user: User | null,
  now = Date.now(),
): Petition {
  // Rendered before the write lock is taken.
  const noteHtml = transition.action === "declare-victory" ? renderMarkdown(transition.note) : "";
  return getDb().transaction(
    (tx) => {
      const petition = requirePetition(tx, petitionId);
      if (!FROM[transition.action].includes(petition.state)) {
        throw new PetitionError(
          `This petition is ${STATE_LABELS[petition.state].toLowerCase()}, so it cannot be ${
            {
              submit: "sent for co-sponsors",
              "co-sponsor": "co-sponsored",
              approve: "approved",
              reject: "rejected",
              close: "closed",
              archive: "archived",
              hide: "hidden",
              unhide: "shown again",
              "declare-victory": "declared won",
            }[transition.action]
          } now.`,
          409,
        );
      }
      const actor = user ? actorOf(user) : SYSTEM_ACTOR;
      const isModerator = user ? can(user, "moderate:petition") : false;
      if (
        user &&
        isModerator &&
        MODERATION.has(transition.action) &&
        sponsorIds(tx, petition.id).has(user.id)
      ) {
        throw new PetitionError(OWN_PETITION, 403);
      }
      const at = new Date(now);
      let next: Partial<Petition> = {};

      switch (transition.action) {
        case "submit": {
          if (user?.id !== petition.creatorId)
            throw new PetitionError("Only the creator can submit this petition.", 403);
          next =
            petition.coSponsorsRequired > 0
              ? { state: "collecting", submittedAt: at }
              : { state: "awaiting_moderation", submittedAt: at };
          break;
        }
        case "co-sponsor": {
          if (!user) throw new PetitionError("Sign in to co-sponsor.", 403);
          if (user.id === petition.creatorId)
            throw new PetitionError("You cannot co-sponsor your own petition.", 403);
          const added = tx
            .insert(petitionCoSponsors)
            .values({ petitionId, personId: user.id, createdAt: at })
            .onConflictDoNothing()
            .run();
          if (!added.changes) throw new PetitionError("You already co-sponsor this petition.", 409);
          const sponsors = coSponsorCount(tx, petitionId);
          if (sponsors >= petition.coSponsorsRequired) next = { state: "awaiting_moderation" };
          break;
        }
        case "approve": {
          if (!isModerator) throw new PetitionError("Only moderators can approve petitions.", 403);
          next = { state: "open", openedAt: at, closesAt: new Date(now + petition.openForDays * DAY_MS) };
          break;
        }
        case "reject": {
          if (!isModerator) throw new PetitionError("Only moderators can reject petitions.", 403);
          next = {
            state: "rejected",
            rejectionReason: transition.reason,
            rejectionNote: transition.note || null,
          };
          break;
        }
        case "close": {
          if (user && !isModerator)
            throw new PetitionError("Only moderators can close a petition early.", 403);
          next = { state: "closed", closedAt: at };
          break;
        }
        case "archive": {
          if (!isModerator) throw new PetitionError("Only moderators can archive petitions.", 403);
          next = { state: "archived", archivedAt: at };
          break;
        }
        case "hide": {
          if (!isModerator) throw new PetitionError("Only moderators can hide petitions.", 403);
          next = { hiddenAt: at, hiddenReason: transition.reason };
          break;
        }
        case "unhide": {
          if (!isModerator) throw new PetitionError("Only moderators can show a hidden petition.", 403);
          next = { hiddenAt: null, hiddenReason: null };
          break;
        }
        case "declare-victory": {
          if (!user || !isOrganizer(tx, petition, user.id))
            throw new PetitionError("Only the petition's organizers can declare victory.", 403);
          if (petition.hiddenAt) throw new PetitionError("This petition is hidden by moderators.", 409);
          if (petition.wonAt) throw new PetitionError("Victory was already declared.", 409);
          // A won petition stops collecting signatures: the ask is met.
          next = petition.state === "open" ? { wonAt: at, state: "closed", closedAt: at } : { wonAt: at };
          recordPetitionUpdate(tx, {
            petitionId,
            authorId: user.id,
            kind: "victory",
            body: transition.note,
            bodyHtml: noteHtml,
            at,
          });
          break;
        }
      }

      const updated = tx
        .update(petitions)
        .set({ ...next, updatedAt: at })
        .where(eq(petitions.id, petitionId))
        .returning()
        .get();
      recordAudit(
        tx,
        actor,
        `petition.${transition.action}`,
        { type: "petition", id: petitionId },
        {
          from: petition.state,
          to: updated.state,
          ...("reason" in transition ? { reason: transition.reason } : {}),
          ...("note" in transition && transition.note ? { note: transition.note } : {}),
        },
      );
      notifyTransition(tx, updated, petition.state, now);
      return updated;
    },
    { behavior: "immediate" },
  );
}

function petitionUrl(petition: Pick<Petition, "slug">): string {
  return `${getConfig().appUrl}/petitions/${petition.slug}`;
}

/** Emails the people concerned by a change of state, through the outbox, in the same transaction. */
function notifyTransition(tx: Tx, petition: Petition, from: PetitionState, now: number): void {
  if (petition.state === from) return;
  const organizers = organizerEmails(tx, petition.id);
  const send = (to: string, subject: string, paragraphs: string[]) =>
    enqueueMail(
      tx,
      {
        kind: `petition.${petition.state}`,
        to,
        subject,
        petitionId: petition.id,
        ...renderEmail({ paragraphs, action: { label: "Open the petition", url: petitionUrl(petition) } }),
      },
      now,
    );
  if (petition.state === "awaiting_moderation") {
    const moderators = tx
      .select({ email: people.email })
      .from(personRoles)
      .innerJoin(people, eq(people.id, personRoles.personId))
      .where(and(eq(personRoles.role, "moderator"), eq(people.active, true)))
      .all();
    for (const { email } of moderators) {
      send(email, `To review: “${petition.title}”`, [
        `The petition “${petition.title}” has its co-sponsors and awaits moderation.`,
      ]);
    }
  } else if (petition.state === "open") {
    for (const email of organizers) {
      send(email, `Approved: “${petition.title}” is open for signatures`, [
        `The petition “${petition.title}” was approved by a moderator and is now open for signatures.`,
      ]);
    }
  } else if (petition.state === "rejected" && petition.rejectionReason) {
    for (const email of organizers) {
      send(email, `Not approved: “${petition.title}”`, [
        `A moderator did not approve the petition “${petition.title}”.`,
        `Reason: ${REJECTION_LABELS[petition.rejectionReason]}.${petition.rejectionNote ? ` ${petition.rejectionNote}` : ""}`,
      ]);
    }
  } else if (petition.state === "closed") {
    for (const email of organizers) {
      send(email, `Closed: “${petition.title}”`, [
        `The petition “${petition.title}” has closed with ${petition.signatureCount.toLocaleString("en")} signatures.`,
      ]);
    }
  }
}

function coSponsorCount(exec: Executor, petitionId: number): number {
  return (
    exec
      .select({ n: count() })
      .from(petitionCoSponsors)
      .where(eq(petitionCoSponsors.petitionId, petitionId))
      .get()?.n ?? 0
  );
}

function requirePetition(exec: Executor, petitionId: number): Petition {
  const petition = exec.select().from(petitions).where(eq(petitions.id, petitionId)).get();
  if (!petition) throw new PetitionError("There is no such petition.", 404);
  return petition;
}

/**
 * What every petition page, list and API call reads: prepared once per connection. Built and
 * prepared on each call, a petition by slug cost 0.6 ms; prepared, 0.03 ms (docs/benchmarks.md).
 */
const statements = preparedStatements((db) => ({
  due: db
    .select({ id: petitions.id, closesAt: petitions.closesAt })
    .from(petitions)
    .where(and(eq(petitions.state, "open"), lte(petitions.closesAt, sql.placeholder("now"))))
    .prepare(),
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

/** Closes open petitions whose closing date has passed: on a schedule and before reads. */
export function closeExpiredPetitions(now = Date.now()): number {
  const due = statements().due.all({ now });
  for (const { id, closesAt } of due) {
    try {
      // Closed as of its closing date, whenever the check happens to run.
      transitionPetition(id, { action: "close" }, null, closesAt?.getTime() ?? now);
    } catch (error) {
      // Closed meanwhile by a moderator: nothing to do.
      if (!(error instanceof PetitionError)) throw error;
    }
  }
  return due.length;
}

// ---- Reading -------------------------------------------------------------------------------------

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

/** The petition at this address if this person may see it: others are told it does not exist. */
export function findVisiblePetition(idOrSlug: string, user: User | null): Petition | undefined {
  const petition = findPetition(idOrSlug);
  return petition && canView(getDb(), petition, user) ? petition : undefined;
}

export function findPetition(idOrSlug: string): Petition | undefined {
  closeExpiredPetitions();
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

const matchesSearch = (query: string) =>
  sql`${petitions.id} in (select rowid from petitions_fts where petitions_fts match ${query})`;

/**
 * What a list shows of each petition (PetitionCard): not the body, which can be 10,000 characters
 * and would otherwise go through the loader's JSON and into the page for nothing.
 */
const CARD_COLUMNS = {
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
  closeExpiredPetitions();
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

/** The petition at this address if this viewer may see it: all an action on the page needs. */
export function findViewablePetition(slug: string, user: User | null): Petition | null {
  const petition = findPetition(slug);
  return petition && canView(getDb(), petition, user) ? petition : null;
}

/** Everything the petition page shows, for this viewer; null when they may not see it. */
export function petitionPage(slug: string, user: User | null) {
  const petition = findViewablePetition(slug, user);
  if (!petition) return null;
  const creator = statements().personName.get({ id: petition.creatorId });
  const sponsors = listCoSponsors(petition.id);
  const milestoneRows = listMilestones(petition.id);
  const [status] = withStatus([petition]);
  const isModerator = user ? can(user, "moderate:petition") : false;
  return {
    petition,
    creatorName: creator?.name ?? "A colleague",
    coSponsors: sponsors,
    milestones: milestoneRows,
    nextThreshold: milestoneRows.find((m) => m.threshold > petition.signatureCount)?.threshold ?? null,
    responseDueAt: status?.responseDueAt ?? null,
    overdue: status?.overdue ?? false,
    responded: status?.responded ?? null,
    viewer: {
      signedIn: Boolean(user),
      isCreator: user?.id === petition.creatorId,
      isModerator,
      hasCoSponsored: user ? sponsors.some((s) => s.id === user.id) : false,
    },
  };
}

// ---- Public API ------------------------------------------------------------------------------------

export const API_STATES = ["open", "closed", "archived"] as const;
export const API_PAGE_SIZE = 50;

/** Public petitions only, newest first, keyset-paginated by id. */
export function listPetitionsForApi(filter: {
  state?: (typeof API_STATES)[number];
  q?: string;
  cursor?: number;
}) {
  closeExpiredPetitions();
  const conditions: SQL[] = [inArray(petitions.state, [...API_STATES]), isNull(petitions.hiddenAt)];
  if (filter.state) conditions.push(eq(petitions.state, filter.state));
  const query = filter.q ? ftsQuery(filter.q) : null;
  if (query) conditions.push(matchesSearch(query));
  if (filter.cursor) conditions.push(sql`${petitions.id} < ${filter.cursor}`);
  const rows = getDb()
    .select()
    .from(petitions)
    .where(and(...conditions))
    .orderBy(desc(petitions.id))
    .limit(API_PAGE_SIZE + 1)
    .all();
  const page = rows.slice(0, API_PAGE_SIZE);
  return {
    petitions: page.map((p) => toApiPetition(p, null)),
    nextCursor: rows.length > API_PAGE_SIZE ? (page.at(-1)?.id ?? null) : null,
  };
}

/** The API's view of a petition: no person is named but the petition itself. */
export function toApiPetition(
  petition: Petition,
  milestoneRows: ReturnType<typeof listMilestones> | null,
  responses: Array<{
    announcementId: number;
    stance: string;
    publishedAt: Date | null;
    url: string;
    milestoneThresholds: number[];
  }> = [],
) {
  const url = `${getConfig().appUrl}/petitions/${petition.slug}`;
  return {
    id: petition.id,
    slug: petition.slug,
    url,
    title: petition.title,
    summary: petition.summary,
    category: petition.category,
    state: petition.state,
    signatureCount: petition.signatureCount,
    createdAt: petition.createdAt.toISOString(),
    openedAt: petition.openedAt?.toISOString() ?? null,
    closesAt: petition.closesAt?.toISOString() ?? null,
    closedAt: petition.closedAt?.toISOString() ?? null,
    ...(milestoneRows
      ? {
          body: petition.body,
          milestones: milestoneRows.map((m) => ({
            threshold: m.threshold,
            reachedAt: m.reachedAt?.toISOString() ?? null,
            responseRequired: m.responseRequired,
            responseDueAt: m.responseDueAt?.toISOString() ?? null,
            // The published announcements that answered this milestone.
            responses: responses
              .filter((r) => r.milestoneThresholds.includes(m.threshold))
              .map((r) => ({
                announcementId: r.announcementId,
                stance: r.stance,
                publishedAt: r.publishedAt?.toISOString() ?? null,
                url: r.url,
              })),
          })),
          ledger: { length: petition.ledgerLength, head: petition.ledgerHead },
        }
      : {}),
  };
}

/** A public petition by id or slug, or undefined (drafts, hidden and rejected ones are not public). */
export function findPublicPetition(idOrSlug: string): Petition | undefined {
  const petition = findPetition(idOrSlug);
  return petition && isPublic(petition) ? petition : undefined;
}
