import { z } from "zod";
import { singleLine } from "../../platform/content/text";
import { sayText } from "../../platform/said";
import { CATEGORY_MAX_LENGTH, OPEN_FOR_DAYS, REJECTION_REASONS } from "../../vocabulary/petitions";

/** Schemas of the petition forms: shared by the actions and the pages (client-side validation). */

/**
 * The petition form's limits, stated once: the schema checks them, and the form states them before
 * anyone submits (hints, live counters, the inputs' HTML attributes through getZodConstraint).
 */
export const PETITION_LIMITS = {
  title: { min: 10, max: 120 },
  summary: { min: 20, max: 500 },
  body: { min: 50, max: 10_000 },
  category: { max: CATEGORY_MAX_LENGTH },
  openForDays: OPEN_FOR_DAYS,
} as const;

const L = PETITION_LIMITS;

export const petitionInputSchema = z.object({
  title: z
    .string({ message: sayText("server.form.petition.titleMissing") })
    .overwrite(singleLine)
    .min(L.title.min, sayText("server.form.petition.titleMin", { min: L.title.min }))
    .max(L.title.max, sayText("server.form.petition.titleMax", { max: L.title.max })),
  summary: z
    .string({ message: sayText("server.form.petition.summaryMissing") })
    .overwrite(singleLine)
    .min(L.summary.min, sayText("server.form.petition.summaryMin", { min: L.summary.min }))
    .max(L.summary.max, sayText("server.form.petition.summaryMax", { max: L.summary.max })),
  body: z
    .string({ message: sayText("server.form.petition.bodyMissing") })
    .trim()
    .min(L.body.min, sayText("server.form.petition.bodyMin", { min: L.body.min }))
    .max(L.body.max, sayText("server.form.petition.bodyMax", { max: L.body.max })),
  // One of the categories an admin lists in the settings (the domain checks: the list is the server's).
  category: z
    .string()
    .overwrite(singleLine)
    .max(L.category.max, sayText("server.form.petition.categoryMax", { max: L.category.max }))
    .optional(),
  policyId: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().positive().optional()),
  openForDays: z.coerce
    .number({ message: sayText("server.form.petition.daysMissing") })
    .int(sayText("server.form.petition.daysWhole"))
    .min(L.openForDays.min, sayText("server.form.petition.daysMin", { min: L.openForDays.min }))
    .max(L.openForDays.max, sayText("server.form.petition.daysMax", { max: L.openForDays.max }))
    .optional(),
});
/**
 * What a creator may add of their own, before the petition opens: a few milestones, each well apart
 * from every other (a signature crossing one emails organizers, leadership and subscribers), and a
 * response obligation only as a request a moderator approves, with a sensible time to answer.
 */
export const OWN_MILESTONES = { max: 3, minGap: 100, minResponseDays: 7 } as const;

export const milestoneInputSchema = z
  .object({
    threshold: z.coerce
      .number({ message: sayText("server.form.milestone.thresholdMissing") })
      .int(sayText("server.form.wholeNumber"))
      .min(2, sayText("server.form.milestone.thresholdMin"))
      .max(1_000_000, sayText("server.form.milestone.thresholdMax")),
    responseRequired: z.boolean().optional().default(false),
    responseDays: z.coerce
      .number()
      .int()
      .min(
        OWN_MILESTONES.minResponseDays,
        sayText("server.form.milestone.responseDaysMin", { min: OWN_MILESTONES.minResponseDays }),
      )
      .max(365)
      .optional(),
  })
  .refine((m) => !m.responseRequired || m.responseDays, {
    message: sayText("server.form.milestone.responseDaysMissing"),
    path: ["responseDays"],
  });

export const signSchema = z.object({
  visibility: z.enum(["public", "anonymous"], { message: sayText("server.form.sign.visibility") }),
  reason: z.string().trim().max(1000, sayText("server.form.keepTo1000")).optional(),
  wantsUpdates: z.boolean().optional(),
  // The browser's token for this petition, spent on a public signature (docs/anonymity.md).
  tokenMessage: z.string().max(700).optional(),
  tokenSignature: z.string().max(700).optional(),
  // "I have not signed this petition anonymously": asked of a public signer without their token.
  noAnonymousSignature: z.boolean().optional(),
});

export const PETITION_UPDATE_MAX = 5_000;

export const petitionUpdateSchema = z.object({
  body: z
    .string({ message: sayText("server.form.update.missing") })
    .trim()
    .min(20, sayText("server.form.update.min"))
    .max(PETITION_UPDATE_MAX, sayText("server.form.update.max")),
});

export const victorySchema = z.object({
  body: z
    .string({ message: sayText("server.form.victory.missing") })
    .trim()
    .min(20, sayText("server.form.victory.min"))
    .max(PETITION_UPDATE_MAX, sayText("server.form.victory.max")),
});

/** The creator invites a colleague to co-organize, by their work email. */
export const coOrganizerSchema = z.object({
  email: z
    .string({ message: sayText("server.form.coOrganizer.missing") })
    .trim()
    .email(sayText("server.form.email")),
});

/** The fields of the steps that take any: the petition page's forms validate with these too. */
export const rejectStepSchema = z.object({
  reason: z.enum(REJECTION_REASONS, { message: sayText("server.form.chooseReason") }),
  note: z.string().trim().max(1000, sayText("server.form.noteMax1000")).optional(),
});
export const hideStepSchema = z.object({
  reason: z
    .string({ message: sayText("server.form.sayWhy") })
    .overwrite(singleLine)
    .min(3, sayText("server.form.sayWhy"))
    .max(500, sayText("server.form.keepTo500")),
});

/** The creator's request that moderators close the petition early, with the reason they read. */
export const closeRequestStepSchema = z.object({
  reason: z
    .string({ message: sayText("server.form.closeRequest.missing") })
    .overwrite(singleLine)
    .min(10, sayText("server.form.closeRequest.min"))
    .max(500, sayText("server.form.keepTo500")),
});

/** A step of the petition state machine, as transitionPetition takes it. */
export const transitionSchema = z.discriminatedUnion("action", [
  z.object({ action: z.literal("submit") }),
  z.object({ action: z.literal("co-sponsor") }),
  z.object({ action: z.literal("approve") }),
  rejectStepSchema.extend({ action: z.literal("reject") }),
  z.object({ action: z.literal("close") }),
  z.object({ action: z.literal("archive") }),
  hideStepSchema.extend({ action: z.literal("hide") }),
  z.object({ action: z.literal("unhide") }),
  z.object({ action: z.literal("declare-victory"), note: victorySchema.shape.body }),
  closeRequestStepSchema.extend({ action: z.literal("request-close") }),
]);
export type Transition = z.output<typeof transitionSchema>;
