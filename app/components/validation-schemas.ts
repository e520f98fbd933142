import { parseWithZod } from "@conform-to/zod/v4";
import { z } from "zod";
import { moderationReasonSchema, postCommentSchema, reportCommentSchema } from "../domain/discussion/forms";
import {
  closeRequestStepSchema,
  hideStepSchema,
  milestoneInputSchema,
  rejectStepSchema,
  signSchema,
} from "../domain/petitions/forms";
import { feedbackSchema } from "../domain/policies/feedback-forms";
import { policyVersionSchema } from "../domain/policies/forms";

/**
 * The schemas the petition, policy and comment pages validate with in the browser, loaded only once
 * a form is on the screen (see validation.ts): zod is most of the JavaScript those pages would
 * otherwise send to every visitor, signed out or not (ADR 27). The server validates with the same
 * schemas.
 */
export const SCHEMAS = {
  sign: signSchema,
  milestone: milestoneInputSchema,
  rejectStep: rejectStepSchema,
  hideStep: hideStepSchema,
  closeRequestStep: closeRequestStepSchema,
  policyVersion: policyVersionSchema,
  feedback: feedbackSchema,
  comment: postCommentSchema,
  report: reportCommentSchema,
  lockThread: z.object({ reason: moderationReasonSchema }),
  editComment: z.object({ body: postCommentSchema.shape.body }),
  hideComment: z.object({ reason: moderationReasonSchema }),
} as const;

export type SchemaName = keyof typeof SCHEMAS;

export function validate(name: SchemaName, formData: FormData) {
  return parseWithZod(formData, { schema: SCHEMAS[name] });
}
