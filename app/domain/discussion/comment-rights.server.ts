import { and, eq } from "drizzle-orm";
import type { Executor } from "../../../db/client";
import { commentReports } from "../../../db/schema";
import { type Said, say } from "../../platform/said";
import type { User } from "../identity/sessions.server";
import type { Commentable } from "./commentables.server";
import {
  CommentError,
  type CommentRow,
  isModerator,
  postingClosedReason,
  type requireComment,
  type ThreadRow,
} from "./rules.server";

/**
 * Who may do what to a comment, stated once: each rule answers with the refusal its action throws,
 * or null. The actions (posting, reactions, moderation) throw what these return; the thread's reads
 * hand every comment a `can` object from the same rules, so a page offers exactly what the domain
 * accepts (test/integration/comments/rights.test.ts tries each one).
 */

/** What the rules know of a comment's discussion, the same for every comment a viewer reads in it. */
export type CommentSetting = {
  /** Why nobody may post, answer or edit in it now (postingClosedReason), or null. */
  postingClosed: Said | null;
  /** Why its subject takes no new votes (it is closed for discussion), or null. */
  subjectClosed: Said | null;
  moderator: boolean;
  /** The viewer has a stake in the subject (organizes it…), so leaves its moderation to others. */
  stake: boolean;
};

export type CommentFacts = CommentSetting & {
  /** The viewer wrote it. */
  mine: boolean;
  state: "visible" | "hidden" | "deleted";
  /** Hidden by a moderator (not only by reports, pending review). */
  hiddenByModerator: boolean;
  /** Waiting for its batch of anonymous comments (only its author reads it). */
  held: boolean;
  openReports: number;
  /** The viewer has an open report on it. */
  reported: boolean;
  /** The viewer has upvoted it. */
  voted: boolean;
};

type Rule = (facts: CommentFacts) => CommentError | null;

const refusal = (message: Said, status: 403 | 409) => new CommentError(message, status);

const authorOnly: Rule = (f) =>
  !f.mine
    ? refusal(say("server.comment.onlyAuthor"), 403)
    : f.state === "deleted"
      ? refusal(say("server.comment.deleted"), 409)
      : null;

const moderate: Rule = (f) => {
  if (!f.moderator) return refusal(say("server.comment.onlyModerators"), 403);
  if (f.mine) return refusal(say("server.comment.ownComment"), 403);
  // No judging in one's own cause: not on a petition one organizes, nor a comment one reported.
  if (f.stake) return refusal(say("server.comment.stake"), 403);
  if (f.reported) return refusal(say("server.comment.youReported"), 403);
  if (f.state === "deleted") return refusal(say("server.comment.deletedByAuthor"), 409);
  return null;
};

export const COMMENT_RULES = {
  reply: (f) => {
    if (f.state === "deleted") return refusal(say("server.comment.replyToDeleted"), 409);
    if (f.state === "hidden") return refusal(say("server.comment.replyToHidden"), 409);
    // Only its author reads a held comment (anyone else is told there is no such comment).
    if (f.held) {
      return refusal(say("server.comment.replyToHeld"), 409);
    }
    return f.postingClosed ? refusal(f.postingClosed, 409) : null;
  },
  edit: (f) =>
    authorOnly(f) ??
    (f.state === "hidden" ? refusal(say("server.comment.editHidden"), 409) : null) ??
    (f.postingClosed ? refusal(f.postingClosed, 409) : null),
  delete: authorOnly,
  /** Setting the viewer's vote to the other way: a new one needs a live comment in an open discussion; taking one back is always possible. */
  vote: (f) => {
    if (f.mine) return refusal(say("server.comment.voteOwn"), 403);
    if (f.voted) return null;
    if (f.state !== "visible") return refusal(say("server.comment.cannotVote"), 409);
    return f.subjectClosed ? refusal(f.subjectClosed, 409) : null;
  },
  report: (f) => {
    if (f.mine) return refusal(say("server.comment.reportOwn"), 403);
    if (f.state === "deleted") return refusal(say("server.comment.deleted"), 409);
    if (f.state === "hidden") return refusal(say("server.comment.alreadyHidden"), 409);
    return f.reported ? refusal(say("server.comment.alreadyReported"), 409) : null;
  },
  moderate,
  hide: (f) =>
    moderate(f) ??
    (f.state === "hidden" && f.hiddenByModerator ? refusal(say("server.comment.moderatorHid"), 409) : null),
  restore: (f) =>
    moderate(f) ?? (f.state !== "hidden" ? refusal(say("server.comment.notHidden"), 409) : null),
  dismiss: (f) =>
    moderate(f) ?? (f.openReports === 0 ? refusal(say("server.comment.noOpenReports"), 409) : null),
} satisfies Record<string, Rule>;

export type CommentAction = keyof typeof COMMENT_RULES;

/** What the viewer may do to a comment, for its page to offer (serialised with the comment). */
export type CommentCan = Record<CommentAction, boolean>;

export function commentCan(facts: CommentFacts): CommentCan {
  const can = {} as CommentCan;
  for (const action of Object.keys(COMMENT_RULES) as CommentAction[]) {
    can[action] = COMMENT_RULES[action](facts) === null;
  }
  return can;
}

/** Throws the refusal an action's rule gives, if any. */
export function requireRight(action: CommentAction, facts: CommentFacts): void {
  const refused = COMMENT_RULES[action](facts);
  if (refused) throw refused;
}

export function commentSetting(
  thread: ThreadRow | undefined,
  commentable: Commentable,
  viewer: User | null,
): CommentSetting {
  const moderator = isModerator(viewer);
  return {
    postingClosed: postingClosedReason(thread, commentable),
    subjectClosed: commentable.closedReason,
    moderator,
    // Asked of moderators only: a stake matters to no other rule (and reading it costs statements).
    stake: moderator && viewer !== null && commentable.hasStake(viewer.id),
  };
}

/**
 * The facts for an action on a comment found by requireComment, read inside its transaction. `voted`
 * is false: a vote action states its own direction (setVote).
 */
export function commentFacts(
  tx: Executor,
  found: ReturnType<typeof requireComment>,
  user: User,
): CommentFacts {
  const comment: CommentRow = found.comment;
  const reported = tx
    .select({ id: commentReports.id })
    .from(commentReports)
    .where(and(eq(commentReports.commentId, comment.id), eq(commentReports.reporterId, user.id)))
    .get();
  return {
    ...commentSetting(found.thread, found.commentable, user),
    mine: comment.authorId === user.id,
    state: comment.deletedAt ? "deleted" : comment.hiddenAt ? "hidden" : "visible",
    hiddenByModerator: comment.hiddenById !== null,
    held: comment.held,
    openReports: comment.openReports,
    reported: Boolean(reported),
    voted: false,
  };
}
