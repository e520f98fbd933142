import { z } from "zod";
import { singleLine } from "../../platform/content/text";
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
const n = (count: number) => count.toLocaleString("en");

export const petitionInputSchema = z.object({
  title: z
    .string({ message: "Give the petition a title" })
    .overwrite(singleLine)
    .min(L.title.min, `Make the title at least ${n(L.title.min)} characters`)
    .max(L.title.max, `Keep the title to ${n(L.title.max)} characters`),
  summary: z
    .string({ message: "Say what you are asking for" })
    .overwrite(singleLine)
    .min(L.summary.min, `Say what you ask for in at least ${n(L.summary.min)} characters`)
    .max(L.summary.max, `Keep the ask to ${n(L.summary.max)} characters`),
  body: z
    .string({ message: "Explain the petition" })
    .trim()
    .min(L.body.min, `Explain the petition in at least ${n(L.body.min)} characters`)
    .max(L.body.max, `Keep the text to ${n(L.body.max)} characters`),
  // One of the categories an admin lists in the settings (the domain checks: the list is the server's).
  category: z
    .string()
    .overwrite(singleLine)
    .max(L.category.max, `Keep the category to ${n(L.category.max)} characters`)
    .optional(),
  policyId: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().positive().optional()),
  openForDays: z.coerce
    .number({ message: "Enter a number of days" })
    .int("Use a whole number of days")
    .min(L.openForDays.min, `Keep it open for at least ${n(L.openForDays.min)} days`)
    .max(L.openForDays.max, `Keep it open for at most ${n(L.openForDays.max)} days`)
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
      .number({ message: "Enter a number of signatures" })
      .int("Use a whole number")
      .min(2, "At least 2 signatures")
      .max(1_000_000, "At most 1,000,000"),
    responseRequired: z.boolean().optional().default(false),
    responseDays: z.coerce
      .number()
      .int()
      .min(OWN_MILESTONES.minResponseDays, `Give leadership at least ${OWN_MILESTONES.minResponseDays} days`)
      .max(365)
      .optional(),
  })
  .refine((m) => !m.responseRequired || m.responseDays, {
    message: "Say within how many days leadership should respond",
    path: ["responseDays"],
  });

export const signSchema = z.object({
  visibility: z.enum(["public", "anonymous"], { message: "Choose how your signature appears" }),
  reason: z.string().trim().max(1000, "Keep it to 1,000 characters").optional(),
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
    .string({ message: "Write the update" })
    .trim()
    .min(20, "Write at least 20 characters")
    .max(PETITION_UPDATE_MAX, "Keep the update to 5,000 characters"),
});

export const victorySchema = z.object({
  body: z
    .string({ message: "Say what was won" })
    .trim()
    .min(20, "Say what was won in at least 20 characters")
    .max(PETITION_UPDATE_MAX, "Keep the note to 5,000 characters"),
});

/** The creator invites a colleague to co-organize, by their work email. */
export const coOrganizerSchema = z.object({
  email: z.string({ message: "Enter a colleague's email address" }).trim().email("Enter an email address"),
});

/** The fields of the steps that take any: the petition page's forms validate with these too. */
export const rejectStepSchema = z.object({
  reason: z.enum(REJECTION_REASONS, { message: "Choose a reason" }),
  note: z.string().trim().max(1000, "Keep the note to 1,000 characters").optional(),
});
export const hideStepSchema = z.object({
  reason: z
    .string({ message: "Say why" })
    .overwrite(singleLine)
    .min(3, "Say why")
    .max(500, "Keep it to 500 characters"),
});

/** The creator's request that moderators close the petition early, with the reason they read. */
export const closeRequestStepSchema = z.object({
  reason: z
    .string({ message: "Say why it should close early" })
    .overwrite(singleLine)
    .min(10, "Say why in at least 10 characters")
    .max(500, "Keep it to 500 characters"),
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
