import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { z } from "zod";
import { anonymousState, requestAnonymousAction } from "../domain/petitions/anonymous-signing.server";
import { findPublicPetition } from "../domain/petitions/api.server";
import { apiNotFound, apiRefusal } from "../web/refusal-reply.server";
import { clientIp, readJson } from "../web/request.server";

/**
 * One anonymous signature, by its token id (public: every counted token is in the ledger).
 * GET: its state — counted, pending (held for the next batch) or unknown — and its receipt.
 * POST: its next action, withdraw or sign again, signed with the token's signer key. Like the
 * redemption, this route neither reads nor sets a cookie.
 */
const tokenId = z.string().regex(/^[0-9a-f]{64}$/, "a token id");

export async function loader({ params }: LoaderFunctionArgs) {
  const petition = findPublicPetition(params.idOrSlug ?? "");
  const id = tokenId.safeParse(params.tokenId);
  if (!petition || !id.success) return apiNotFound("No such petition or token.");
  return json(await anonymousState(petition.id, id.data), { headers: { "Cache-Control": "no-store" } });
}

const body = z.object({
  action: z.enum(["withdraw", "sign"]),
  seq: z.number().int().min(1).max(10_000),
  proof: z.string().max(200),
});

export async function action({ request, params, context }: ActionFunctionArgs) {
  const petition = findPublicPetition(params.idOrSlug ?? "");
  const id = tokenId.safeParse(params.tokenId);
  if (!petition || !id.success) return apiNotFound("No such petition or token.");
  const input = await readJson(request, body);
  try {
    const state = await requestAnonymousAction({
      petitionId: petition.id,
      tokenId: id.data,
      ...input,
      ip: clientIp(context),
    });
    return json(state, { status: 202, headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return apiRefusal(error);
  }
}
