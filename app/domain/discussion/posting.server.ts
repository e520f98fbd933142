import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { type Executor, getDb, preparedStatements } from "../../../db/client";
import {
  commentReports,
  commentRevisions,
  comments,
  commentThreads,
  commentVotes,
  people,
} from "../../../db/schema";
import { actorOf, recordAudit, SYSTEM_ACTOR } from "../../platform/audit.server";
import { isOptedOut, unsubscribeHeaders, unsubscribeUrl } from "../../platform/email-preferences.server";
import { renderMarkdown } from "../../platform/markdown.server";
import { enqueueMail, renderEmail } from "../../platform/outbox.server";
import { hitRateLimits, type RateLimitResult } from "../../platform/rate-limits.server";
import { Refusal } from "../../platform/refusal";
import { getSettings } from "../../platform/settings.server";
import { can } from "../identity/permissions.server";
import type { User } from "../identity/sessions.server";
import {
  absoluteUrl,
  type Commentable,
  type CommentSubject,
  resolveCommentable,
} from "./commentables.server";
import {
  COMMENTS_PAGE_SIZE,
  type CommentSort,
  MAX_COMMENT_DEPTH,
  REPLIES_PAGE_SIZE,
  REPLIES_PREVIEW,
  type ReportReason,
} from "./forms";

/**
 * Comment threads on anything commentable (see commentables.server.ts). This module owns the rules:
 * nesting, anonymity, votes, edits, deletion, reports and moderation.
 *
 * Anonymity: an anonymous comment's author_id never leaves this module. Views carry `mine` (for the
 * author alone) and a null author name; emails about an anonymous comment go to its author through
 * the outbox, whose recipients admins cannot see.
 */

export class CommentError extends Refusal {}

export type { CommentSubject };

export const COMMENT_LIMITS = {
  post: { perMinute: { limit: 5, windowMs: 60_000 }, perHour: { limit: 60, windowMs: 60 * 60_000 } },
  vote: { limit: 120, windowMs: 60_000 },
  report: { limit: 20, windowMs: 60 * 60_000 },
  // Each edit keeps a version for moderators: a flood of edits would bury them.
  edit: { limit: 10, windowMs: 10 * 60_000 },
};

