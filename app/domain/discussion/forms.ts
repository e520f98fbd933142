import { z } from "zod";
import { COMMENT_SORTS, REPORT_REASONS } from "../../vocabulary/comments";
import { COMMENT_MAX_LENGTH } from "./limits";

/** Comment rules and form schemas shared by the server and the pages (client-side validation). */

export const commentBodySchema = z
  .string({ message: "Write something first" })
  .trim()
  .min(1, "Write something first")
  .max(COMMENT_MAX_LENGTH, `Keep it to ${COMMENT_MAX_LENGTH.toLocaleString("en")} characters`);

export const postCommentSchema = z.object({
  body: commentBodySchema,
  anonymous: z.boolean().optional().default(false),
  /** Anonymous comments only: email me replies (off by default; the form says why). */
  emailReplies: z.boolean().optional().default(false),
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
