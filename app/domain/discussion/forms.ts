import { z } from "zod";
import { COMMENT_SORTS, REPORT_REASONS } from "../../vocabulary/comments";

/** Comment rules and form schemas shared by the server and the pages (client-side validation). */

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

export const commentBodySchema = z
  .string({ message: "Write something first" })
  .trim()
  .min(1, "Write something first")
  .max(COMMENT_MAX_LENGTH, `Keep it to ${COMMENT_MAX_LENGTH.toLocaleString("en")} characters`);

export const postCommentSchema = z.object({
  body: commentBodySchema,
  anonymous: z.boolean().optional().default(false),
});

export const reportCommentSchema = z
  .object({
    reason: z.enum(REPORT_REASONS, { message: "Choose a reason" }),
    note: z.string().trim().max(1_000, "Keep the note to 1,000 characters").optional(),
  })
  .refine((r) => r.reason !== "other" || r.note, {
    message: "Say what is wrong with it",
    path: ["note"],
  });

export const moderationReasonSchema = z
  .string({ message: "Give a reason" })
  .trim()
  .min(3, "Give a reason")
  .max(500, "Keep the reason to 500 characters");

/** `?sort=&page=` of a thread (the page number is checked like every other page parameter). */
export const threadQuerySchema = z.object({
  sort: z.enum(COMMENT_SORTS).default("top"),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
});
