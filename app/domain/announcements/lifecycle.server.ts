import { and, asc, desc, eq, inArray, isNull, lte, sql } from "drizzle-orm";
import { type Executor, getDb, preparedStatements } from "../../../db/client";
import {
  announcementMilestones,
  announcementResponses,
  announcementRevisions,
  announcements,
  commitments,
  commitmentUpdates,
  milestones,
  people,
  petitions,
  policies,
  policyVersions,
} from "../../../db/schema";
import { getConfig } from "../../config.server";
import { type Actor, actorOf, recordAudit, SYSTEM_ACTOR } from "../../platform/audit.server";
import { isOptedOut, unsubscribeHeaders, unsubscribeUrl } from "../../platform/email-preferences.server";
import { renderMarkdown } from "../../platform/markdown.server";
import { enqueueMail, renderEmail } from "../../platform/outbox.server";
import { Refusal } from "../../platform/refusal";
import { uniqueSlug } from "../../platform/slugs";
import { type CommitmentStatus, STANCE_LABELS, type Stance } from "../../vocabulary/announcements";
import { can, rolesOf } from "../identity/permissions.server";
import type { User } from "../identity/sessions.server";
import { organizerEmails } from "../petitions/organizers.server";
import { isPublic } from "../petitions/reads.server";
import { diffTexts, policyChoices, publishPolicyVersion } from "../policies/registry.server";
import type { AnnouncementInput } from "./forms";
import { ANSWERED, responseStatuses } from "./obligations.server";

/**
 * Leadership's announcements (memos): drafted, previewed, published now or on a schedule. Publishing
 * answers petitions (a stance each, and the response-required milestones they had reached), may
 * publish a policy version, and emails signers (in batches, by the scheduler) and organizers.
 */

export class AnnouncementError extends Refusal {}

export type Announcement = typeof announcements.$inferSelect;
const RESERVED = new Set(["new"]);
export const EMAIL_BATCH_SIZE = 200;

function requireAuthor(user: User): void {
  if (!can(user, "publish:announcement")) {
    throw new AnnouncementError("Only leadership and admins write announcements.", 403);
  }
}

function requireAnnouncement(exec: Executor, id: number): Announcement {
  const row = exec.select().from(announcements).where(eq(announcements.id, id)).get();
  if (!row) throw new AnnouncementError("There is no such announcement.", 404);
  return row;
}

/** Responses may only name public petitions; the policy must exist. */
function checkLinks(exec: Executor, input: AnnouncementInput): void {
  for (const response of input.responses) {
    const petition = exec.select().from(petitions).where(eq(petitions.id, response.petitionId)).get();
    if (!petition || !isPublic(petition)) {
      throw new AnnouncementError("An announcement can only answer open, closed or archived petitions.");
    }
  }
  if (
    input.policyId &&
    !exec.select({ id: policies.id }).from(policies).where(eq(policies.id, input.policyId)).get()
  ) {
    throw new AnnouncementError("There is no such policy.");
  }
}

function replaceLinks(exec: Executor, id: number, input: AnnouncementInput): void {
  exec.delete(announcementResponses).where(eq(announcementResponses.announcementId, id)).run();
  for (const response of input.responses) {
    exec
      .insert(announcementResponses)
      .values({ announcementId: id, ...response })
      .run();
  }
  exec.delete(commitments).where(eq(commitments.announcementId, id)).run();
  input.commitments.forEach((commitment, position) => {
    exec
      .insert(commitments)
      .values({
        announcementId: id,
        position,
        text: commitment.text,
        status: commitment.status,
        dueAt: commitment.dueAt ?? null,
      })
      .run();
  });
}

/**
 * Creates a draft, or saves one (or a scheduled one). After publishing, only the title and text can
 * change: the earlier version is kept and the page says "updated".
 */
