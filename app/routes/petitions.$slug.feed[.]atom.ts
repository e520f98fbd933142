import type { LoaderFunctionArgs } from "@remix-run/node";
import { findPublicPetition } from "../domain/petitions/api.server";
import { petitionFeed } from "../domain/petitions/feed.server";
import { atomResponse } from "../platform/content/atom";
import { companyWords } from "../platform/mail/recipient-words.server";
import { redirectFromFormerAddress } from "../web/former-addresses.server";
import { notFound } from "../web/refusal-reply.server";

/**
 * GET /petitions/:slug/feed.atom — a petition's news (organizers' updates, milestones, responses,
 * closing): how anonymous signers, whom the platform cannot email, follow what they signed. Public
 * petitions only; reading it names nobody.
 */
export function loader({ request, params }: LoaderFunctionArgs) {
  const petition = findPublicPetition(params.slug ?? "");
  // A feed reader shows this as it is: in the company's language, as the feed is.
  if (!petition) notFound(companyWords().t("server.feed.petition.notFound"));
  redirectFromFormerAddress(request, "/petitions/", params.slug, petition.slug);
  return atomResponse(petitionFeed(petition));
}
