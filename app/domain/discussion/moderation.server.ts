import { eq } from "drizzle-orm";
import { type Executor, getDb } from "../../../db/client";
import { comments, commentThreads, people } from "../../../db/schema";
import { renderEmail } from "../../platform/mail/email-layout.server";
import { enqueueMail, enqueueWithheldMail } from "../../platform/mail/outbox.server";
import { wordsForRecipient } from "../../platform/mail/recipient-words.server";
import { say } from "../../platform/said";
import { actorOf, recordAudit } from "../../platform/security/audit.server";
import { absoluteUrl } from "../../platform/site/addresses.server";
import type { User } from "../identity/sessions.server";
import { commentFacts, requireRight } from "./comment-rights.server";
import type { Commentable } from "./commentables.server";
import {
  CommentError,
  type CommentSubject,
  findThread,
  requireComment,
  requireModerator,
  requireSubject,
  resolveReports,
} from "./rules.server";

/** Moderators' actions on comments and threads: hide, restore, dismiss reports, lock. All audited. */

function moderatedComment(
  tx: Executor,
  commentId: number,
  moderator: User,
  action: "hide" | "restore" | "dismiss",
) {
  requireModerator(moderator);
  const found = requireComment(tx, commentId, moderator);
  requireRight(action, commentFacts(tx, found, moderator));
  return found;
}

function requireNoStake(commentable: Commentable, moderator: User): void {
  if (commentable.hasStake(moderator.id)) {
    throw new CommentError(say("server.comment.stake"), 403);
  }
}

/** Hides a comment with a reason; its author is told by email (through the platform). */
export function hideComment(commentId: number, reason: string, moderator: User, now = Date.now()): void {
  getDb().transaction(
    (tx) => {
      const { comment, commentable } = moderatedComment(tx, commentId, moderator, "hide");
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
      // An anonymous author is told on the site (their own view of the comment), by email only if they
      // asked for reply emails; a forgotten one cannot be told. Queued whatever the author's state (the
      // mail sender drops it if they left) and a stand-in where none goes, so the outbox's counts say
      // nothing about who wrote it (ADR 0032).
      if (comment.authorId === null) return;
      if (!comment.emailsAuthor) {
        enqueueWithheldMail(tx, { kind: "comment.hidden" });
        return;
      }
      const author = tx
        .select({ email: people.email, locale: people.locale, timeZone: people.timeZone })
        .from(people)
        .where(eq(people.id, comment.authorId))
        .get();
      if (!author) return;
      const { t } = wordsForRecipient(author);
      const title = { title: commentable.title };
      enqueueMail(tx, {
        kind: "comment.hidden",
        to: author.email,
        recipient: { hidden: true, personId: comment.authorId },
        subject: t("server.email.hidden.subject", title),
        ...renderEmail({
          paragraphs: [t("server.email.hidden.explain", title), t("server.email.hidden.reason", { reason })],
          action: { label: t("server.email.hidden.action"), url: absoluteUrl(`/comments/${commentId}`) },
          t,
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
      moderatedComment(tx, commentId, moderator, "restore");
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
      const { comment } = moderatedComment(tx, commentId, moderator, "dismiss");
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
          lock.locked ? say("server.comment.alreadyLocked") : say("server.comment.notLocked"),
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
