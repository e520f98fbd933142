import type { ActionFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { z } from "zod";
import { anonymousFeedbackBySecret } from "../domain/policies/anonymous-feedback.server";
import { enforceRateLimits } from "../platform/rate-limits.server";
import { MINUTE_MS } from "../platform/time";
import { apiNotFound, apiRefusal } from "../web/refusal-reply.server";
import { clientIp, readJson } from "../web/request.server";

/**
 * POST /api/feedback/replies {secret} — anonymous feedback and its owners' replies, for whoever holds
 * its secret (their browser, or the receipt code). No cookie is read or set; the secret travels in the
 * body, never in an address a log could keep.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const { secret } = await readJson(request, z.object({ secret: z.string().max(64) }));
  const ip = clientIp(context);
  try {
    if (ip) {
      await enforceRateLimits(
        [[`feedback-secret:ip:${ip}`, { limit: 120, windowMs: 10 * MINUTE_MS }]],
        (wait) => `Too many requests. Please wait ${wait}.`,
      );
    }
  } catch (error) {
    return apiRefusal(error);
  }
  const item = anonymousFeedbackBySecret(secret);
  if (!item) return apiNotFound("No feedback with this code (it may still be waiting for its batch).");
  return json(item, { headers: { "Cache-Control": "no-store" } });
}

export const loader = () => json({ error: "POST the secret." }, { status: 405 });
