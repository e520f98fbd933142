import type { ActionFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { z } from "zod";
import { sendAnonymousFeedback } from "../domain/policies/anonymous-feedback.server";
import { FEEDBACK_LIMITS } from "../domain/policies/feedback-forms";
import { serverNow } from "../platform/runtime/clock.server";
import { apiRefusal } from "../web/refusal-reply.server";
import { clientIp, parseId, readJson } from "../web/request.server";

const body = z.object({
  body: z.string().max(FEEDBACK_LIMITS.body * 4),
  rating: z.number().int().min(1).max(5).optional(),
  secret: z.string().max(64),
  message: z.string().max(600),
  signature: z.string().max(600),
});

/**
 * POST /api/policies/:id/anonymous-feedback — feedback with no author: this route neither reads nor
 * sets a cookie, stores no person, address or session, and answers `pending` until the next batch
 * stores it. The browser keeps the secret that reads the owners' replies.
 */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const policyId = parseId(params.id);
  const input = await readJson(request, body);
  try {
    const state = await sendAnonymousFeedback({ policyId, ...input, ip: clientIp(context) }, serverNow());
    return json(state, {
      status: state.state === "pending" ? 202 : 200,
      headers: { "Cache-Control": "no-store" },
    });
  } catch (error) {
    return apiRefusal(error);
  }
}

export const loader = () => json({ error: "POST anonymous feedback." }, { status: 405 });
