import { parseWithZod } from "@conform-to/zod/v4";
import { json } from "@remix-run/node";
import { announcementInputSchema, START_FROM_CURRENT } from "../domain/announcements/forms";
import { latestPolicyText } from "../domain/policies/registry.server";
import { readForm } from "./request.server";

/** conform's reserved field for a form's own buttons (add a row, update a field): a submit that saves nothing. */
const CONFORM_INTENT = "__intent__";

/**
 * The announcement form as sent (new and edit pages). "Start from the chosen policy's current text"
 * becomes conform's update intent for the policy text, so the action answers with the same form, the
 * text filled in, and saves nothing: with or without JavaScript.
 */
export async function readAnnouncementSubmission(request: Request) {
  const form = await readForm(request);
  let noPolicy = false;
  if (form.get(START_FROM_CURRENT) !== null) {
    form.delete(START_FROM_CURRENT);
    const policyId = Number(form.get("policyId"));
    const text = Number.isSafeInteger(policyId) && policyId > 0 ? latestPolicyText(policyId) : null;
    noPolicy = text === null;
    form.set(
      CONFORM_INTENT,
      JSON.stringify(
        text === null
          ? { type: "validate", payload: { name: "policyId" } }
          : { type: "update", payload: { name: "policyBody", value: text } },
      ),
    );
  }
  const submission = parseWithZod(form, { schema: announcementInputSchema });
  return { submission, noPolicy };
}

/**
 * The answer to a submission that did not save: 400 with the errors when it was refused, 200 with the
 * form as sent (one more row, the policy text filled in) when it was one of the form's own buttons.
 */
export function announcementFormReply({
  submission,
  noPolicy,
}: Awaited<ReturnType<typeof readAnnouncementSubmission>>) {
  return json(
    noPolicy
      ? submission.reply({ fieldErrors: { policyId: ["Choose the policy whose text to start from"] } })
      : submission.reply(),
    { status: submission.status === "error" || noPolicy ? 400 : 200 },
  );
}
