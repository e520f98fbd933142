import { and, count, desc, eq, inArray, type SQL, sql } from "drizzle-orm";
import { type Executor, getDb } from "../../../db/client";
import {
  people,
  policies,
  policyFeedback,
  policyFeedbackReplies,
  policyFeedbackTags,
  policyVersions,
} from "../../../db/schema";
import { type Group, K, suppressSmallGroups } from "../../platform/anonymity/small-groups";
import { renderMarkdown } from "../../platform/content/markdown.server";
import { renderEmail } from "../../platform/mail/email-layout.server";
import { unsubscribeHeaders, unsubscribeUrl } from "../../platform/mail/email-preferences.server";
import { enqueueMail } from "../../platform/mail/outbox.server";
import { wordsForRecipient } from "../../platform/mail/recipient-words.server";
import { say } from "../../platform/said";
import { actorOf, recordAudit } from "../../platform/security/audit.server";
import { absoluteUrl } from "../../platform/site/addresses.server";
import type { FeedbackStatus } from "../../vocabulary/feedback";
import type { User } from "../identity/sessions.server";
import { canReadFeedback, dayOf, FeedbackError, repliesFor, requireReader } from "./feedback.server";
import { FEEDBACK_LIMITS } from "./feedback-forms";

/**
 * The owners' side of policy feedback: the inbox with its filters, tags and statuses, counts and
 * ratings with small-group suppression, and private replies relayed to the author.
 */

export const INBOX_PAGE_SIZE = 20;

export type InboxFilter = { version?: number; status?: FeedbackStatus; tag?: string; page: number };

/** The owners' inbox: newest first, filtered by version, status and tag. */
export function feedbackInbox(policyId: number, user: User, filter: InboxFilter) {
  const db = getDb();
  requireReader(db, policyId, user);
  const conditions: SQL[] = [eq(policyFeedback.policyId, policyId)];
  if (filter.version)
    conditions.push(
      inArray(
        policyFeedback.versionId,
        db
          .select({ id: policyVersions.id })
          .from(policyVersions)
          .where(and(eq(policyVersions.policyId, policyId), eq(policyVersions.version, filter.version))),
      ),
    );
  if (filter.status) conditions.push(eq(policyFeedback.status, filter.status));
  if (filter.tag)
    conditions.push(
      inArray(
        policyFeedback.id,
        db
          .select({ id: policyFeedbackTags.feedbackId })
          .from(policyFeedbackTags)
          .where(eq(policyFeedbackTags.tag, filter.tag)),
      ),
    );
  const where = and(...conditions);
  const rows = db
    .select({
      id: policyFeedback.id,
      anonymous: policyFeedback.anonymous,
      bodyHtml: policyFeedback.bodyHtml,
      rating: policyFeedback.rating,
      status: policyFeedback.status,
      createdAt: policyFeedback.createdAt,
      version: policyVersions.version,
      // Joined only for named feedback: an anonymous author's row is never read here.
      authorName: people.name,
      authorDepartment: people.department,
    })
    .from(policyFeedback)
    .leftJoin(policyVersions, eq(policyVersions.id, policyFeedback.versionId))
    .leftJoin(people, and(eq(people.id, policyFeedback.authorId), eq(policyFeedback.anonymous, false)))
    .where(where)
    // Time order, the (random, ADR 31) id breaking ties.
    .orderBy(desc(policyFeedback.createdAt), desc(policyFeedback.id))
    .limit(INBOX_PAGE_SIZE)
    .offset((filter.page - 1) * INBOX_PAGE_SIZE)
    .all();
  const total = db.select({ n: count() }).from(policyFeedback).where(where).get()?.n ?? 0;
  const ids = rows.map((r) => r.id);
  const tags = ids.length
    ? db.select().from(policyFeedbackTags).where(inArray(policyFeedbackTags.feedbackId, ids)).all()
    : [];
  const replies = repliesFor(ids);
  const allTags = db
    .selectDistinct({ tag: policyFeedbackTags.tag })
    .from(policyFeedbackTags)
    .innerJoin(policyFeedback, eq(policyFeedback.id, policyFeedbackTags.feedbackId))
    .where(eq(policyFeedback.policyId, policyId))
    .orderBy(policyFeedbackTags.tag)
    .all()
    .map((t) => t.tag);
  return {
    items: rows.map((row) => ({
      ...row,
      author: row.anonymous
        ? null
        : { name: row.authorName ?? "A colleague", department: row.authorDepartment },
      authorName: undefined,
      authorDepartment: undefined,
      createdAt: row.anonymous ? dayOf(row.createdAt) : row.createdAt,
      dayOnly: row.anonymous,
      tags: tags.filter((t) => t.feedbackId === row.id).map((t) => t.tag),
      replies: replies.get(row.id) ?? [],
    })),
    total,
    pageCount: Math.max(1, Math.ceil(total / INBOX_PAGE_SIZE)),
    tags: allTags,
    newCount:
      db
        .select({ n: count() })
        .from(policyFeedback)
        .where(and(eq(policyFeedback.policyId, policyId), eq(policyFeedback.status, "new")))
        .get()?.n ?? 0,
  };
}

