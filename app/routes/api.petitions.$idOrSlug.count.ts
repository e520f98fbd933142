import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { findPublicPetition } from "../models/petitions.server";

/** GET /api/petitions/:idOrSlug/count — cheap, cacheable for a few seconds. */
export function loader({ params }: LoaderFunctionArgs) {
  const petition = findPublicPetition(params.idOrSlug ?? "");
  if (!petition) return json({ error: "No public petition with that id or slug." }, { status: 404 });
  return json(
    { signatureCount: petition.signatureCount, updatedAt: new Date().toISOString() },
    { headers: { "Cache-Control": "public, max-age=5" } },
  );
}
