import { and, eq, lte } from "drizzle-orm";
import { type Executor, getDb } from "../../../db/client";
import {
  announcementMilestones,
  announcementProxyActs,
  announcementResponses,
  announcementRevisions,
  announcements,
  commitments,
  commitmentUpdates,
  people,
  petitions,
  policies,
} from "../../../db/schema";
import { renderMarkdown } from "../../platform/content/markdown.server";
import { renderEmail } from "../../platform/mail/email-layout.server";
import { enqueueMail } from "../../platform/mail/outbox.server";
import { wordsForRecipient } from "../../platform/mail/recipient-words.server";
import { Refusal } from "../../platform/refusal";
import { logText } from "../../platform/runtime/log-text";
import { say } from "../../platform/said";
import { type Actor, actorOf, recordAudit, SYSTEM_ACTOR } from "../../platform/security/audit.server";
import { absoluteUrl } from "../../platform/site/addresses.server";
import type { ProxyAct, Stance } from "../../vocabulary/announcements";
import { newAddress } from "../addresses/addresses.server";
import { chatMemoAnswered } from "../chat/events.server";
import { can, rolesOf } from "../identity/permissions.server";
import type { User } from "../identity/sessions.server";
import { organizerRecipients } from "../petitions/organizers.server";
import { isPublic } from "../petitions/rights.server";
import { publishPolicyVersion } from "../policies/registry.server";
import type { AnnouncementInput } from "./forms";
import { ANSWERED } from "./obligations.server";

/**
 * Leadership's announcements (memos): drafted, previewed, published now or on a schedule. Publishing
 * answers petitions (a stance each, and the response-required milestones they had reached), may
 * publish a policy version, and emails organizers (signers are emailed by mailing.server.ts).
 */

export class AnnouncementError extends Refusal {}

export type Announcement = typeof announcements.$inferSelect;
export const EMAIL_BATCH_SIZE = 200;

export function requireAuthor(user: User): void {
  if (!can(user, "publish:announcement")) {
    throw new AnnouncementError(say("server.announcement.onlyLeadership"), 403);
  }
}

/**
 * A memo is its author's. Another leader (or an admin) may edit, schedule, publish it or update its
 * commitments only by saying they act on the author's behalf: the act is recorded on the memo (the
 * page shows "edited on behalf of …") and in the audit log. Without that, a 403.
 */
export function requireOwnOrOnBehalf(
  exec: Executor,
  announcement: Announcement,
  user: User,
  onBehalf: boolean | undefined,
  act: ProxyAct,
  now = Date.now(),
): void {
  if (announcement.authorId === user.id) return;
  const author = exec
    .select({ name: people.name })
    .from(people)
    .where(eq(people.id, announcement.authorId))
    .get();
  if (!onBehalf)
    throw new AnnouncementError(
      author?.name
        ? say("server.announcement.someoneElsesMemo", { name: author.name })
        : say("server.announcement.anotherLeadersMemo"),
      403,
    );
  exec
    .insert(announcementProxyActs)
    .values({ announcementId: announcement.id, byId: user.id, act, at: new Date(now) })
    .run();
  recordAudit(
    exec,
    actorOf(user),
    "announcement.on-behalf",
    { type: "announcement", id: announcement.id },
    { act, authorId: announcement.authorId },
  );
}

export function requireAnnouncement(exec: Executor, id: number): Announcement {
  const row = exec.select().from(announcements).where(eq(announcements.id, id)).get();
  if (!row) throw new AnnouncementError(say("server.announcement.noSuchAnnouncement"), 404);
  return row;
}

/** Responses may only name public petitions; the policy must exist. */
function checkLinks(exec: Executor, input: AnnouncementInput): void {
  for (const response of input.responses) {
    const petition = exec.select().from(petitions).where(eq(petitions.id, response.petitionId)).get();
    if (!petition || !isPublic(petition)) {
      throw new AnnouncementError(say("server.announcement.answersPublicPetitions"));
    }
  }
  if (
    input.policyId &&
    !exec.select({ id: policies.id }).from(policies).where(eq(policies.id, input.policyId)).get()
  ) {
    throw new AnnouncementError(say("server.announcement.noSuchPolicy"));
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
  const onBehalf = input.onBehalf;
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
        const slug = newAddress(tx, "announcement", input.title);
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
      requireOwnOrOnBehalf(tx, existing, user, onBehalf, "edit", now);
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

export function scheduleAnnouncement(
  id: number,
  at: Date,
  user: User,
  now = Date.now(),
  onBehalf?: boolean,
): void {
  requireAuthor(user);
  if (at.getTime() <= now) throw new AnnouncementError(say("server.announcement.futureTime"));
  getDb().transaction(
    (tx) => {
      const existing = requireAnnouncement(tx, id);
      requireOwnOrOnBehalf(tx, existing, user, onBehalf, "schedule", now);
      if (existing.state === "published")
        throw new AnnouncementError(say("server.announcement.alreadyPublished"), 409);
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
  onBehalf?: boolean,
): Announcement {
  requireAuthor(user);
  return getDb().transaction(
    (tx) => {
      const existing = requireAnnouncement(tx, id);
      requireOwnOrOnBehalf(tx, existing, user, onBehalf, "publish", now);
      if (existing.state === "published")
        throw new AnnouncementError(say("server.announcement.alreadyPublished"), 409);
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
            petition
              ? say("server.announcement.petitionNoLongerPublic", { title: petition.title })
              : say("server.announcement.aPetitionNoLongerPublic"),
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
      for (const response of responses) {
        const petition = tx
          .select({ title: petitions.title })
          .from(petitions)
          .where(eq(petitions.id, response.petitionId))
          .get();
        if (petition)
          chatMemoAnswered(
            tx,
            { title: published.title, url: announcementUrl(published.slug) },
            petition,
            response.stance,
            now,
          );
      }
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

export const announcementUrl = (slug: string) => absoluteUrl(`/announcements/${slug}`);

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
    const title = petition?.title ?? "";
    for (const organizer of organizerRecipients(tx, response.petitionId)) {
      const { t } = wordsForRecipient(organizer);
      enqueueMail(
        tx,
        {
          kind: "petition.response",
          to: organizer.email,
          petitionId: response.petitionId,
          subject: t("server.email.response.organizerSubject", { title }),
          ...renderEmail({
            paragraphs: [
              t("server.email.response.organizerPublished", { announcement: announcement.title, title }),
              t("server.email.response.stance", { stance: response.stance }),
            ],
            action: { label: t("server.email.response.action"), url: announcementUrl(announcement.slug) },
            t,
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
        `announcement ${row.id} was not published: ${logText(error instanceof Error ? error.message : error)}`,
      );
    }
  }
  return published;
}
