import { and, asc, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { getDb, preparedStatements } from "../../../db/client";
import {
  announcementMilestones,
  announcementProxyActs,
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
import { renderMarkdownDiff } from "../../platform/content/markdown-diff.server";
import { petitionUrl } from "../../platform/site/addresses.server";
import { dayOf, minuteOf, startOfDay } from "../../platform/time";
import { formerAddressOwner } from "../addresses/addresses.server";
import { can } from "../identity/permissions.server";
import type { User } from "../identity/sessions.server";
import { policyChoices } from "../policies/registry.server";
import { isCommitmentOverdue } from "./commitments.server";
import { type Announcement, announcementUrl } from "./lifecycle.server";
import { responseStatuses } from "./obligations.server";

/** What the announcement pages, the API, the feed and the petition timeline read of memos. */

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

/** The announcement at this id, address or former address (which the routes redirect from). */
export function findAnnouncement(idOrSlug: string): Announcement | undefined {
  const db = getDb();
  const byId = (id: number) => db.select().from(announcements).where(eq(announcements.id, id)).get();
  if (/^\d+$/.test(idOrSlug)) return byId(Number(idOrSlug));
  const found = db.select().from(announcements).where(eq(announcements.slug, idOrSlug)).get();
  const movedId = found ? undefined : formerAddressOwner("announcement", idOrSlug);
  return movedId === undefined ? found : byId(movedId);
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
    // As the pages show them (loader data reaches the browser whole): a schedule to the minute,
    // publishing and later edits by the day.
    publishAt: minuteOf(a.publishAt),
    publishedAt: dayOf(a.publishedAt),
    updatedAfterPublishingAt: dayOf(a.updatedAfterPublishingAt),
  };
}

/** Whether this person may see it: published ones everyone; drafts and scheduled ones their writers. */
export function canViewAnnouncement(announcement: Announcement, user: User | null): boolean {
  return announcement.state === "published" || Boolean(user && can(user, "publish:announcement"));
}

/** Everything the announcement page shows; `now` decides which commitments are overdue. */
export function announcementDetails(announcement: Announcement, now = Date.now()) {
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
  const proxyActs = db
    .select({
      id: announcementProxyActs.id,
      act: announcementProxyActs.act,
      at: announcementProxyActs.at,
      by: people.name,
    })
    .from(announcementProxyActs)
    .innerJoin(people, eq(people.id, announcementProxyActs.byId))
    .where(eq(announcementProxyActs.announcementId, announcement.id))
    .orderBy(asc(announcementProxyActs.id))
    .all();
  return {
    author: author?.name ?? "Leadership",
    /** What other leaders did to it on its author's behalf (the page shows each, by day). */
    onBehalf: proxyActs.map((p) => ({
      id: p.id,
      act: p.act,
      by: p.by ?? "A leader",
      on: new Date(startOfDay(p.at.getTime())),
    })),
    responses: responses.map((r) => ({
      ...r,
      milestones: answered.filter((m) => m.petitionId === r.petitionId),
    })),
    // Each change of status by the day the page shows, not who made it (the audit log has that).
    commitments: commitmentRows.map((c) => ({
      ...c,
      overdue: isCommitmentOverdue(c, now),
      updates: updates
        .filter((u) => u.commitmentId === c.id)
        .map(({ byId: _byId, at, ...u }) => ({ ...u, at: new Date(startOfDay(at.getTime())) })),
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
      .all()
      .map((r) => ({ ...r, replacedAt: minuteOf(r.replacedAt) })),
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
    /** Rendered and sanitized, the changes marked. */
    diffHtml: renderMarkdownDiff(previous?.body ?? "", body),
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
export function toApiAnnouncement(announcement: Announcement, now = Date.now()) {
  const details = announcementDetails(announcement, now);
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
      petitionUrl: petitionUrl(r.slug),
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
      overdue: c.overdue,
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

/** Whether this person wrote the memo (others act on it only on the author's behalf). */
export const isAuthorOf = (announcement: Pick<Announcement, "authorId">, user: User | null) =>
  user !== null && announcement.authorId === user.id;
