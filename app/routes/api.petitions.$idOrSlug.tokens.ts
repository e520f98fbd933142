import type { ActionFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { z } from "zod";
import { findPublicPetition } from "../domain/petitions/api.server";
import { issuePetitionToken } from "../domain/petitions/petition-keys.server";
import { enforceRateLimits } from "../platform/rate-limits.server";
import { HOUR_MS } from "../platform/time";
import { apiNotFound, apiRefusal } from "../web/refusal-reply.server";
import { readJson } from "../web/request.server";
import { requireApiUser } from "../web/session.server";

const body = z.object({
  blindedMessage: z.string().regex(/^[A-Za-z0-9_-]{300,400}$/, "a blinded message, base64url"),
});

/**
 * POST /api/petitions/:idOrSlug/tokens — a signed-in colleague's one token for an open petition:
 * the blind signature of their blinded message (the server never sees the token). The same blinded
 * message again gets the same answer. See docs/anonymity.md.
 */
export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireApiUser(request);
  const petition = findPublicPetition(params.idOrSlug ?? "");
  if (!petition) return apiNotFound("No public petition with that id or slug.");
  const { blindedMessage } = await readJson(request, body);
  try {
    // Every signed-in browser asks for tokens of the 50 newest open petitions: generous, per person.
    await enforceRateLimits(
      [[`tokens:person:${user.id}`, { limit: 300, windowMs: HOUR_MS }]],
      (wait) => `Too many token requests. Please wait ${wait}.`,
    );
    const signature = issuePetitionToken(petition.id, user, Buffer.from(blindedMessage, "base64url"));
    return json(
      { blindSignature: signature.toString("base64url") },
      { headers: { "Cache-Control": "no-store" } },
    );
  } catch (error) {
    return apiRefusal(error);
  }
}

export const loader = () => json({ error: "POST a blinded message." }, { status: 405 });
