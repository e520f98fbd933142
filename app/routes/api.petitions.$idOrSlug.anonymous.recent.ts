import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { recentAnonymousDigest } from "../domain/petitions/anonymous-signing.server";
import { findPublicPetition } from "../domain/petitions/api.server";
import { serverNow } from "../platform/runtime/clock.server";
import { redirectFromFormerAddress } from "../web/former-addresses.server";
import { apiNotFound } from "../web/refusal-reply.server";

/**
 * GET /api/petitions/:idOrSlug/anonymous/recent — the public digest of a petition's anonymous
 * signatures changed in the last 48 hours: `{ bootId, batch: {minutes, size, minHolders},
 * nextBatchAt, entries: [[tokenIdPrefix, standing 1|0, actionSeq]] }`. Every view of the petition
 * downloads the same one, signer or not, and no cookie is needed: a signer's browser finds its own
 * signature here (pending until it appears; a new bootId means the held acts were lost in a restart).
 */
export function loader({ request, params }: LoaderFunctionArgs) {
  const petition = findPublicPetition(params.idOrSlug ?? "");
  if (!petition) return apiNotFound("No public petition with that id or slug.");
  redirectFromFormerAddress(request, "/api/petitions/", params.idOrSlug, petition.slug);
  // Public and the same for everyone: it changes only at batch boundaries (and with a restart).
  return json(recentAnonymousDigest(petition.id, serverNow()), {
    headers: { "Cache-Control": "public, max-age=60" },
  });
}
