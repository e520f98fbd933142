import type { LoaderFunctionArgs } from "@remix-run/node";
import { findPublicPetition } from "../domain/petitions/api.server";
import { petitionTimeline } from "../domain/petitions/timeline.server";
import { listPetitionUpdates } from "../domain/petitions/updates.server";
import { absoluteUrl, petitionUrl } from "../platform/addresses.server";
import { atomFeed, atomResponse, escapeXml } from "../platform/atom";
import { notFound } from "../web/refusal-reply.server";

/**
 * GET /petitions/:slug/feed.atom — a petition's news (organizers' updates, milestones, responses,
 * closing): how anonymous signers, whom the platform cannot email, follow what they signed. Public
 * petitions only; reading it names nobody.
 */
export function loader({ params }: LoaderFunctionArgs) {
  const petition = findPublicPetition(params.slug ?? "");
  if (!petition) notFound("There is no public petition at this address.");
  const url = petitionUrl(petition.slug);
  const updates = listPetitionUpdates(petition.id).map((u) => ({
    id: `${url}#update-${u.id}`,
    title: u.kind === "victory" ? "Won" : "Update from the organizers",
    link: petitionUrl(petition.slug, "updates"),
    published: u.createdAt,
    html: u.bodyHtml,
  }));
  const events = petitionTimeline(petition)
    .filter((e) => !e.text.startsWith("Petition created"))
    .map((e) => ({
      id: `${url}#event-${e.at.getTime()}-${encodeURIComponent(e.text).slice(0, 40)}`,
      title: e.text,
      link: e.href ? absoluteUrl(e.href) : url,
      published: e.at,
      html: `<p>${escapeXml(e.text)}</p>`,
    }));
  const entries = [...updates, ...events].sort((a, b) => b.published.getTime() - a.published.getTime());
  return atomResponse(
    atomFeed({
      id: url,
      title: `Undersigned — ${petition.title}`,
      self: `${url}/feed.atom`,
      alternate: url,
      author: "Undersigned",
      entries,
    }),
  );
}