export function saveAnnouncement(
  id: number | null,
  input: AnnouncementInput,
  user: User,
  now = Date.now(),
): Announcement {
  requireAuthor(user);
  const bodyHtml = renderMarkdown(input.body);
  return getDb().transaction(
    (tx) => {
      checkLinks(tx, input);
      const policyFields = {
        policyId: input.policyId ?? null,
        policyBody: input.policyId ? (input.policyBody ?? null) : null,
        policyChangeSummary: input.policyId ? (input.policyChangeSummary ?? null) : null,
        policyEffectiveAt: input.policyId ? (input.policyEffectiveAt ?? null) : null,
      };
      if (id === null) {
        const slug = uniqueSlug(input.title, "announcement", RESERVED, (s) =>
          Boolean(
            tx.select({ id: announcements.id }).from(announcements).where(eq(announcements.slug, s)).get(),
          ),
        );
        const created = tx
          .insert(announcements)
          .values({
            slug,
            title: input.title,
            body: input.body,
            bodyHtml,
            authorId: user.id,
            ...policyFields,
            createdAt: new Date(now),
            updatedAt: new Date(now),
          })
          .returning()
          .get();
        replaceLinks(tx, created.id, input);
        recordAudit(
          tx,
          actorOf(user),
          "announcement.draft",
          { type: "announcement", id: created.id },
          { title: input.title },
        );
        return created;
      }
      const existing = requireAnnouncement(tx, id);
      if (existing.state === "published") {
        if (existing.title === input.title && existing.body === input.body) return existing;
        tx.insert(announcementRevisions)
          .values({
            announcementId: id,
            title: existing.title,
            body: existing.body,
            replacedAt: new Date(now),
          })
          .run();
        const updated = tx
          .update(announcements)
          .set({
            title: input.title,
            body: input.body,
            bodyHtml,
            updatedAfterPublishingAt: new Date(now),
            updatedAt: new Date(now),
          })
          .where(eq(announcements.id, id))
          .returning()
          .get();
        recordAudit(
          tx,
          actorOf(user),
          "announcement.update",
          { type: "announcement", id },
          { title: input.title },
        );
        return updated;
      }
      const updated = tx
        .update(announcements)
        .set({ title: input.title, body: input.body, bodyHtml, ...policyFields, updatedAt: new Date(now) })
        .where(eq(announcements.id, id))
        .returning()
        .get();
      replaceLinks(tx, id, input);
      recordAudit(
        tx,
        actorOf(user),
        "announcement.edit-draft",
        { type: "announcement", id },
        { title: input.title },
      );
      return updated;
    },
    { behavior: "immediate" },
  );
}

export function scheduleAnnouncement(id: number, at: Date, user: User, now = Date.now()): void {
  requireAuthor(user);
  if (at.getTime() <= now) throw new AnnouncementError("Choose a time in the future, or publish now.");
  getDb().transaction(
    (tx) => {
      const existing = requireAnnouncement(tx, id);
      if (existing.state === "published") throw new AnnouncementError("It is already published.", 409);
      tx.update(announcements)
        .set({ state: "scheduled", publishAt: at })
        .where(eq(announcements.id, id))
        .run();
      recordAudit(
        tx,
        actorOf(user),
        "announcement.schedule",
        { type: "announcement", id },
        { publishAt: at.toISOString() },
      );
    },
    { behavior: "immediate" },
  );
}

