import { z } from "zod";

/** Private policy feedback: shared by the policy page, the owners' inbox and the feedback module. */

export const FEEDBACK_LIMITS = { body: 5_000, reply: 5_000, tag: 40, tagsPerItem: 10 } as const;

export const feedbackSchema = z.object({
  body: z
    .string({ error: "Write your feedback." })
    .trim()
    .min(1, "Write your feedback.")
    .max(FEEDBACK_LIMITS.body, `At most ${FEEDBACK_LIMITS.body.toLocaleString("en")} characters.`),
  rating: z.coerce
    .number({ error: "Choose a rating from 1 to 5." })
    .int("Choose a rating from 1 to 5.")
    .min(1, "Choose a rating from 1 to 5.")
    .max(5, "Choose a rating from 1 to 5.")
    .optional(),
  anonymous: z.boolean().optional().default(false),
});

export const feedbackReplySchema = z.object({
  body: z
    .string({ error: "Write your reply." })
    .trim()
    .min(1, "Write your reply.")
    .max(FEEDBACK_LIMITS.reply, `At most ${FEEDBACK_LIMITS.reply.toLocaleString("en")} characters.`),
});

/** Tags are short lower-case labels; spaces become hyphens so "needs legal" and "needs-legal" match. */
export const feedbackTagSchema = z
  .string({ error: "Write a tag." })
  .trim()
  .toLowerCase()
  .transform((tag) => tag.replace(/\s+/g, "-"))
  .pipe(
    z
      .string()
      .min(1, "Write a tag.")
      .max(FEEDBACK_LIMITS.tag, `Tags are at most ${FEEDBACK_LIMITS.tag} characters.`)
      .regex(/^[\p{L}\p{N}-]+$/u, "Tags use letters, digits and hyphens."),
  );
