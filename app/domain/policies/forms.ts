import { z } from "zod";
import { singleLine } from "../../platform/content/text";
import { sayText } from "../../platform/said";

/** Policy forms, shared by the actions and the pages. */

export const policyVersionSchema = z.object({
  body: z
    .string({ message: sayText("server.form.policy.textMissing") })
    .trim()
    .min(20, sayText("server.form.policy.textMin"))
    .max(50_000, sayText("server.form.policy.textMax")),
  changeSummary: z
    .string({ message: sayText("server.form.policy.changeMissing") })
    .overwrite(singleLine)
    .min(3, sayText("server.form.policy.changeMissing"))
    .max(500, sayText("server.form.policy.summaryMax")),
  effectiveAt: z.coerce.date({ message: sayText("server.form.policy.effectiveMissing") }),
});

export const policyInputSchema = policyVersionSchema.extend({
  title: z
    .string({ message: sayText("server.form.policy.titleMissing") })
    .overwrite(singleLine)
    .min(5, sayText("server.form.policy.titleMin"))
    .max(120, sayText("server.form.policy.titleMax")),
  summary: z
    .string({ message: sayText("server.form.policy.summaryMissing") })
    .overwrite(singleLine)
    .min(10, sayText("server.form.policy.summaryMin"))
    .max(500, sayText("server.form.policy.summaryMax")),
  ownerTeam: z.string().overwrite(singleLine).max(80, sayText("server.form.policy.teamMax")).optional(),
  /** Owners' emails, comma or newline separated; they must be in the directory. */
  ownerEmails: z.string().trim().max(2_000).optional(),
  changeSummary: z.string().overwrite(singleLine).max(500).optional().default("First version"),
});