/** Publishes now: stance per petition, milestones answered, policy version, organizer emails, audit. */
export function publishAnnouncement(
  id: number,
  user: User,
  now = Date.now(),
  actor: Actor = actorOf(user),
): Announcement {
  requireAuthor(user);
  return getDb().transaction(
    (tx) => {
      const existing = requireAnnouncement(tx, id);
      if (existing.state === "published") throw new AnnouncementError("It is already published.", 409);
      const at = new Date(now);
      const responses = tx
        .select()
        .from(announcementResponses)
        .where(eq(announcementResponses.announcementId, id))
        .all();
      // A petition hidden or rejected since the draft was saved is not answered in public.
      for (const response of responses) {
        const petition = tx.select().from(petitions).where(eq(petitions.id, response.petitionId)).get();
        if (!petition || !isPublic(petition)) {
          throw new AnnouncementError(
            `“${petition?.title ?? "A petition"}” is no longer public; edit the draft before publishing.`,
            409,
          );
        }
      }
      // Each response answers the response-required milestones its petition has reached and that no
      // earlier announcement answered.
      for (const response of responses) {
        const outstanding = getDb()
          .$client.prepare<[number], { id: number }>(
            `select m.id from milestones m where m.petition_id = ? and m.response_required = 1
             and m.reached_at is not null and not ${ANSWERED}`,
          )
          .all(response.petitionId);
        for (const milestone of outstanding) {
          tx.insert(announcementMilestones).values({ announcementId: id, milestoneId: milestone.id }).run();
        }
      }
      if (
        existing.policyId &&
        existing.policyBody &&
        existing.policyChangeSummary &&
        existing.policyEffectiveAt
      ) {
        publishPolicyVersion(
          existing.policyId,
          {
            body: existing.policyBody,
            changeSummary: existing.policyChangeSummary,
            effectiveAt: existing.policyEffectiveAt,
          },
          user,
          { now, exec: tx, announcementId: id },
        );
      }
      for (const commitment of tx
        .select()
        .from(commitments)
        .where(eq(commitments.announcementId, id))
        .all()) {
        tx.insert(commitmentUpdates)
          .values({ commitmentId: commitment.id, status: commitment.status, byId: user.id, at })
          .run();
      }
      const published = tx
        .update(announcements)
        .set({ state: "published", publishedAt: at, publishAt: null, emailCursor: 0, updatedAt: at })
        .where(eq(announcements.id, id))
        .returning()
        .get();
      notifyOrganizers(tx, published, responses, now);
      recordAudit(
        tx,
        actor,
        "announcement.publish",
        { type: "announcement", id },
        {
          title: published.title,
          petitions: responses.map((r) => r.petitionId),
        },
      );
      return published;
    },
    { behavior: "immediate" },
  );
}

const announcementUrl = (slug: string) => `${getConfig().appUrl}/announcements/${slug}`;

function notifyOrganizers(
  tx: Executor,
  announcement: Announcement,
  responses: Array<{ petitionId: number; stance: Stance }>,
  now: number,
): void {
  for (const response of responses) {
    const petition = tx
      .select({ title: petitions.title })
      .from(petitions)
      .where(eq(petitions.id, response.petitionId))
      .get();
    for (const email of organizerEmails(tx, response.petitionId)) {
      enqueueMail(
        tx,
        {
          kind: "petition.response",
          to: email,
          petitionId: response.petitionId,
          subject: `Leadership responded to your petition “${petition?.title ?? ""}”`,
          ...renderEmail({
            paragraphs: [
              `Leadership published “${announcement.title}”, which answers your petition “${petition?.title ?? ""}”.`,
              `Stance: ${STANCE_LABELS[response.stance]}.`,
            ],
            action: { label: "Read the announcement", url: announcementUrl(announcement.slug) },
          }),
        },
        now,
      );
    }
  }
}

/** The scheduler: publishes scheduled announcements whose time has come, as their author. */
export function publishDueAnnouncements(now = Date.now()): number {
  const due = getDb()
    .select()
    .from(announcements)
    .where(and(eq(announcements.state, "scheduled"), lte(announcements.publishAt, new Date(now))))
    .all();
  let published = 0;
  for (const row of due) {
    const author = getDb().select().from(people).where(eq(people.id, row.authorId)).get();
    if (!author) continue;
    try {
      // Someone deactivated since (they left) keeps their roles on record but publishes nothing.
      const roles = author.active ? rolesOf(author.id) : [];
      publishAnnouncement(row.id, { ...author, roles }, now, SYSTEM_ACTOR);
      published++;
    } catch (error) {
      // Published meanwhile, the author lost the right to publish, a petition was hidden: it stays
      // scheduled for a person to decide, and the other due announcements still go out.
      console.error(
        `announcement ${row.id} was not published:`,
        error instanceof Error ? error.message : error,
      );
    }
  }
  return published;
}

