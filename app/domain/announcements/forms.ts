import { z } from "zod";
import { singleLine } from "../../platform/content/text";
import { COMMITMENT_STATUSES, STANCES } from "../../vocabulary/announcements";

/** The announcement form, shared by the actions and the pages. Rows left blank are dropped. */

export const MAX_RESPONSES = 20;
export const MAX_COMMITMENTS = 30;
/** The button that fills the policy text with the chosen policy's latest version (the form's no-save submit). */
export const START_FROM_CURRENT = "startFromCurrent";

const optionalId = z.preprocess(
  (v) => (v === "" ? undefined : v),
  z.coerce.number().int().positive().optional(),
);
const optionalDate = z.preprocess((v) => (v === "" ? undefined : v), z.coerce.date().optional());

export const announcementInputSchema = z
  .object({
    title: z
      .string({ message: "Give the announcement a title" })
      .overwrite(singleLine)
      .min(5, "Make the title at least 5 characters")
      .max(160, "Keep the title to 160 characters"),
    body: z
      .string({ message: "Write the announcement" })
      .trim()
      .min(20, "Write at least 20 characters")
      .max(50_000, "Keep it under 50,000 characters"),
    responses: z
      .array(z.object({ petitionId: optionalId, stance: z.enum(STANCES).optional() }))
      .max(MAX_RESPONSES, `Answer at most ${MAX_RESPONSES} petitions in one memo`)
      .default([])
      .transform((rows) =>
        rows.filter((r): r is { petitionId: number; stance: (typeof STANCES)[number] } =>
          Boolean(r.petitionId && r.stance),
        ),
      )
      .refine(
        (rows) => new Set(rows.map((r) => r.petitionId)).size === rows.length,
        "Each petition may appear once",
      ),
    policyId: optionalId,
    policyBody: z.string().trim().max(50_000).optional(),
    policyChangeSummary: z.string().overwrite(singleLine).max(500).optional(),
    policyEffectiveAt: optionalDate,
    commitments: z
      .array(
        z.object({
          text: z
            .string()
            .overwrite(singleLine)
            .max(300, "Keep each commitment to 300 characters")
            .optional(),
          dueAt: optionalDate,
          status: z.enum(COMMITMENT_STATUSES).optional().default("planned"),
        }),
      )
      .max(MAX_COMMITMENTS, `Make at most ${MAX_COMMITMENTS} commitments in one memo`)
      .default([])
      .transform((rows) =>
        rows.filter((r): r is typeof r & { text: string } => Boolean(r.text && r.text.length > 0)),
      ),
    /** Someone else's memo: edited on its author's behalf, said (the memo shows it). */
    onBehalf: z.boolean().optional(),
  })
  .superRefine((input, ctx) => {
    if (!input.policyId) return;
    if (!input.policyBody || input.policyBody.length < 20)
      ctx.addIssue({
        code: "custom",
        path: ["policyBody"],
        message: "Write the new version's text (20 characters or more)",
      });
    if (!input.policyChangeSummary)
      ctx.addIssue({
        code: "custom",
        path: ["policyChangeSummary"],
        message: "Say what changes in this version",
      });
    if (!input.policyEffectiveAt)
      ctx.addIssue({
        code: "custom",
        path: ["policyEffectiveAt"],
        message: "Give the date the version takes effect",
      });
  });
export type AnnouncementInput = z.output<typeof announcementInputSchema>;

export const commitmentUpdateSchema = z.object({
  commitmentId: z.coerce.number().int().positive(),
  status: z.enum(COMMITMENT_STATUSES, { message: "Choose a status" }),
  note: z.string().trim().max(500, "Keep the note to 500 characters").optional(),
  /** A new due date; empty keeps the current one. */
  dueAt: optionalDate,
  onBehalf: z.boolean().optional(),
});
