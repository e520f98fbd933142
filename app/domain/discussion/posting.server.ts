import { eq, sql } from "drizzle-orm";
import { type Executor, getDb } from "../../../db/client";
import { commentRevisions, comments, commentThreads, people } from "../../../db/schema";
import { unusedRowId } from "../../platform/anonymity/random-ids.server";
import { renderMarkdown } from "../../platform/content/markdown.server";
import { renderEmail } from "../../platform/mail/email-layout.server";
import { unsubscribeHeaders, unsubscribeUrl } from "../../platform/mail/email-preferences.server";
import { enqueueMail, enqueueWithheldMail } from "../../platform/mail/outbox.server";
import { wordsForRecipient } from "../../platform/mail/recipient-words.server";
import { say } from "../../platform/said";
import { withinRateLimits } from "../../platform/security/rate-limits.server";
import { absoluteUrl } from "../../platform/site/addresses.server";
import { startOfDay } from "../../platform/time";
import type { User } from "../identity/sessions.server";
import { commentFacts, requireRight } from "./comment-rights.server";
import { type Commentable, resolveCommentable } from "./commentables.server";
import { MAX_COMMENT_DEPTH } from "./limits";
import {
  COMMENT_LIMITS,
  CommentError,
  type CommentRow,
  type CommentSubject,
  findThread,
  postingClosedReason,
  postingLimits,
  rateLimit,
  requireComment,
  requireOpenForPosting,
  requireSubject,
  resolveReports,
} from "./rules.server";

/** Writing comments: posting (and a signer's reason), replying with its email, editing, deleting. */

/**
 * `emailReplies`: an anonymous author asks to be emailed replies (and told if a moderator hides it).
 * Off unless asked for: those emails go through the company's mail system, whose logs name the
 * recipient beside "a colleague replied to your comment on …" (issue 17). Named comments email
 * replies unless the author turned the topic off.
 */
export type PostInput = { body: string; anonymous: boolean; emailReplies?: boolean };

/**
 * Whether a new comment waits for its thread's next batch of anonymous comments (batches.server.ts):
 * every anonymous one posted through the discussion forms. Until then only its author sees it, and
 * nothing — no counter, no reply email — moves at its posting minute.
 */
export const heldForBatch = (input: Pick<PostInput, "anonymous">): boolean => input.anonymous;

/** A top-level comment, or a reply when `parentId` is given. Returns the new comment's id. */
export async function postComment(
  subject: CommentSubject | null,
  input: PostInput & { parentId?: number },
  user: User,
  now = Date.now(),
): Promise<number> {
  await rateLimit(postingLimits(user), now);
  const bodyHtml = renderMarkdown(input.body);
  return getDb().transaction((tx) => insertComment(tx, subject, { ...input, bodyHtml }, user, now), {
    behavior: "immediate",
  });
}

/**
 * Whether a signer's reason may be posted as a comment now: counted against the comment limits
 * before the signing transaction (rate limits are never asked inside one), so that signing,
 * withdrawing and signing again with a new reason posts no more than commenting would.
 */
export const signingReasonWithinLimits = (user: User, now: number) =>
  withinRateLimits(postingLimits(user), now);

/**
 * A signer's "why I'm signing", posted as their top-level comment with the same choice of anonymity,
 * inside the signing transaction. Skipped (the reason stays on the signature) while the discussion is
 * closed to posting (a moderator's lock), or past the comment limits (`withinLimits`, from
 * signingReasonWithinLimits); the signature itself still counts.
 */
export function postSigningReason(
  exec: Executor,
  petitionId: number,
  reason: { body: string; bodyHtml: string; withinLimits: boolean },
  anonymous: boolean,
  user: User,
  now: number,
): number | null {
  const subject: CommentSubject = { type: "petition", id: petitionId };
  const commentable = resolveCommentable(exec, subject);
  if (!commentable || postingClosedReason(findThread(exec, subject), commentable)) return null;
  if (!reason.withinLimits) return null;
  return insertComment(
    exec,
    subject,
    { body: reason.body, bodyHtml: reason.bodyHtml, anonymous, fromSignature: true },
    user,
    now,
  );
}

/**
 * An anonymous signer's "why I'm signing", written with their signature's batch: a comment with no
 * author at all, dated by the batch's day. Skipped while the discussion is closed to posting.
 */
