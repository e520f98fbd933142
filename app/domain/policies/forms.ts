import { z } from "zod";
import { singleLine } from "../../platform/content/text";

/** Policy forms, shared by the actions and the pages. */

export const policyVersionSchema = z.object({
  body: z
    .string({ message: "Write the policy text" })
    .trim()
    .min(20, "Write at least 20 characters of policy text")
    .max(50_000, "Keep the policy under 50,000 characters"),
  changeSummary: z
    .string({ message: "Say what changed" })
    .overwrite(singleLine)
    .min(3, "Say what changed")
    .max(500, "Keep the summary to 500 characters"),
  effectiveAt: z.coerce.date({ message: "Give the date it takes effect" }),
});

export const policyInputSchema = policyVersionSchema.extend({
  title: z
    .string({ message: "Give the policy a title" })
    .overwrite(singleLine)
    .min(5, "Make the title at least 5 characters")
    .max(120, "Keep the title to 120 characters"),
  summary: z
    .string({ message: "Summarize the policy" })
    .overwrite(singleLine)
    .min(10, "Summarize it in at least 10 characters")
    .max(500, "Keep the summary to 500 characters"),
  ownerTeam: z.string().overwrite(singleLine).max(80, "Keep the team name to 80 characters").optional(),
  /** Owners' emails, comma or newline separated; they must be in the directory. */
  ownerEmails: z.string().trim().max(2_000).optional(),
  changeSummary: z.string().overwrite(singleLine).max(500).optional().default("First version"),
});
