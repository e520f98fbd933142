import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { z } from "zod";
import {
  ANONYMOUS_PAGE_SIZE,
  listAnonymousSignatures,
  REASON_MAX,
  redeemAnonymously,
} from "../domain/petitions/anonymous-signing.server";
import { findPublicPetition } from "../domain/petitions/api.server";
import { serverNow } from "../platform/runtime/clock.server";
import { redirectFromFormerAddress } from "../web/former-addresses.server";
import { apiNotFound, apiRefusal } from "../web/refusal-reply.server";
import { clientIp, parseQuery, readJson } from "../web/request.server";

/**
 * The anonymous signatures of a petition.
 *
 * GET: every counted one, with its token and signature, for anyone to check against the petition's
 * public key (`npm run cli -- verify-anonymous`); in token id order, paged by `after`; each counted
 * at its batch's hour (rounded as the ledger rounds).
 *
 * POST: redeem a token anonymously. This route neither reads nor sets a cookie and stores no person,
 * address, user agent or session; the browser sends it with `credentials: "omit"`. The answer is
 * `pending` until the petition's next batch counts it (the browser sends it again until `counted`).
 */
export function loader({ request, params }: LoaderFunctionArgs) {
  const { after } = parseQuery(
    request,
    z.object({
      after: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .optional(),
    }),
  );
  const petition = findPublicPetition(params.idOrSlug ?? "");
  if (!petition) return apiNotFound("No public petition with that id or slug.");
  redirectFromFormerAddress(request, "/api/petitions/", params.idOrSlug, petition.slug);
  const signatures = listAnonymousSignatures(petition.id, after);
  return json({
    petitionId: petition.id,
    signatures: signatures.map((s) => ({ ...s, countedAt: s.countedAt.toISOString() })),
    nextAfter: signatures.length === ANONYMOUS_PAGE_SIZE ? (signatures.at(-1)?.tokenId ?? null) : null,
  });
}

const body = z.object({
  message: z.string().max(600),
  signature: z.string().max(600),
  reason: z
    .string()
    .max(REASON_MAX * 4)
    .optional(),
});

export async function action({ request, params, context }: ActionFunctionArgs) {
  const petition = findPublicPetition(params.idOrSlug ?? "");
  if (!petition) return apiNotFound("No public petition with that id or slug.");
  const input = await readJson(request, body);
  try {
    const state = await redeemAnonymously(
      { petitionId: petition.id, ...input, ip: clientIp(context) },
      serverNow(),
    );
    return json(state, {
      status: state.state === "pending" ? 202 : 200,
      headers: { "Cache-Control": "no-store" },
    });
  } catch (error) {
    return apiRefusal(error);
  }
}