/**
 * The scheduler: queues the next batch of signer emails for each published announcement. Each batch
 * and the cursor that records it commit together, so a restart neither skips nor repeats anyone. A
 * person who signed several of the answered petitions gets one email; organizers got theirs at
 * publishing, and those who signed get this one too (leaving them out would let an organizer learn
 * whether a colleague signed by making them a co-organizer); people who turned these emails off get none. Returns how many signers it went through
 * (0 once every announcement is done). Anonymous signers are emailed like everyone
 * else — by the platform, so nobody learns who they are.
 */
export function queueAnnouncementEmails(now = Date.now(), batchSize = EMAIL_BATCH_SIZE): number {
  const db = getDb();
  const pending = db
    .select()
    .from(announcements)
    .where(and(eq(announcements.state, "published"), isNull(announcements.emailsDoneAt)))
    .all();
  let processed = 0;
  for (const announcement of pending) {
    db.transaction(
      (tx) => {
        const cursor =
          tx
            .select({ cursor: announcements.emailCursor })
            .from(announcements)
            .where(eq(announcements.id, announcement.id))
            .get()?.cursor ?? 0;
        // Paged by person id, which no withdrawal or invalidation can change: each person once.
        const batch = getDb()
          .$client.prepare<[number, number], { person_id: number; email: string; petition_id: number }>(
            `select s.person_id, p.email, min(s.petition_id) as petition_id
             from signatures s join people p on p.id = s.person_id
             where s.petition_id in (select petition_id from announcement_responses where announcement_id = ?)
               and s.withdrawn_at is null and s.invalidated_at is null and p.active = 1 and s.person_id > ?
             group by s.person_id
             order by s.person_id limit ${batchSize}`,
          )
          .all(announcement.id, cursor);
        const stances = new Map(
          tx
            .select({
              petitionId: announcementResponses.petitionId,
              stance: announcementResponses.stance,
              title: petitions.title,
            })
            .from(announcementResponses)
            .innerJoin(petitions, eq(petitions.id, announcementResponses.petitionId))
            .where(eq(announcementResponses.announcementId, announcement.id))
            .all()
            .map((r) => [r.petitionId, r]),
        );
        processed += batch.length;
        for (const signer of batch) {
          if (isOptedOut(tx, signer.person_id, "petition-responses")) continue;
          const response = stances.get(signer.petition_id);
          const stopUrl = unsubscribeUrl(signer.person_id, "petition-responses");
          enqueueMail(
            tx,
            {
              kind: "signer.response",
              to: signer.email,
              petitionId: signer.petition_id,
              subject: `Leadership responded to “${response?.title ?? ""}”`,
              headers: unsubscribeHeaders(stopUrl),
              ...renderEmail({
                paragraphs: [
                  `Leadership published “${announcement.title}”, which answers a petition you signed: “${response?.title ?? ""}”.`,
                  `Stance: ${response ? STANCE_LABELS[response.stance] : ""}.`,
                ],
                action: { label: "Read the announcement", url: announcementUrl(announcement.slug) },
                unsubscribeUrl: stopUrl,
              }),
            },
            now,
          );
        }
        const last = batch.at(-1);
        tx.update(announcements)
          .set(
            batch.length < batchSize
              ? { emailCursor: last?.person_id ?? cursor, emailsDoneAt: new Date(now) }
              : { emailCursor: last?.person_id ?? cursor },
          )
          .where(eq(announcements.id, announcement.id))
          .run();
      },
      { behavior: "immediate" },
    );
  }
  return processed;
}

