import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { findPublicPetition } from "../domain/petitions/api.server";
import { redirectFromFormerAddress } from "../web/former-addresses.server";
import { apiNotFound } from "../web/refusal-reply.server";

/**
 * GET /api/petitions/:idOrSlug/count — cheap, cacheable for a few seconds. Open pages poll it, so it
 * has an ETag: the count changes only with the petition's ledger, whose length and head name it, and
 * a poll that finds it unchanged gets a bodiless 304.
 */
export function loader({ request, params }: LoaderFunctionArgs) {
  const petition = findPublicPetition(params.idOrSlug ?? "");
  if (!petition) return apiNotFound("No public petition with that id or slug.");
  redirectFromFormerAddress(request, "/api/petitions/", params.idOrSlug, petition.slug);
  const etag = `W/"${petition.id}-${petition.ledgerLength}-${(petition.ledgerHead ?? "").slice(0, 16)}"`;
  const headers = { "Cache-Control": "public, max-age=5", ETag: etag };
  const ifNoneMatch = request.headers.get("If-None-Match");
  if (ifNoneMatch?.split(",").some((tag) => [etag, "*"].includes(tag.trim()))) {
    return new Response(null, { status: 304, headers });
  }
  return json({ signatureCount: petition.signatureCount, updatedAt: new Date().toISOString() }, { headers });
}
