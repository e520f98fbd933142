import { z } from "zod";
import { sayText } from "../../platform/said";
import { COMMENT_SORTS, REPORT_REASONS } from "../../vocabulary/comments";
import { COMMENT_MAX_LENGTH } from "./limits";

/** Comment rules and form schemas shared by the server and the pages (client-side validation). */

export const commentBodySchema = z
  .string({ message: sayText("server.form.comment.missing") })
  .trim()
  .min(1, sayText("server.form.comment.missing"))
  .max(COMMENT_MAX_LENGTH, sayText("server.form.comment.max", { max: COMMENT_MAX_LENGTH }));

export const postCommentSchema = z.object({
  body: commentBodySchema,
  anonymous: z.boolean().optional().default(false),
  /** Anonymous comments only: email me replies (off by default; the form says why). */
  emailReplies: z.boolean().optional().default(false),
});

export const reportCommentSchema = z
  .object({
    reason: z.enum(REPORT_REASONS, { message: sayText("server.form.chooseReason") }),
    note: z.string().trim().max(1_000, sayText("server.form.noteMax1000")).optional(),
  })
  .refine((r) => r.reason !== "other" || r.note, {
    message: sayText("server.form.report.note"),
    path: ["note"],
  });

export const moderationReasonSchema = z
  .string({ message: sayText("server.form.giveReason") })
  .trim()
  .min(3, sayText("server.form.giveReason"))
  .max(500, sayText("server.form.reasonMax500"));

/** `?sort=&page=` of a thread (the page number is checked like every other page parameter). */
export const threadQuerySchema = z.object({
  sort: z.enum(COMMENT_SORTS).default("top"),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
});
