import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { responsesToPetitions } from "../domain/announcements/reads.server";
import { findPublicPetition, toApiPetition } from "../domain/petitions/api.server";
import { listMilestones } from "../domain/petitions/reads.server";

/** GET /api/petitions/:idOrSlug — see docs/api.md. */
export function loader({ params }: LoaderFunctionArgs) {
  const petition = findPublicPetition(params.idOrSlug ?? "");
  if (!petition) return json({ error: "No public petition with that id or slug." }, { status: 404 });
  return json(toApiPetition(petition, listMilestones(petition.id), responsesToPetitions([petition.id])));
}
