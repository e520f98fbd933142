import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { responsesToPetitions } from "../domain/announcements/reads.server";
import { findPublicPetition, toApiPetition } from "../domain/petitions/api.server";
import { listMilestones } from "../domain/petitions/reads.server";
import { apiNotFound } from "../web/refusal-reply.server";

/** GET /api/petitions/:idOrSlug — see docs/api.md. */
export function loader({ params }: LoaderFunctionArgs) {
  const petition = findPublicPetition(params.idOrSlug ?? "");
  if (!petition) return apiNotFound("No public petition with that id or slug.");
  return json(toApiPetition(petition, listMilestones(petition.id), responsesToPetitions([petition.id])));
}