export function postAnonymousReason(
  exec: Executor,
  petitionId: number,
  reason: { body: string; bodyHtml: string },
  at: number,
): number | null {
  const subject: CommentSubject = { type: "petition", id: petitionId };
  const commentable = resolveCommentable(exec, subject);
  let thread = findThread(exec, subject);
  if (!commentable || postingClosedReason(thread, commentable)) return null;
  thread ??= exec
    .insert(commentThreads)
    .values({ subjectType: "petition", subjectId: petitionId, createdAt: new Date(startOfDay(at)) })
    .returning()
    .get();
  const created = exec
    .insert(comments)
    .values({
      id: unusedRowId(exec, "comments"),
      threadId: thread.id,
      parentId: null,
      depth: 1,
      inReplyToId: null,
      authorId: null,
      anonymous: true,
      emailsAuthor: false,
      official: false,
      fromSignature: true,
      body: reason.body,
      bodyHtml: reason.bodyHtml,
      createdAt: new Date(startOfDay(at)),
    })
    .returning({ id: comments.id })
    .get();
  exec
    .update(commentThreads)
    .set({
      commentCount: sql`${commentThreads.commentCount} + 1`,
      topLevelCount: sql`${commentThreads.topLevelCount} + 1`,
    })
    .where(eq(commentThreads.id, thread.id))
    .run();
  return created.id;
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
    requireRight("reply", commentFacts(tx, found, user));
  }
  const held = heldForBatch(input);
  if (!target) throw new CommentError(say("server.comment.nothingHere"), 404);
  const commentable = requireSubject(tx, target, user);
  let thread = findThread(tx, target);
  requireOpenForPosting(thread, commentable);
  // A discussion an anonymous comment starts is dated by its day, like the comment.
  thread ??= tx
    .insert(commentThreads)
    .values({
      subjectType: target.type,
      subjectId: target.id,
      createdAt: new Date(input.anonymous ? startOfDay(now) : now),
    })
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
      id: unusedRowId(tx, "comments"),
      threadId: thread.id,
      ...placement,
      authorId: user.id,
      anonymous: input.anonymous,
      emailsAuthor: !input.anonymous || input.emailReplies === true,
      official,
      fromSignature: input.fromSignature ?? false,
      body: input.body,
      bodyHtml: input.bodyHtml,
      // An anonymous comment keeps its day only, as it is shown and sorted: an exact time (or an
      // ordered id, ADR 31) would place it between exactly dated named comments.
      createdAt: new Date(input.anonymous ? startOfDay(now) : now),
      held,
    })
    .returning({ id: comments.id })
    .get();
  // Held: its counters and its reply email wait for its batch (publishHeldComments does the same).
  if (held) return created.id;
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
      { id: user.id, name: user.name },
      commentable,
    );
  }
  return created.id;
}

/**
 * Tells the author of the answered comment. Queued for every reply to a comment that still has an
 * author (ADR 0032): whether the email goes is decided by the mail sender (not if its author left or
 * turned reply emails off), and where none goes — the author wrote the reply, or did not ask for reply
 * emails (an anonymous comment: company mail would see who is emailed) — a stand-in with no address
 * takes its place. So the outbox's counts move the same whoever wrote the comment. A forgotten author
 * cannot be told.
 */
export function notifyReply(
  tx: Executor,
  answered: CommentRow,
  reply: { id: number; body: string; anonymous: boolean },
  replier: { id: number | null; name: string | null },
  commentable: Pick<Commentable, "title">,
): void {
  const authorId = answered.authorId;
  if (authorId === null) return;
  if ((replier.id !== null && authorId === replier.id) || !answered.emailsAuthor) {
    enqueueWithheldMail(tx, { kind: "comment.reply" });
    return;
  }
  const author = tx
    .select({ email: people.email, locale: people.locale, timeZone: people.timeZone })
    .from(people)
    .where(eq(people.id, authorId))
    .get();
  if (!author) return;
  const { t } = wordsForRecipient(author);
  const who = {
    who: reply.anonymous ? "anonymous" : replier.name ? "named" : "unnamed",
    name: replier.name ?? "",
    title: commentable.title,
  };
  const excerpt = reply.body.length > 600 ? `${reply.body.slice(0, 600)}…` : reply.body;
  const stopUrl = unsubscribeUrl(authorId, "comment-replies");
  enqueueMail(tx, {
    kind: "comment.reply",
    to: author.email,
    recipient: { hidden: true, personId: authorId, optOutTopic: "comment-replies" },
    subject: t("server.email.reply.subject", who),
    headers: unsubscribeHeaders(stopUrl),
    ...renderEmail({
      paragraphs: [t("server.email.reply.intro", who), excerpt],
      action: { label: t("server.email.reply.action"), url: absoluteUrl(`/comments/${reply.id}`) },
      unsubscribeUrl: stopUrl,
      t,
    }),
  });
}

/** Replaces the text, keeping the earlier version for moderators. */
export async function editComment(
  commentId: number,
  body: string,
  user: User,
  now = Date.now(),
): Promise<void> {
  await rateLimit([[`edit:${user.id}`, COMMENT_LIMITS.edit]], now);
  const bodyHtml = renderMarkdown(body);
  getDb().transaction(
    (tx) => {
      const found = requireComment(tx, commentId, user);
      const { comment } = found;
      requireRight("edit", commentFacts(tx, found, user));
      if (comment.body === body) return;
      // Nobody but its author has read a held comment: its earlier text is nobody's business.
      if (comment.held) {
        tx.update(comments).set({ body, bodyHtml }).where(eq(comments.id, commentId)).run();
        return;
      }
      // Anonymous comments' edits are dated by day, like the comments.
      const at = new Date(comment.anonymous ? startOfDay(now) : now);
      tx.insert(commentRevisions)
        .values({
          commentId,
          body: comment.body,
          writtenAt: comment.editedAt ?? comment.createdAt,
          replacedAt: at,
        })
        .run();
      tx.update(comments).set({ body, bodyHtml, editedAt: at }).where(eq(comments.id, commentId)).run();
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
      const found = requireComment(tx, commentId, user);
      const { comment } = found;
      requireRight("delete", commentFacts(tx, found, user));
      tx.delete(commentRevisions).where(eq(commentRevisions.commentId, commentId)).run();
      // A held comment was never published: no one can have answered, voted on or reported it, so
      // it goes altogether (a placeholder would appear in its batch).
      if (comment.held) {
        tx.delete(comments).where(eq(comments.id, commentId)).run();
        return;
      }
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
