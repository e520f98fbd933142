import { and, eq, sql } from "drizzle-orm";
import { getDb } from "../../../db/client";
import { commentReports, comments, commentVotes } from "../../../db/schema";
import { say } from "../../platform/said";
import { recordAudit, SYSTEM_ACTOR } from "../../platform/security/audit.server";
import { getSettings } from "../../platform/site/settings.server";
import type { ReportReason } from "../../vocabulary/comments";
import type { User } from "../identity/sessions.server";
import { commentFacts, requireRight } from "./comment-rights.server";
import { COMMENT_LIMITS, CommentError, rateLimit, requireComment } from "./rules.server";

/** What readers do to a comment: vote it up, report it (reports hide it at the threshold). */

export async function setVote(commentId: number, up: boolean, user: User, now = Date.now()): Promise<number> {
  await rateLimit([[`vote:${user.id}`, COMMENT_LIMITS.vote]], now);
  return getDb().transaction(
    (tx) => {
      const found = requireComment(tx, commentId, user);
      const { comment } = found;
      // The rule is about turning a vote the other way: asking for `up` is turning it from `!up`
      // (repeating a vote, or taking back one never given, is checked like the real change).
      requireRight("vote", { ...commentFacts(tx, found, user), voted: !up });
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
 * Whether a comment's open reports hide it before a moderator looks: at the configured number, and
 * only while they outnumber its upvotes. Otherwise any three colleagues could silence a thread's
 * most-read voice at once; a comment at least as many colleagues upvoted as reported stays visible,
 * at the head of the moderators' queue (queue.server.ts), until one reviews it.
 */
export function reportsHide(openReports: number, upvotes: number, threshold: number): boolean {
  return openReports >= threshold && openReports > upvotes;
}

/**
 * One report per person per comment. Enough open reports hide the comment until a moderator looks
 * (reportsHide). Reporting is not audited: reporters stay unknown to everyone.
 */
export async function reportComment(
  commentId: number,
  report: { reason: ReportReason; note?: string },
  user: User,
  now = Date.now(),
): Promise<{ hidden: boolean }> {
  await rateLimit([[`report:${user.id}`, COMMENT_LIMITS.report]], now);
  return getDb().transaction(
    (tx) => {
      const found = requireComment(tx, commentId, user);
      const { comment } = found;
      requireRight("report", commentFacts(tx, found, user));
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
      // Two reports sent at once both pass the rule: the unique key keeps one.
      if (inserted.changes === 0) throw new CommentError(say("server.comment.alreadyReported"), 409);
      const { openReports, score } = tx
        .update(comments)
        .set({ openReports: sql`${comments.openReports} + 1` })
        .where(eq(comments.id, commentId))
        .returning({ openReports: comments.openReports, score: comments.score })
        .get();
      if (comment.hiddenAt || !reportsHide(openReports, score, getSettings().commentReportThreshold))
        return { hidden: Boolean(comment.hiddenAt) };
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
