import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { z } from "zod";
import { findPublicPetition } from "../domain/petitions/api.server";
import { LEDGER_PAGE_SIZE, listLedger } from "../domain/petitions/ledger.server";
import { redirectFromFormerAddress } from "../web/former-addresses.server";
import { apiNotFound } from "../web/refusal-reply.server";
import { parseQuery } from "../web/request.server";

/** GET /api/petitions/:idOrSlug/ledger?after=SEQ — see docs/ledger.md. */
export function loader({ request, params }: LoaderFunctionArgs) {
  const { after } = parseQuery(request, z.object({ after: z.coerce.number().int().min(0).default(0) }));
  const petition = findPublicPetition(params.idOrSlug ?? "");
  if (!petition) return apiNotFound("No public petition with that id or slug.");
  redirectFromFormerAddress(request, "/api/petitions/", params.idOrSlug, petition.slug);
  const entries = listLedger(petition.id, after);
  return json({
    petitionId: petition.id,
    length: petition.ledgerLength,
    head: petition.ledgerHead,
    entries: entries.map((e) => ({ ...e, at: e.at.toISOString() })),
    nextAfter: entries.length === LEDGER_PAGE_SIZE ? (entries.at(-1)?.seq ?? null) : null,
  });
}
