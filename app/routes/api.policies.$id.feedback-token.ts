import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { z } from "zod";
import { feedbackKey, issueFeedbackToken } from "../domain/policies/anonymous-feedback.server";
import { enforceRateLimits } from "../platform/rate-limits.server";
import { HOUR_MS } from "../platform/time";
import { apiRefusal } from "../web/refusal-reply.server";
import { parseId, readJson } from "../web/request.server";
import { requireApiUser } from "../web/session.server";

/**
 * A policy's anonymous-feedback token for this week: GET its public key (public), POST a blinded
 * message (signed in) for the blind signature — one token per colleague per policy per week, which
 * is what limits anonymous feedback without naming anyone. See docs/anonymity.md.
 */
export function loader({ params }: LoaderFunctionArgs) {
  try {
    return json(feedbackKey(parseId(params.id)), { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return apiRefusal(error);
  }
}

const body = z.object({
  blindedMessage: z.string().regex(/^[A-Za-z0-9_-]{300,400}$/, "a blinded message, base64url"),
});

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireApiUser(request);
  const policyId = parseId(params.id);
  const { blindedMessage } = await readJson(request, body);
  try {
    await enforceRateLimits(
      [[`tokens:person:${user.id}`, { limit: 300, windowMs: HOUR_MS }]],
      (wait) => `Too many token requests. Please wait ${wait}.`,
    );
    const signature = issueFeedbackToken(policyId, user, Buffer.from(blindedMessage, "base64url"));
    return json(
      { blindSignature: signature.toString("base64url") },
      { headers: { "Cache-Control": "no-store" } },
    );
  } catch (error) {
    return apiRefusal(error);
  }
}
