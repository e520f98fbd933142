import { z } from "zod";
import { sayText } from "../../platform/said";

/** Private policy feedback: shared by the policy page, the owners' inbox and the feedback module. */

export const FEEDBACK_LIMITS = { body: 5_000, reply: 5_000, tag: 40, tagsPerItem: 10 } as const;

export const feedbackSchema = z.object({
  body: z
    .string({ error: sayText("server.form.feedback.missing") })
    .trim()
    .min(1, sayText("server.form.feedback.missing"))
    .max(FEEDBACK_LIMITS.body, sayText("server.form.atMostCharacters", { max: FEEDBACK_LIMITS.body })),
  rating: z.coerce
    .number({ error: sayText("server.form.feedback.rating") })
    .int(sayText("server.form.feedback.rating"))
    .min(1, sayText("server.form.feedback.rating"))
    .max(5, sayText("server.form.feedback.rating"))
    .optional(),
  anonymous: z.boolean().optional().default(false),
});

export const feedbackReplySchema = z.object({
  body: z
    .string({ error: sayText("server.form.feedback.reply") })
    .trim()
    .min(1, sayText("server.form.feedback.reply"))
    .max(FEEDBACK_LIMITS.reply, sayText("server.form.atMostCharacters", { max: FEEDBACK_LIMITS.reply })),
});

/** Tags are short lower-case labels; spaces become hyphens so "needs legal" and "needs-legal" match. */
export const feedbackTagSchema = z
  .string({ error: sayText("server.form.feedback.tag") })
  .trim()
  .toLowerCase()
  .transform((tag) => tag.replace(/\s+/g, "-"))
  .pipe(
    z
      .string()
      .min(1, sayText("server.form.feedback.tag"))
      .max(FEEDBACK_LIMITS.tag, sayText("server.form.feedback.tagMax", { max: FEEDBACK_LIMITS.tag }))
      .regex(/^[\p{L}\p{N}-]+$/u, sayText("server.form.feedback.tagChars")),
  );
