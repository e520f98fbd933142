import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { responsesToPetitions } from "../domain/announcements/reads.server";
import { findPublicPetition, toApiPetition } from "../domain/petitions/api.server";
import { listMilestones } from "../domain/petitions/reads.server";
import { redirectFromFormerAddress } from "../web/former-addresses.server";
import { apiNotFound } from "../web/refusal-reply.server";

/** GET /api/petitions/:idOrSlug — see docs/api.md. */
export function loader({ request, params }: LoaderFunctionArgs) {
  const petition = findPublicPetition(params.idOrSlug ?? "");
  if (!petition) return apiNotFound("No public petition with that id or slug.");
  redirectFromFormerAddress(request, "/api/petitions/", params.idOrSlug, petition.slug);
  return json(toApiPetition(petition, listMilestones(petition.id), responsesToPetitions([petition.id])));
}
