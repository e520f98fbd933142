import type { ActionFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { z } from "zod";
import { requestAnonymousAction } from "../domain/petitions/anonymous-signing.server";
import { findPublicPetition } from "../domain/petitions/api.server";
import { serverNow } from "../platform/runtime/clock.server";
import { apiNotFound, apiRefusal } from "../web/refusal-reply.server";
import { clientIp, readJson } from "../web/request.server";

/**
 * POST /api/petitions/:idOrSlug/anonymous/actions: one anonymous signature's next action, withdraw or
 * sign again, signed with the token's signer key. The token id travels in the body, never in the URL
 * (an access log keeps URLs, and the id is the signer's pseudonym in the ledger). Like the
 * redemption, this route neither reads nor sets a cookie. There is no GET: no request asks about one
 * token; browsers find their own state in the digest every petition view downloads (…/anonymous/recent).
 */

export const loader = () =>
  json(
    {
      error:
        "Nothing to GET here: the state of anonymous signatures is in GET /api/petitions/:idOrSlug/anonymous/recent.",
    },
    { status: 405, headers: { Allow: "POST" } },
  );

const body = z.object({
  tokenId: z.string().regex(/^[0-9a-f]{64}$/, "a token id"),
  action: z.enum(["withdraw", "sign"]),
  seq: z.number().int().min(1).max(10_000),
  proof: z.string().max(200),
});

export async function action({ request, params, context }: ActionFunctionArgs) {
  const petition = findPublicPetition(params.idOrSlug ?? "");
  if (!petition) return apiNotFound("No public petition with that id or slug.");
  const input = await readJson(request, body);
  try {
    const state = await requestAnonymousAction(
      {
        petitionId: petition.id,
        ...input,
        ip: clientIp(context),
      },
      serverNow(),
    );
    return json(state, { status: 202, headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return apiRefusal(error);
  }
}