/** Leadership updates a commitment's status; each change is kept with its date. */
export function updateCommitment(
  commitmentId: number,
  update: { status: CommitmentStatus; note?: string; dueAt?: Date; announcementId?: number },
  user: User,
  now = Date.now(),
): void {
  requireAuthor(user);
  getDb().transaction(
    (tx) => {
      const commitment = tx.select().from(commitments).where(eq(commitments.id, commitmentId)).get();
      if (
        !commitment ||
        (update.announcementId !== undefined && commitment.announcementId !== update.announcementId)
      ) {
        throw new AnnouncementError("There is no such commitment.", 404);
      }
      const announcement = requireAnnouncement(tx, commitment.announcementId);
      if (announcement.state !== "published")
        throw new AnnouncementError("Publish the announcement first.", 409);
      const newDue =
        update.dueAt && update.dueAt.getTime() !== commitment.dueAt?.getTime() ? update.dueAt : null;
      if (commitment.status === update.status && !update.note && !newDue) return;
      tx.update(commitments)
        .set({ status: update.status, ...(newDue ? { dueAt: newDue } : {}) })
        .where(eq(commitments.id, commitmentId))
        .run();
      tx.insert(commitmentUpdates)
        .values({
          commitmentId,
          status: update.status,
          // A moved due date is part of the record, said in the note.
          note:
            [update.note, newDue ? `Now due ${newDue.toISOString().slice(0, 10)}` : null]
              .filter(Boolean)
              .join(" — ") || null,
          byId: user.id,
          at: new Date(now),
        })
        .run();
      recordAudit(
        tx,
        actorOf(user),
        "commitment.update",
        { type: "commitment", id: commitmentId },
        {
          status: update.status,
          announcementId: announcement.id,
        },
      );
    },
    { behavior: "immediate" },
  );
}

// ---- Reading -------------------------------------------------------------------------------------

export const ANNOUNCEMENTS_PAGE_SIZE = 20;

export function listAnnouncements(options: { page: number; includeUnpublished: boolean }) {
  const db = getDb();
  const where = options.includeUnpublished ? undefined : eq(announcements.state, "published");
  const rows = db
    .select()
    .from(announcements)
    .where(where)
    .orderBy(
      sql`${announcements.publishedAt} is not null`,
      desc(announcements.publishedAt),
      desc(announcements.id),
    )
    .limit(ANNOUNCEMENTS_PAGE_SIZE)
    .offset((options.page - 1) * ANNOUNCEMENTS_PAGE_SIZE)
    .all();
  const total = db.select({ n: sql<number>`count(*)` }).from(announcements).where(where).get()?.n ?? 0;
  return { announcements: rows, pageCount: Math.max(1, Math.ceil(total / ANNOUNCEMENTS_PAGE_SIZE)) };
}

export function findAnnouncement(idOrSlug: string): Announcement | undefined {
  const byId = /^\d+$/.test(idOrSlug)
    ? eq(announcements.id, Number(idOrSlug))
    : eq(announcements.slug, idOrSlug);
  return getDb().select().from(announcements).where(byId).get();
}

/**
 * What a page may send to the browser about an announcement: loader data reaches the browser whole,
 * and the row also holds the email batches' cursor — the person id of a signer.
 */
export function announcementView(a: Announcement) {
  return {
    id: a.id,
    slug: a.slug,
    title: a.title,
    state: a.state,
    bodyHtml: a.bodyHtml,
    publishAt: a.publishAt,
    publishedAt: a.publishedAt,
    updatedAfterPublishingAt: a.updatedAfterPublishingAt,
  };
}

/** Whether this person may see it: published ones everyone; drafts and scheduled ones their writers. */
export function canViewAnnouncement(announcement: Announcement, user: User | null): boolean {
  return announcement.state === "published" || Boolean(user && can(user, "publish:announcement"));
}

