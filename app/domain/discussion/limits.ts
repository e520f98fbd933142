/**
 * The discussion's numbers, apart from its form schemas (forms.ts) so that a page can use them
 * without loading zod (ADR 27).
 */

/** Top level is depth 1; a reply to a depth-3 comment is placed at depth 3, quoting who it answers. */
export const MAX_COMMENT_DEPTH = 3;
export const COMMENT_MAX_LENGTH = 5_000;
export const COMMENTS_PAGE_SIZE = 20;
/** Replies shown under each comment in a thread page; the rest load on demand. */
export const REPLIES_PREVIEW = 3;
export const REPLIES_PAGE_SIZE = 50;

/** The forms a comment offers behind a toggle; a comment's own page can open one (`?form=`). */
export const COMMENT_FORM_NAMES = ["reply", "edit", "delete", "report", "hide"] as const;
export type CommentFormName = (typeof COMMENT_FORM_NAMES)[number];