function rateLimit(hits: Parameters<typeof hitRateLimits>[0], now: number): void {
  const result: RateLimitResult = hitRateLimits(hits, now);
  if (!result.allowed) {
    const seconds = Math.ceil(result.retryAfterMs / 1000);
    throw new CommentError(
      `You are doing that too often. Please wait ${seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`}.`,
      429,
    );
  }
}

const postingLimits = (user: User): Parameters<typeof hitRateLimits>[0] => [
  [`comment:${user.id}:minute`, COMMENT_LIMITS.post.perMinute],
  [`comment:${user.id}:hour`, COMMENT_LIMITS.post.perHour],
];

const isModerator = (user: User | null) => Boolean(user && can(user, "moderate:comment"));

type CommentRow = typeof comments.$inferSelect;

function requireSubject(exec: Executor, subject: CommentSubject, user: User | null): Commentable {
  const commentable = resolveCommentable(exec, subject);
  if (!commentable?.canView(user)) throw new CommentError("There is nothing here.", 404);
  return commentable;
}

function findThread(exec: Executor, subject: CommentSubject) {
  return exec
    .select()
    .from(commentThreads)
    .where(and(eq(commentThreads.subjectType, subject.type), eq(commentThreads.subjectId, subject.id)))
    .get();
}

type ThreadRow = typeof commentThreads.$inferSelect;

/** The comment with its thread and subject, checking that this person may see it. */
function requireComment(exec: Executor, commentId: number, user: User | null) {
  const comment = exec.select().from(comments).where(eq(comments.id, commentId)).get();
  if (!comment) throw new CommentError("There is no such comment.", 404);
  const thread = exec.select().from(commentThreads).where(eq(commentThreads.id, comment.threadId)).get();
  if (!thread) throw new CommentError("There is no such comment.", 404);
  const subject = { type: thread.subjectType, id: thread.subjectId };
  const commentable = requireSubject(exec, subject, user);
  return { comment, thread, subject, commentable };
}

function requireOpenForPosting(thread: ThreadRow | undefined, commentable: Commentable): void {
  if (commentable.closedReason) throw new CommentError(commentable.closedReason, 409);
  if (thread?.lockedAt) {
    throw new CommentError(`This discussion is locked by a moderator: ${thread.lockedReason ?? ""}`, 409);
  }
}

// ---- Writing -------------------------------------------------------------------------------------

export type PostInput = { body: string; anonymous: boolean };

/** A top-level comment, or a reply when `parentId` is given. Returns the new comment's id. */
export function postComment(
  subject: CommentSubject | null,
  input: PostInput & { parentId?: number },
  user: User,
  now = Date.now(),
): number {
  rateLimit(postingLimits(user), now);
  const bodyHtml = renderMarkdown(input.body);
  return getDb().transaction((tx) => insertComment(tx, subject, { ...input, bodyHtml }, user, now), {
    behavior: "immediate",
  });
}

/**
 * A signer's "why I'm signing", posted as their top-level comment with the same choice of anonymity,
 * inside the signing transaction. Skipped (the reason stays on the signature) while a moderator has
 * the discussion locked, and past the comment limits: signing, withdrawing and signing again with a
 * new reason must not post more than commenting would (the signature itself still counts).
 */
export function postSigningReason(
  exec: Executor,
  petitionId: number,
  reason: { body: string; bodyHtml: string },
  anonymous: boolean,
  user: User,
  now: number,
): number | null {
  const subject: CommentSubject = { type: "petition", id: petitionId };
  if (findThread(exec, subject)?.lockedAt) return null;
  if (!hitRateLimits(postingLimits(user), now).allowed) return null;
  return insertComment(exec, subject, { ...reason, anonymous, fromSignature: true }, user, now);
}

function insertComment(
  tx: Executor,
  subject: CommentSubject | null,
  input: PostInput & { parentId?: number; bodyHtml: string; fromSignature?: boolean },
  user: User,
  now: number,
): number {
  let parent: CommentRow | undefined;
  let target = subject;
  if (input.parentId !== undefined) {
    const found = requireComment(tx, input.parentId, user);
    parent = found.comment;
    target = found.subject;
    if (parent.deletedAt) throw new CommentError("That comment was deleted; it cannot be answered.", 409);
    if (parent.hiddenAt) throw new CommentError("That comment is hidden; it cannot be answered.", 409);
  }
  if (!target) throw new CommentError("There is nothing here.", 404);
  const commentable = requireSubject(tx, target, user);
  let thread = findThread(tx, target);
  requireOpenForPosting(thread, commentable);
  thread ??= tx
    .insert(commentThreads)
    .values({ subjectType: target.type, subjectId: target.id, createdAt: new Date(now) })
    .returning()
    .get();

  // Deeper than the limit: placed beside the comment it answers, which it quotes.
  const placement = !parent
    ? { parentId: null, depth: 1, inReplyToId: null }
    : parent.depth < MAX_COMMENT_DEPTH
      ? { parentId: parent.id, depth: parent.depth + 1, inReplyToId: null }
      : { parentId: parent.parentId, depth: MAX_COMMENT_DEPTH, inReplyToId: parent.id };
  const official =
    !input.anonymous && (commentable.officialIds.has(user.id) || user.roles.includes("leadership"));
  const created = tx
    .insert(comments)
    .values({
      threadId: thread.id,
      ...placement,
      authorId: user.id,
      anonymous: input.anonymous,
      official,
      fromSignature: input.fromSignature ?? false,
      body: input.body,
      bodyHtml: input.bodyHtml,
      createdAt: new Date(now),
    })
    .returning({ id: comments.id })
    .get();
  tx.update(commentThreads)
    .set({
      commentCount: sql`${commentThreads.commentCount} + 1`,
      topLevelCount: sql`${commentThreads.topLevelCount} + ${placement.parentId === null ? 1 : 0}`,
    })
    .where(eq(commentThreads.id, thread.id))
    .run();
  if (placement.parentId !== null) {
    tx.update(comments)
      .set({ replyCount: sql`${comments.replyCount} + 1` })
      .where(eq(comments.id, placement.parentId))
      .run();
  }
  if (parent) {
    notifyReply(
      tx,
      parent,
      { id: created.id, body: input.body, anonymous: input.anonymous },
      user,
      commentable,
    );
  }
  return created.id;
}

/** Tells the author of the answered comment, unless they wrote the reply, left, or turned it off. */
function notifyReply(
  tx: Executor,
  answered: CommentRow,
  reply: { id: number; body: string; anonymous: boolean },
  replier: User,
  commentable: Commentable,
): void {
  if (answered.authorId === replier.id) return;
  const author = tx
    .select({ email: people.email, active: people.active })
    .from(people)
    .where(eq(people.id, answered.authorId))
    .get();
  if (!author?.active || isOptedOut(tx, answered.authorId, "comment-replies")) return;
  const who = reply.anonymous ? "A verified colleague" : (replier.name ?? "A colleague");
  const excerpt = reply.body.length > 600 ? `${reply.body.slice(0, 600)}…` : reply.body;
  const stopUrl = unsubscribeUrl(answered.authorId, "comment-replies");
  enqueueMail(tx, {
    kind: "comment.reply",
    to: author.email,
    subject: `${who} replied to your comment on “${commentable.title}”`,
    headers: unsubscribeHeaders(stopUrl),
    ...renderEmail({
      paragraphs: [`${who} replied to your comment on “${commentable.title}”:`, excerpt],
      action: { label: "Read the reply", url: absoluteUrl(`/comments/${reply.id}`) },
      unsubscribeUrl: stopUrl,
    }),
  });
}

function requireAuthor(comment: CommentRow, user: User): void {
  if (comment.authorId !== user.id) throw new CommentError("Only the author can change this comment.", 403);
  if (comment.deletedAt) throw new CommentError("This comment was deleted.", 409);
}

/** Replaces the text, keeping the earlier version for moderators. */
export function editComment(commentId: number, body: string, user: User, now = Date.now()): void {
  rateLimit([[`edit:${user.id}`, COMMENT_LIMITS.edit]], now);
  const bodyHtml = renderMarkdown(body);
  getDb().transaction(
    (tx) => {
      const { comment, thread, commentable } = requireComment(tx, commentId, user);
      requireAuthor(comment, user);
      if (comment.hiddenAt) throw new CommentError("A hidden comment cannot be edited.", 409);
      requireOpenForPosting(thread, commentable);
      if (comment.body === body) return;
      tx.insert(commentRevisions)
        .values({
          commentId,
          body: comment.body,
          writtenAt: comment.editedAt ?? comment.createdAt,
          replacedAt: new Date(now),
        })
        .run();
      tx.update(comments)
        .set({ body, bodyHtml, editedAt: new Date(now) })
        .where(eq(comments.id, commentId))
        .run();
    },
    { behavior: "immediate" },
  );
}

/**
 * Deleting removes the text and its earlier versions (the author asked for it to be gone) and leaves
 * a placeholder so replies still read in context. Open reports on it are closed.
 */
export function deleteComment(commentId: number, user: User, now = Date.now()): void {
  getDb().transaction(
    (tx) => {
      const { comment } = requireComment(tx, commentId, user);
      requireAuthor(comment, user);
      tx.delete(commentRevisions).where(eq(commentRevisions.commentId, commentId)).run();
      tx.update(comments)
        .set({ body: "", bodyHtml: "", deletedAt: new Date(now), openReports: 0 })
        .where(eq(comments.id, commentId))
        .run();
      resolveReports(tx, commentId, "deleted", now);
    },
    { behavior: "immediate" },
  );
}

/** Sets (not toggles) this person's upvote, so a repeated or concurrent request changes nothing. */
export function setVote(commentId: number, up: boolean, user: User, now = Date.now()): number {
  rateLimit([[`vote:${user.id}`, COMMENT_LIMITS.vote]], now);
  return getDb().transaction(
    (tx) => {
      const { comment, commentable } = requireComment(tx, commentId, user);
      if (comment.authorId === user.id) throw new CommentError("You cannot vote for your own comment.", 403);
      // Taking a vote back is always possible; a new one needs a live comment in an open discussion.
      if (up && (comment.deletedAt || comment.hiddenAt))
        throw new CommentError("This comment cannot be voted on.", 409);
      if (up && commentable.closedReason) throw new CommentError(commentable.closedReason, 409);
      const changed = up
        ? tx
            .insert(commentVotes)
            .values({ commentId, personId: user.id, createdAt: new Date(now) })
            .onConflictDoNothing()
            .run().changes
        : -tx
            .delete(commentVotes)
            .where(and(eq(commentVotes.commentId, commentId), eq(commentVotes.personId, user.id)))
            .run().changes;
      if (changed === 0) return comment.score;
      return tx
        .update(comments)
        .set({ score: sql`${comments.score} + ${changed}` })
        .where(eq(comments.id, commentId))
        .returning({ score: comments.score })
        .get().score;
    },
    { behavior: "immediate" },
  );
}

/**
 * One report per person per comment. At the configured number of open reports the comment hides
 * itself until a moderator looks. Reporting is not audited: reporters stay unknown to everyone.
 */
export function reportComment(
  commentId: number,
  report: { reason: ReportReason; note?: string },
  user: User,
  now = Date.now(),
): { hidden: boolean } {
  rateLimit([[`report:${user.id}`, COMMENT_LIMITS.report]], now);
  return getDb().transaction(
    (tx) => {
      const { comment } = requireComment(tx, commentId, user);
      if (comment.authorId === user.id) throw new CommentError("You cannot report your own comment.", 403);
      if (comment.deletedAt) throw new CommentError("This comment was deleted.", 409);
      if (comment.hiddenAt) throw new CommentError("This comment is already hidden.", 409);
      const inserted = tx
        .insert(commentReports)
        .values({
          commentId,
          reporterId: user.id,
          reason: report.reason,
          note: report.note || null,
          createdAt: new Date(now),
        })
        .onConflictDoNothing()
        .run();
      if (inserted.changes === 0) throw new CommentError("You have already reported this comment.", 409);
      const { openReports } = tx
        .update(comments)
        .set({ openReports: sql`${comments.openReports} + 1` })
        .where(eq(comments.id, commentId))
        .returning({ openReports: comments.openReports })
        .get();
      const threshold = getSettings(tx).commentReportThreshold;
      if (comment.hiddenAt || openReports < threshold) return { hidden: Boolean(comment.hiddenAt) };
      tx.update(comments)
        .set({
          hiddenAt: new Date(now),
          hiddenById: null,
          hiddenReason: `Reported by ${openReports} colleagues; waiting for a moderator.`,
        })
        .where(eq(comments.id, commentId))
        .run();
      recordAudit(tx, SYSTEM_ACTOR, "comment.auto-hide", { type: "comment", id: commentId }, { openReports });
      return { hidden: true };
    },
    { behavior: "immediate" },
  );
}

// ---- Moderation ----------------------------------------------------------------------------------

function requireModerator(user: User): void {
  if (!isModerator(user)) throw new CommentError("Only moderators can do that.", 403);
}

function moderatedComment(tx: Executor, commentId: number, moderator: User) {
  requireModerator(moderator);
  const found = requireComment(tx, commentId, moderator);
  if (found.comment.authorId === moderator.id) {
    throw new CommentError("Another moderator must review your own comment.", 403);
  }
  // No judging in one's own cause: not on a petition one organizes, nor a comment one reported.
  requireNoStake(found.commentable, moderator);
  const reported = tx
    .select({ id: commentReports.id })
    .from(commentReports)
    .where(and(eq(commentReports.commentId, commentId), eq(commentReports.reporterId, moderator.id)))
    .get();
  if (reported) throw new CommentError("You reported this comment; another moderator must review it.", 403);
  if (found.comment.deletedAt) throw new CommentError("This comment was deleted by its author.", 409);
  return found;
}

function requireNoStake(commentable: Commentable, moderator: User): void {
  if (commentable.hasStake(moderator.id)) {
    throw new CommentError("You have a stake in this; another moderator must moderate its discussion.", 403);
  }
}

function resolveReports(
  tx: Executor,
  commentId: number,
  resolution: "hidden" | "restored" | "dismissed" | "deleted",
  now: number,
): number {
  return tx
    .update(commentReports)
    .set({ resolvedAt: new Date(now), resolution })
    .where(and(eq(commentReports.commentId, commentId), isNull(commentReports.resolvedAt)))
    .run().changes;
}

/** Hides a comment with a reason; its author is told by email (through the platform). */
export function hideComment(commentId: number, reason: string, moderator: User, now = Date.now()): void {
  getDb().transaction(
    (tx) => {
      const { comment, commentable } = moderatedComment(tx, commentId, moderator);
      if (comment.hiddenAt && comment.hiddenById !== null) {
        throw new CommentError("A moderator already hid this comment.", 409);
      }
      tx.update(comments)
        .set({ hiddenAt: new Date(now), hiddenById: moderator.id, hiddenReason: reason, openReports: 0 })
        .where(eq(comments.id, commentId))
        .run();
      const reports = resolveReports(tx, commentId, "hidden", now);
      recordAudit(
        tx,
        actorOf(moderator),
        "comment.hide",
        { type: "comment", id: commentId },
        { reason, reports },
      );
      const author = tx
        .select({ email: people.email, active: people.active })
        .from(people)
        .where(eq(people.id, comment.authorId))
        .get();
      if (!author?.active) return;
      enqueueMail(tx, {
        kind: "comment.hidden",
        to: author.email,
        subject: `Your comment on “${commentable.title}” was hidden`,
        ...renderEmail({
          paragraphs: [
            `A moderator hid your comment on “${commentable.title}”. Others now see “hidden by a moderator” in its place; you can still see your text.`,
            `Reason: ${reason}`,
          ],
          action: { label: "See the comment", url: absoluteUrl(`/comments/${commentId}`) },
        }),
      });
    },
    { behavior: "immediate" },
  );
}

/** Shows a hidden comment again and closes its open reports. */
export function restoreComment(commentId: number, moderator: User, now = Date.now()): void {
  getDb().transaction(
    (tx) => {
      const { comment } = moderatedComment(tx, commentId, moderator);
      if (!comment.hiddenAt) throw new CommentError("This comment is not hidden.", 409);
      tx.update(comments)
        .set({ hiddenAt: null, hiddenById: null, hiddenReason: null, openReports: 0 })
        .where(eq(comments.id, commentId))
        .run();
      const reports = resolveReports(tx, commentId, "restored", now);
      recordAudit(tx, actorOf(moderator), "comment.restore", { type: "comment", id: commentId }, { reports });
    },
    { behavior: "immediate" },
  );
}

/** Closes the open reports as unfounded; a comment hidden only by those reports shows again. */
export function dismissReports(commentId: number, moderator: User, now = Date.now()): void {
  getDb().transaction(
    (tx) => {
      const { comment } = moderatedComment(tx, commentId, moderator);
      if (comment.openReports === 0) throw new CommentError("This comment has no open reports.", 409);
      const autoHidden = comment.hiddenAt !== null && comment.hiddenById === null;
      tx.update(comments)
        .set(autoHidden ? { openReports: 0, hiddenAt: null, hiddenReason: null } : { openReports: 0 })
        .where(eq(comments.id, commentId))
        .run();
      const reports = resolveReports(tx, commentId, "dismissed", now);
      recordAudit(
        tx,
        actorOf(moderator),
        "comment.dismiss-reports",
        { type: "comment", id: commentId },
        {
          reports,
          restored: autoHidden,
        },
      );
    },
    { behavior: "immediate" },
  );
}

/** Locks (reason given) or unlocks a thread: while locked nobody posts, replies or edits. */
export function setThreadLock(
  subject: CommentSubject,
  lock: { locked: true; reason: string } | { locked: false },
  moderator: User,
  now = Date.now(),
): void {
  getDb().transaction(
    (tx) => {
      requireModerator(moderator);
      requireNoStake(requireSubject(tx, subject, moderator), moderator);
      const thread =
        findThread(tx, subject) ??
        tx
          .insert(commentThreads)
          .values({ subjectType: subject.type, subjectId: subject.id, createdAt: new Date(now) })
          .returning()
          .get();
      if (Boolean(thread.lockedAt) === lock.locked) {
        throw new CommentError(
          lock.locked ? "The discussion is already locked." : "The discussion is not locked.",
          409,
        );
      }
      tx.update(commentThreads)
        .set(
          lock.locked
            ? { lockedAt: new Date(now), lockedReason: lock.reason, lockedById: moderator.id }
            : { lockedAt: null, lockedReason: null, lockedById: null },
        )
        .where(eq(commentThreads.id, thread.id))
        .run();
      recordAudit(
        tx,
        actorOf(moderator),
        lock.locked ? "comment-thread.lock" : "comment-thread.unlock",
        { type: "comment-thread", id: thread.id },
        { subject: `${subject.type}:${subject.id}`, ...(lock.locked ? { reason: lock.reason } : {}) },
      );
    },
    { behavior: "immediate" },
  );
}

// ---- Reading -------------------------------------------------------------------------------------

type RawComment = {
  id: number;
  parent_id: number | null;
  depth: number;
  author_id: number;
  anonymous: number;
  official: number;
  from_signature: number;
  body: string;
  body_html: string;
  score: number;
  reply_count: number;
  open_reports: number;
  created_at: number;
  edited_at: number | null;
  deleted_at: number | null;
  hidden_at: number | null;
  hidden_by_id: number | null;
  hidden_reason: string | null;
  author_name: string | null;
  rt_id: number | null;
  rt_author_name: string | null;
  rt_body: string | null;
  rt_gone: number | null;
};

// Identity is dropped in SQL: an anonymous comment's author name is never even read.
const SELECT_LIST = `c.id, c.parent_id, c.depth, c.author_id, c.anonymous, c.official, c.from_signature, c.body, c.body_html, c.score,
  c.reply_count, c.open_reports, c.created_at, c.edited_at, c.deleted_at, c.hidden_at, c.hidden_by_id,
  c.hidden_reason,
  case when c.anonymous then null else coalesce(a.name, 'A colleague') end as author_name,
  r.id as rt_id,
  case when r.anonymous or r.deleted_at is not null then null else coalesce(ra.name, 'A colleague') end as rt_author_name,
  case when r.deleted_at is null and r.hidden_at is null then substr(r.body, 1, 140) end as rt_body,
  (r.deleted_at is not null or r.hidden_at is not null) as rt_gone`;
const JOINS = `join people a on a.id = c.author_id
  left join comments r on r.id = c.in_reply_to_id
  left join people ra on ra.id = r.author_id`;
const COLUMNS = `${SELECT_LIST} from comments c ${JOINS}`;

/** Thread pages run these few statements whatever the thread's size (tested by counting them). */
const statements = preparedStatements((db) => {
  const prepare = (sqlText: string) => db.$client.prepare<unknown[], RawComment>(sqlText);
  const topLevel = (order: string) =>
    prepare(
      `select ${COLUMNS} where c.thread_id = ? and c.parent_id is null order by ${order} limit ? offset ?`,
    );
  return {
    top: topLevel("c.score desc, c.id desc"),
    newest: topLevel("c.id desc"),
    oldest: topLevel("c.id asc"),
    // The first few replies of each parent: a LIMIT per parent through the (parent_id, id) index, so a
    // parent with thousands of replies costs the same as one with three.
    // The bound is the id of the parent's Nth reply, found through the index once per parent.
    repliesPreview: prepare(
      `select ${SELECT_LIST} from json_each(?) p
       join comments c on c.parent_id = p.value and c.id <= coalesce(
         (select s.id from comments s where s.parent_id = p.value order by s.id limit 1 offset ?),
         9223372036854775807)
       ${JOINS}
       order by c.id`,
    ),
    replies: prepare(`select ${COLUMNS} where c.parent_id = ? order by c.id limit ? offset ?`),
    one: prepare(`select ${COLUMNS} where c.id = ?`),
    votes: db.$client.prepare<[number, string], { comment_id: number }>(
      "select comment_id from comment_votes where person_id = ? and comment_id in (select value from json_each(?))",
    ),
    reports: db.$client.prepare<[number, string], { comment_id: number }>(
      "select comment_id from comment_reports where reporter_id = ? and comment_id in (select value from json_each(?))",
    ),
    thread: db
      .select()
      .from(commentThreads)
      .where(
        and(
          eq(commentThreads.subjectType, sql.placeholder("type")),
          eq(commentThreads.subjectId, sql.placeholder("id")),
        ),
      )
      .prepare(),
  };
});

export type CommentView = {
  id: number;
  depth: number;
  parentId: number | null;
  /** Null for anonymous comments: shown as "Verified colleague". */
  authorName: string | null;
  anonymous: boolean;
  official: boolean;
  /** The viewer wrote it (true only for the author, so it reveals nothing to anyone else). */
  mine: boolean;
  state: "visible" | "hidden" | "deleted";
  /** The markdown source, for the author's edit form only. */
  source: string | null;
  /** Sanitized HTML; null when deleted, or hidden from this viewer. */
  bodyHtml: string | null;
  hiddenReason: string | null;
  hiddenPendingReview: boolean;
  /** Dated by day only (anonymous comments, signers' reasons). */
  dayOnly: boolean;
  createdAt: number;
  editedAt: number | null;
  score: number;
  voted: boolean;
  reported: boolean;
  replyCount: number;
  /** Moderators only; 0 for everyone else. */
  openReports: number;
  inReplyTo: { id: number; authorName: string | null; excerpt: string | null } | null;
  replies: CommentView[];
};

const startOfDay = (ms: number) => ms - (ms % 86_400_000);

function toView(
  row: RawComment,
  viewer: User | null,
  votes: ReadonlySet<number>,
  reports: ReadonlySet<number>,
): CommentView {
  const mine = viewer?.id === row.author_id;
  const moderator = isModerator(viewer);
  const state = row.deleted_at ? "deleted" : row.hidden_at ? "hidden" : "visible";
  const showBody = state === "visible" || (state === "hidden" && (mine || moderator));
  const dayOnly = Boolean(row.anonymous || row.from_signature);
  return {
    id: row.id,
    depth: row.depth,
    parentId: row.parent_id,
    authorName: state === "deleted" ? null : row.author_name,
    anonymous: Boolean(row.anonymous),
    official: state !== "deleted" && Boolean(row.official),
    mine,
    state,
    bodyHtml: showBody ? row.body_html : null,
    source: mine && state === "visible" ? row.body : null,
    hiddenReason: state === "hidden" && (mine || moderator) ? row.hidden_reason : null,
    hiddenPendingReview: state === "hidden" && row.hidden_by_id === null,
    // Anonymous comments carry their day only: an exact time could be lined up with someone's
    // known activity (or the ledger) to guess who wrote them. So do signers' reasons, whose exact
    // time is their signature's ledger time.
    dayOnly,
    createdAt: dayOnly ? startOfDay(row.created_at) : row.created_at,
    editedAt: row.edited_at === null ? null : dayOnly ? startOfDay(row.edited_at) : row.edited_at,
    score: row.score,
    voted: votes.has(row.id),
    reported: reports.has(row.id),
    replyCount: row.reply_count,
    openReports: moderator ? row.open_reports : 0,
    inReplyTo: row.rt_id
      ? { id: row.rt_id, authorName: row.rt_author_name, excerpt: row.rt_gone ? null : row.rt_body }
      : null,
    replies: [],
  };
}

/** Views for rows, with this viewer's votes and reports fetched in one statement each. */
function viewsOf(rows: RawComment[], viewer: User | null): CommentView[] {
  let votes = new Set<number>();
  let reports = new Set<number>();
  if (viewer && rows.length) {
    const ids = JSON.stringify(rows.map((r) => r.id));
    votes = new Set(
      statements()
        .votes.all(viewer.id, ids)
        .map((r) => r.comment_id),
    );
    reports = new Set(
      statements()
        .reports.all(viewer.id, ids)
        .map((r) => r.comment_id),
    );
  }
  return rows.map((row) => toView(row, viewer, votes, reports));
}

/** Attaches each parent's first replies (two levels below `parents`), in a fixed number of queries. */
function attachReplyPreviews(parents: RawComment[], viewer: User | null): CommentView[] {
  const { repliesPreview } = statements();
  const preview = (ids: number[]) =>
    ids.length ? repliesPreview.all(JSON.stringify(ids), REPLIES_PREVIEW - 1) : [];
  const level2 = preview(parents.filter((p) => p.depth < MAX_COMMENT_DEPTH).map((p) => p.id));
  const level3 = preview(level2.filter((p) => p.depth < MAX_COMMENT_DEPTH).map((p) => p.id));
  const views = viewsOf([...parents, ...level2, ...level3], viewer);
  const byId = new Map(views.map((v) => [v.id, v]));
  // Previews (everything after the parents) go under their parent, in id order.
  for (const view of views.slice(parents.length)) {
    if (view.parentId !== null) byId.get(view.parentId)?.replies.push(view);
  }
  return views.slice(0, parents.length);
}

export type ThreadInfo = {
  subject: CommentSubject;
  title: string;
  path: string;
  commentCount: number;
  topLevelCount: number;
  locked: { reason: string | null; at: number } | null;
  closedReason: string | null;
  signedIn: boolean;
  canPost: boolean;
  canModerate: boolean;
};

function threadInfo(
  subject: CommentSubject,
  commentable: Commentable,
  thread: ThreadRow | undefined,
  viewer: User | null,
): ThreadInfo {
  const locked = thread?.lockedAt ? { reason: thread.lockedReason, at: thread.lockedAt.getTime() } : null;
  return {
    subject,
    title: commentable.title,
    path: commentable.path,
    commentCount: thread?.commentCount ?? 0,
    topLevelCount: thread?.topLevelCount ?? 0,
    locked,
    closedReason: commentable.closedReason,
    signedIn: Boolean(viewer),
    canPost: Boolean(viewer) && !locked && !commentable.closedReason,
    canModerate: isModerator(viewer) && !(viewer && commentable.hasStake(viewer.id)),
  };
}

/** One page of a thread's top level, each with its first replies; null if the viewer may not see it. */
export function loadThread(
  subject: CommentSubject,
  viewer: User | null,
  options: { sort: CommentSort; page: number },
) {
  const db = getDb();
  const commentable = resolveCommentable(db, subject);
  if (!commentable?.canView(viewer)) return null;
  const thread = statements().thread.get({ type: subject.type, id: subject.id });
  const info = threadInfo(subject, commentable, thread, viewer);
  const pageCount = Math.max(1, Math.ceil(info.topLevelCount / COMMENTS_PAGE_SIZE));
  const page = Math.min(options.page, pageCount);
  const rows = thread
    ? statements()[options.sort].all(thread.id, COMMENTS_PAGE_SIZE, (page - 1) * COMMENTS_PAGE_SIZE)
    : [];
  return { thread: info, comments: attachReplyPreviews(rows, viewer), sort: options.sort, page, pageCount };
}

/**
 * A comment's own page: the comment, the comments above it (for context), and a page of its direct
 * replies with their first replies. Also what "show more replies" loads.
 */
export function loadComment(commentId: number, viewer: User | null, page = 1) {
  const db = getDb();
  let found: ReturnType<typeof requireComment>;
  try {
    found = requireComment(db, commentId, viewer);
  } catch (error) {
    if (error instanceof CommentError) return null;
    throw error;
  }
  const { one, replies } = statements();
  const self = one.get(commentId);
  if (!self) return null;
  const ancestors: RawComment[] = [];
  for (let id = self.parent_id; id !== null; ) {
    const row = one.get(id);
    if (!row) break;
    ancestors.unshift(row);
    id = row.parent_id;
  }
  const pageCount = Math.max(1, Math.ceil(self.reply_count / REPLIES_PAGE_SIZE));
  const current = Math.min(page, pageCount);
  const replyRows = replies.all(commentId, REPLIES_PAGE_SIZE, (current - 1) * REPLIES_PAGE_SIZE);
  const [comment, ...ancestorViews] = viewsOf([self, ...ancestors], viewer);
  if (!comment) return null;
  comment.replies = attachReplyPreviews(replyRows, viewer);
  return {
    thread: threadInfo(found.subject, found.commentable, found.thread, viewer),
    comment,
    ancestors: ancestorViews,
    page: current,
    pageCount,
  };
}

/** Earlier versions of a comment: moderators only. An anonymous comment's versions are dated by day. */
export function listRevisions(commentId: number, moderator: User) {
  requireModerator(moderator);
  const db = getDb();
  const comment = db
    .select({ anonymous: comments.anonymous, fromSignature: comments.fromSignature })
    .from(comments)
    .where(eq(comments.id, commentId))
    .get();
  const dayOnly = Boolean(comment?.anonymous || comment?.fromSignature);
  return db
    .select({
      body: commentRevisions.body,
      writtenAt: commentRevisions.writtenAt,
      replacedAt: commentRevisions.replacedAt,
    })
    .from(commentRevisions)
    .where(eq(commentRevisions.commentId, commentId))
    .orderBy(asc(commentRevisions.id))
    .all()
    .map((revision) =>
      dayOnly
        ? {
            ...revision,
            writtenAt: new Date(startOfDay(revision.writtenAt.getTime())),
            replacedAt: new Date(startOfDay(revision.replacedAt.getTime())),
          }
        : revision,
    );
}

/**
 * Where a new comment can be seen: top-level ones head the "newest" sort; a reply among its parent's
 * first replies shows under it in the thread, later ones on the parent's own page.
 */
export function commentPlacement(
  commentId: number,
): { kind: "top-level" } | { kind: "preview" } | { kind: "parent-page"; parentId: number; page: number } {
  const db = getDb();
  const comment = db
    .select({ parentId: comments.parentId })
    .from(comments)
    .where(eq(comments.id, commentId))
    .get();
  if (!comment?.parentId) return { kind: "top-level" };
  const before =
    db.$client
      .prepare<[number, number], { n: number }>(
        "select count(*) as n from comments where parent_id = ? and id < ?",
      )
      .get(comment.parentId, commentId)?.n ?? 0;
  if (before < REPLIES_PREVIEW) return { kind: "preview" };
  return {
    kind: "parent-page",
    parentId: comment.parentId,
    page: Math.floor(before / REPLIES_PAGE_SIZE) + 1,
  };
}

export const MODERATION_QUEUE_SIZE = 50;

/** Comments with open reports, most reported first; who reported stays unknown. */
export function reportedComments(moderator: User) {
  requireModerator(moderator);
  const db = getDb();
  const rows = db.$client
    .prepare<
      [number],
      RawComment & { thread_subject_type: CommentSubject["type"]; thread_subject_id: number }
    >(
      `select ${SELECT_LIST}, t.subject_type as thread_subject_type, t.subject_id as thread_subject_id
       from comments c join comment_threads t on t.id = c.thread_id ${JOINS}
       where c.open_reports > 0 order by c.open_reports desc, c.id limit ?`,
    )
    .all(MODERATION_QUEUE_SIZE);
  const reports = rows.length
    ? db.$client
        .prepare<
          [string],
          { comment_id: number; reason: ReportReason; note: string | null; created_at: number }
        >(
          "select comment_id, reason, note, created_at from comment_reports where resolved_at is null and comment_id in (select value from json_each(?)) order by id",
        )
        .all(JSON.stringify(rows.map((r) => r.id)))
    : [];
  const views = viewsOf(rows, moderator);
  // Many reported comments share a subject: resolve each subject once.
  const subjects = new Map<string, Commentable | null>();
  return rows.flatMap((row, i) => {
    const subject = { type: row.thread_subject_type, id: row.thread_subject_id };
    const key = `${subject.type}:${subject.id}`;
    if (!subjects.has(key)) subjects.set(key, resolveCommentable(db, subject));
    const commentable = subjects.get(key);
    const comment = views[i];
    if (!commentable || !comment) return [];
    return [
      {
        comment,
        // Reviewing, not discussing: no reply box in the queue.
        thread: { ...threadInfo(subject, commentable, undefined, moderator), canPost: false },
        reports: reports
          .filter((r) => r.comment_id === row.id)
          .map((r) => ({ reason: r.reason, note: r.note, createdAt: r.created_at })),
      },
    ];
  });
}

export function countReportedComments(): number {
  return (
    getDb()
      .$client.prepare<[], { n: number }>("select count(*) as n from comments where open_reports > 0")
      .get()?.n ?? 0
  );
}

/**
 * Counts for a subject's organizers (the petition dashboard): how lively and how troubled its
 * discussion is. Counts only — nothing about who wrote or reported what.
 */
export function discussionActivity(subject: CommentSubject, now = Date.now()) {
  const db = getDb();
  const thread = findThread(db, subject);
  if (!thread) return { total: 0, lastWeek: 0, reported: 0, hidden: 0, locked: false };
  const row = db.$client
    .prepare<[number, number], { last_week: number | null; reported: number | null; hidden: number | null }>(
      `select sum(created_at >= ?) as last_week,
              sum(open_reports > 0 and deleted_at is null) as reported,
              sum(hidden_at is not null and deleted_at is null) as hidden
       from comments where thread_id = ?`,
    )
    .get(now - 7 * 24 * 60 * 60_000, thread.id);
  return {
    total: thread.commentCount,
    lastWeek: row?.last_week ?? 0,
    reported: row?.reported ?? 0,
    hidden: row?.hidden ?? 0,
    locked: Boolean(thread.lockedAt),
  };
}