/**
 * Count and average rating per version, through the same small-group suppression as signer
 * breakdowns (named feedback is visible to owners, so a small anonymous part is protected too). An
 * average is shown for a group of at least K ratings: a shown version, the versions folded together
 * (their combined average, like their combined count), and all feedback — the last only when every
 * part with ratings shows its own, so that no hidden average can be worked out by subtraction.
 */
export function feedbackAggregates(policyId: number, user: User) {
  const db = getDb();
  requireReader(db, policyId, user);
  const rows = db
    .select({
      version: policyVersions.version,
      total: count(),
      anonymous: sql<number>`sum(${policyFeedback.anonymous})`,
      rated: sql<number>`count(${policyFeedback.rating})`,
      ratingSum: sql<number | null>`sum(${policyFeedback.rating})`,
    })
    .from(policyFeedback)
    .leftJoin(policyVersions, eq(policyVersions.id, policyFeedback.versionId))
    .where(eq(policyFeedback.policyId, policyId))
    .groupBy(policyVersions.version)
    .all();
  const label = (version: number | null) => (version === null ? "Before any version" : `Version ${version}`);
  const groups: Group[] = rows.map((r) => ({
    label: label(r.version),
    total: r.total,
    anonymous: Number(r.anonymous),
  }));
  const breakdown = suppressSmallGroups(groups);
  const ratings = new Map(
    rows.map((r) => [label(r.version), { rated: r.rated, sum: Number(r.ratingSum ?? 0) }]),
  );
  const averageOf = (parts: Array<{ rated: number; sum: number } | undefined>) => {
    const rated = parts.reduce((n, p) => n + (p?.rated ?? 0), 0);
    const sum = parts.reduce((n, p) => n + (p?.sum ?? 0), 0);
    return { rated, average: rated >= K ? Math.round((sum / rated) * 10) / 10 : null };
  };
  const shown = breakdown.rows.map((row) => ({
    ...row,
    ...(row.shown ? averageOf([ratings.get(row.label)]) : { rated: null, average: null }),
  }));
  const fold = averageOf(breakdown.rows.filter((row) => !row.shown).map((row) => ratings.get(row.label)));
  const all = averageOf([...ratings.values()]);
  const everyPartShown =
    shown.every((row) => !row.shown || row.rated === 0 || row.average !== null) &&
    (fold.rated === 0 || fold.average !== null);
  return {
    ...breakdown,
    rows: shown.map(({ rated: _rated, ...row }) => row),
    /** The folded versions' combined average: null below K ratings or with nothing folded. */
    foldedAverage: breakdown.folded === null ? null : fold.average,
    /** Every rating's average, when it gives no hidden one away. */
    totalAverage: everyPartShown ? all.average : null,
    /** How many ratings there are in all (each rating is on its item in the inbox anyway). */
    rated: all.rated,
  };
}

export function requireFeedback(exec: Executor, feedbackId: number, user: User) {
  const item = exec.select().from(policyFeedback).where(eq(policyFeedback.id, feedbackId)).get();
  if (!item) throw new FeedbackError(say("server.policy.noSuchFeedback"), 404);
  requireReader(exec, item.policyId, user);
  return item;
}

export function setFeedbackStatus(
  feedbackId: number,
  status: FeedbackStatus,
  user: User,
  now = Date.now(),
): void {
  getDb().transaction(
    (tx) => {
      const item = requireFeedback(tx, feedbackId, user);
      if (item.status === status) return;
      tx.update(policyFeedback)
        .set({ status, updatedAt: new Date(now) })
        .where(eq(policyFeedback.id, feedbackId))
        .run();
      recordAudit(tx, actorOf(user), "feedback.status", { type: "feedback", id: feedbackId }, { status });
    },
    { behavior: "immediate" },
  );
}

