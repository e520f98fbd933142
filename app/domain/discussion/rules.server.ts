import { and, eq, isNull, sql } from "drizzle-orm";
import type { Executor } from "../../../db/client";
import { commentReports, comments, commentThreads } from "../../../db/schema";
import { Refusal } from "../../platform/refusal";
import { type Said, say } from "../../platform/said";
import { enforceRateLimits, type RateLimitHit } from "../../platform/security/rate-limits.server";
import { DAY_MS, HOUR_MS } from "../../platform/time";
import type { ReportResolution } from "../../vocabulary/comments";
import { can } from "../identity/permissions.server";
import type { User } from "../identity/sessions.server";
import { type Commentable, type CommentSubject, resolveCommentable } from "./commentables.server";

/**
 * Comment threads on anything commentable (see commentables.server.ts). This folder owns their rules:
 * posting (nesting, editing, deleting), reactions (votes, reports), moderation, reading a thread, and
 * the moderators' queue. This module holds what every one of them checks: who may see the subject,
 * whether it is open for posting, rate limits, moderator rights.
 *
 * Anonymity: an anonymous comment's author_id never leaves this module. Views carry `mine` (for the
 * author alone) and a null author name; emails about an anonymous comment go to its author through
 * the outbox, whose recipients admins cannot see.
 */

export class CommentError extends Refusal {}

export type { CommentSubject };

export const COMMENT_LIMITS = {
  post: { perMinute: { limit: 5, windowMs: 60_000 }, perHour: { limit: 60, windowMs: HOUR_MS } },
  vote: { limit: 120, windowMs: 60_000 },
  report: { limit: 20, windowMs: HOUR_MS },
  // Each edit keeps a version for moderators: a flood of edits would bury them.
  edit: { limit: 10, windowMs: 10 * 60_000 },
};

/** Refuses (429) a person doing one thing too often; checked before the transaction. */
export const rateLimit = (hits: readonly RateLimitHit[], now: number) =>
  enforceRateLimits(hits, "server.comment.tooOften", now);

export const postingLimits = (user: User): RateLimitHit[] => [
  [`comment:${user.id}:minute`, COMMENT_LIMITS.post.perMinute],
  [`comment:${user.id}:hour`, COMMENT_LIMITS.post.perHour],
];

export const isModerator = (user: User | null) => Boolean(user && can(user, "moderate:comment"));

export type CommentRow = typeof comments.$inferSelect;

export function requireSubject(exec: Executor, subject: CommentSubject, user: User | null): Commentable {
  const commentable = resolveCommentable(exec, subject);
  if (!commentable?.canView(user)) throw new CommentError(say("server.comment.nothingHere"), 404);
  return commentable;
}

export function findThread(exec: Executor, subject: CommentSubject) {
  return exec
    .select()
    .from(commentThreads)
    .where(and(eq(commentThreads.subjectType, subject.type), eq(commentThreads.subjectId, subject.id)))
    .get();
}

export type ThreadRow = typeof commentThreads.$inferSelect;

/** The comment with its thread and subject, checking that this person may see it. */
export function requireComment(exec: Executor, commentId: number, user: User | null) {
  const comment = exec.select().from(comments).where(eq(comments.id, commentId)).get();
  if (!comment) throw new CommentError(say("server.comment.noSuchComment"), 404);
  // A held anonymous comment (batches.server.ts) exists for its author alone: to anyone else,
  // moderators included, it is a missing comment until its batch publishes it.
  if (comment.held && (user === null || comment.authorId !== user.id)) {
    throw new CommentError(say("server.comment.noSuchComment"), 404);
  }
  const thread = exec.select().from(commentThreads).where(eq(commentThreads.id, comment.threadId)).get();
  if (!thread) throw new CommentError(say("server.comment.noSuchComment"), 404);
  const subject = { type: thread.subjectType, id: thread.subjectId };
  const commentable = requireSubject(exec, subject, user);
  return { comment, thread, subject, commentable };
}

/**
 * Why nobody may post in this discussion now (its subject is not open for discussion, or a moderator
 * locked it), or null: the one statement of "the discussion is open", asked by posting, by a signer's
 * reason, and by the thread page to offer the form.
 */
export function postingClosedReason(thread: ThreadRow | undefined, commentable: Commentable): Said | null {
  if (commentable.closedReason) return commentable.closedReason;
  if (thread?.lockedAt) return say("server.comment.locked", { reason: thread.lockedReason ?? "" });
  return null;
}

export function requireOpenForPosting(thread: ThreadRow | undefined, commentable: Commentable): void {
  const closed = postingClosedReason(thread, commentable);
  if (closed) throw new CommentError(closed, 409);
}

export function requireModerator(user: User): void {
  if (!isModerator(user)) throw new CommentError(say("server.comment.onlyModerators"), 403);
}

/**
 * Closes a comment's open reports. A resolved report forgets who made it, and keeps its day only: the
 * reporter mattered while the report was open (once per person, not judged by its reporter), and
 * nobody needs to know afterwards (migration 0017 did the same to reports resolved before).
 */
export function resolveReports(
  tx: Executor,
  commentId: number,
  resolution: ReportResolution,
  now: number,
): number {
  return tx
    .update(commentReports)
    .set({
      resolvedAt: new Date(now),
      resolution,
      reporterId: null,
      createdAt: sql`${commentReports.createdAt} - (${commentReports.createdAt} % ${DAY_MS})`,
    })
    .where(and(eq(commentReports.commentId, commentId), isNull(commentReports.resolvedAt)))
    .run().changes;
}