/** Everything the announcement page shows. */
export function announcementDetails(announcement: Announcement) {
  const db = getDb();
  const responses = db
    .select({
      petitionId: petitions.id,
      slug: petitions.slug,
      title: petitions.title,
      signatureCount: petitions.signatureCount,
      stance: announcementResponses.stance,
    })
    .from(announcementResponses)
    .innerJoin(petitions, eq(petitions.id, announcementResponses.petitionId))
    .where(eq(announcementResponses.announcementId, announcement.id))
    .all();
  const answered = db
    .select({
      petitionId: milestones.petitionId,
      threshold: milestones.threshold,
      dueAt: milestones.responseDueAt,
    })
    .from(announcementMilestones)
    .innerJoin(milestones, eq(milestones.id, announcementMilestones.milestoneId))
    .where(eq(announcementMilestones.announcementId, announcement.id))
    .all();
  const commitmentRows = db
    .select()
    .from(commitments)
    .where(eq(commitments.announcementId, announcement.id))
    .orderBy(asc(commitments.position))
    .all();
  const updates = commitmentRows.length
    ? db
        .select()
        .from(commitmentUpdates)
        .where(
          inArray(
            commitmentUpdates.commitmentId,
            commitmentRows.map((c) => c.id),
          ),
        )
        .orderBy(asc(commitmentUpdates.id))
        .all()
    : [];
  const author = db
    .select({ name: people.name })
    .from(people)
    .where(eq(people.id, announcement.authorId))
    .get();
  return {
    author: author?.name ?? "Leadership",
    responses: responses.map((r) => ({
      ...r,
      milestones: answered.filter((m) => m.petitionId === r.petitionId),
    })),
    commitments: commitmentRows.map((c) => ({
      ...c,
      updates: updates.filter((u) => u.commitmentId === c.id),
    })),
    policy: policyChange(announcement),
    revisions: db
      .select({
        title: announcementRevisions.title,
        body: announcementRevisions.body,
        replacedAt: announcementRevisions.replacedAt,
      })
      .from(announcementRevisions)
      .where(eq(announcementRevisions.announcementId, announcement.id))
      .orderBy(asc(announcementRevisions.id))
      .all(),
  };
}

/** The policy version this announcement publishes (or will), with its diff against the one it replaces. */
function policyChange(announcement: Announcement) {
  if (!announcement.policyId) return null;
  const db = getDb();
  const policy = db.select().from(policies).where(eq(policies.id, announcement.policyId)).get();
  if (!policy) return null;
  const published = db
    .select()
    .from(policyVersions)
    .where(eq(policyVersions.announcementId, announcement.id))
    .get();
  const body = published?.body ?? announcement.policyBody ?? "";
  const previous = db
    .select()
    .from(policyVersions)
    .where(
      and(
        eq(policyVersions.policyId, policy.id),
        published ? sql`${policyVersions.version} < ${published.version}` : sql`1 = 1`,
      ),
    )
    .orderBy(desc(policyVersions.version))
    .get();
  return {
    slug: policy.slug,
    title: policy.title,
    version: published?.version ?? null,
    previousVersion: previous?.version ?? null,
    changeSummary: published?.changeSummary ?? announcement.policyChangeSummary,
    effectiveAt: published?.effectiveAt ?? announcement.policyEffectiveAt,
    diff: diffTexts(previous?.body ?? "", body),
  };
}