export function tagFeedback(feedbackId: number, tag: string, add: boolean, user: User): void {
  getDb().transaction(
    (tx) => {
      requireFeedback(tx, feedbackId, user);
      if (add) {
        const existing =
          tx
            .select({ n: count() })
            .from(policyFeedbackTags)
            .where(eq(policyFeedbackTags.feedbackId, feedbackId))
            .get()?.n ?? 0;
        if (existing >= FEEDBACK_LIMITS.tagsPerItem)
          throw new FeedbackError(say("server.policy.tooManyTags", { max: FEEDBACK_LIMITS.tagsPerItem }));
        const added = tx.insert(policyFeedbackTags).values({ feedbackId, tag }).onConflictDoNothing().run();
        if (!added.changes) return;
      } else {
        const removed = tx
          .delete(policyFeedbackTags)
          .where(and(eq(policyFeedbackTags.feedbackId, feedbackId), eq(policyFeedbackTags.tag, tag)))
          .run();
        if (!removed.changes) return;
      }
      recordAudit(
        tx,
        actorOf(user),
        add ? "feedback.tag" : "feedback.untag",
        { type: "feedback", id: feedbackId },
        { tag },
      );
    },
    { behavior: "immediate" },
  );
}

/**
 * An owner replies privately. The platform relays the reply to the author — by email unless they
 * turned reply emails off, and on their "My feedback" page — so owners never learn who an anonymous
 * author is. The audit entry names the feedback, never its author.
 */
export function replyToFeedback(feedbackId: number, body: string, user: User, now = Date.now()): number {
  if (body.length > FEEDBACK_LIMITS.reply) throw new FeedbackError(say("server.policy.atMost5000"));
  const bodyHtml = renderMarkdown(body);
  return getDb().transaction(
    (tx) => {
      const item = requireFeedback(tx, feedbackId, user);
      const id = tx
        .insert(policyFeedbackReplies)
        .values({ feedbackId, authorId: user.id, body, bodyHtml, createdAt: new Date(now) })
        .returning({ id: policyFeedbackReplies.id })
        .get().id;
      if (item.status === "new")
        tx.update(policyFeedback)
          .set({ status: "read", updatedAt: new Date(now) })
          .where(eq(policyFeedback.id, feedbackId))
          .run();
      recordAudit(
        tx,
        actorOf(user),
        "feedback.reply",
        { type: "feedback", id: feedbackId },
        { policyId: item.policyId },
      );
      // Anonymous feedback has no author to email: its author reads replies with the secret their
      // browser keeps (My feedback) or the receipt code.
      if (item.authorId !== null) notifyAuthor(tx, { ...item, authorId: item.authorId }, body, now);
      return id;
    },
    { behavior: "immediate" },
  );
}

function notifyAuthor(
  tx: Executor,
  item: { authorId: number; policyId: number },
  body: string,
  now: number,
): void {
  // Queued whatever the author's state: the mail sender drops it if they left or turned these emails
  // off, so the outbox shows no difference (ADR 0032).
  const author = tx
    .select({ email: people.email, locale: people.locale, timeZone: people.timeZone })
    .from(people)
    .where(eq(people.id, item.authorId))
    .get();
  if (!author) return;
  const policy = tx
    .select({ title: policies.title })
    .from(policies)
    .where(eq(policies.id, item.policyId))
    .get();
  const stopUrl = unsubscribeUrl(item.authorId, "comment-replies");
  const { t } = wordsForRecipient(author);
  enqueueMail(
    tx,
    {
      kind: "feedback.reply",
      to: author.email,
      recipient: { hidden: true, personId: item.authorId, optOutTopic: "comment-replies" },
      subject: policy
        ? t("server.email.feedbackReply.subject", { title: policy.title })
        : t("server.email.feedbackReply.subjectNoPolicy"),
      headers: unsubscribeHeaders(stopUrl),
      ...renderEmail({
        paragraphs: [
          policy
            ? t("server.email.feedbackReply.intro", { title: policy.title })
            : t("server.email.feedbackReply.introNoPolicy"),
          body,
        ],
        action: { label: t("server.email.feedbackReply.action"), url: absoluteUrl("/my/feedback") },
        unsubscribeUrl: stopUrl,
        t,
      }),
    },
    now,
  );
}

/** For the policy page: how many unread items wait for this owner (null if they are not one). */
export function unreadFeedbackCount(policyId: number, user: User | null): number | null {
  if (!user) return null;
  const db = getDb();
  if (!canReadFeedback(policyId, user, db)) return null;
  return (
    db
      .select({ n: count() })
      .from(policyFeedback)
      .where(and(eq(policyFeedback.policyId, policyId), eq(policyFeedback.status, "new")))
      .get()?.n ?? 0
  );
}
