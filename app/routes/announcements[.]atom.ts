import { firstAddress } from "../domain/addresses/addresses.server";
import { listAnnouncements } from "../domain/announcements/reads.server";
import { atomFeed, atomResponse } from "../platform/content/atom";
import { absoluteUrl } from "../platform/site/addresses.server";

/** GET /announcements.atom — the published announcements, newest first (RFC 4287). */
export function loader() {
  const { announcements } = listAnnouncements({ page: 1, includeUnpublished: false });
  return atomResponse(
    atomFeed({
      id: absoluteUrl("/announcements"),
      title: "Undersigned — announcements",
      self: absoluteUrl("/announcements.atom"),
      alternate: absoluteUrl("/announcements"),
      author: "Leadership",
      entries: announcements.map((a) => ({
        // Made of its first address: an announcement that moved (ADR 40) keeps its entry's id.
        id: absoluteUrl(`/announcements/${firstAddress("announcement", a)}`),
        title: a.title,
        link: absoluteUrl(`/announcements/${a.slug}`),
        published: a.publishedAt ?? a.createdAt,
        updated: a.updatedAfterPublishingAt ?? a.publishedAt ?? a.createdAt,
        html: a.bodyHtml,
      })),
    }),
  );
}