/** Every petition page's timeline asks for its responses: prepared once per connection. */
const statements = preparedStatements((db) => ({
  responses: db
    .select({
      petitionId: announcementResponses.petitionId,
      announcementId: announcements.id,
      slug: announcements.slug,
      title: announcements.title,
      stance: announcementResponses.stance,
      publishedAt: announcements.publishedAt,
      milestoneThresholds: sql<
        string | null
      >`(select group_concat(m.threshold) from announcement_milestones am
        join milestones m on m.id = am.milestone_id
        where am.announcement_id = ${announcements.id} and m.petition_id = ${announcementResponses.petitionId})`,
    })
    .from(announcementResponses)
    .innerJoin(announcements, eq(announcements.id, announcementResponses.announcementId))
    .where(
      and(
        sql`${announcementResponses.petitionId} in (select value from json_each(${sql.placeholder("ids")}))`,
        eq(announcements.state, "published"),
      ),
    )
    .orderBy(asc(announcements.publishedAt))
    .prepare(),
}));

/** Published responses to these petitions, for the petition API and timeline. */
export function responsesToPetitions(petitionIds: number[]) {
  if (!petitionIds.length) return [];
  return statements()
    .responses.all({ ids: JSON.stringify(petitionIds) })
    .map((r) => ({
      ...r,
      url: announcementUrl(r.slug),
      milestoneThresholds: (r.milestoneThresholds ?? "").split(",").filter(Boolean).map(Number),
    }));
}

/** The API's view of an announcement. */
export function toApiAnnouncement(announcement: Announcement) {
  const details = announcementDetails(announcement);
  return {
    id: announcement.id,
    slug: announcement.slug,
    url: announcementUrl(announcement.slug),
    title: announcement.title,
    body: announcement.body,
    publishedAt: announcement.publishedAt?.toISOString() ?? null,
    updatedAt: announcement.updatedAfterPublishingAt?.toISOString() ?? null,
    responses: details.responses.map((r) => ({
      petitionId: r.petitionId,
      petitionUrl: `${getConfig().appUrl}/petitions/${r.slug}`,
      stance: r.stance,
      milestones: r.milestones.map((m) => m.threshold),
    })),
    policyVersion: details.policy?.version
      ? {
          policy: details.policy.slug,
          version: details.policy.version,
          effectiveAt: details.policy.effectiveAt?.toISOString() ?? null,
        }
      : null,
    commitments: details.commitments.map((c) => ({
      text: c.text,
      status: c.status,
      dueAt: c.dueAt?.toISOString() ?? null,
      updates: c.updates.map((u) => ({ status: u.status, note: u.note, at: u.at.toISOString() })),
    })),
  };
}

/** What the announcement form offers: public petitions (those awaiting a response marked) and policies. */
export function announcementFormChoices() {
  const rows = getDb()
    .select({ id: petitions.id, title: petitions.title })
    .from(petitions)
    .where(and(inArray(petitions.state, ["open", "closed", "archived"]), isNull(petitions.hiddenAt)))
    .orderBy(desc(petitions.signatureCount))
    .limit(200)
    .all();
  const statuses = responseStatuses(rows.map((r) => r.id));
  return {
    petitions: rows.map((r) => ({ ...r, awaiting: statuses.get(r.id)?.kind === "awaiting" })),
    policies: policyChoices(),
  };
}

/** The form's values for an existing announcement. */
export function announcementFormValues(announcement: Announcement) {
  const db = getDb();
  const day = (date: Date | null) => (date ? date.toISOString().slice(0, 10) : "");
  return {
    title: announcement.title,
    body: announcement.body,
    responses: db
      .select()
      .from(announcementResponses)
      .where(eq(announcementResponses.announcementId, announcement.id))
      .all()
      .map((r) => ({ petitionId: String(r.petitionId), stance: r.stance })),
    policyId: announcement.policyId ? String(announcement.policyId) : "",
    policyBody: announcement.policyBody ?? "",
    policyChangeSummary: announcement.policyChangeSummary ?? "",
    policyEffectiveAt: day(announcement.policyEffectiveAt),
    commitments: db
      .select()
      .from(commitments)
      .where(eq(commitments.announcementId, announcement.id))
      .orderBy(asc(commitments.position))
      .all()
      .map((c) => ({ text: c.text, status: c.status, dueAt: day(c.dueAt) })),
  };
}
