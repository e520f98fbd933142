import { firstAddress } from "../domain/addresses/addresses.server";
import { listAnnouncements } from "../domain/announcements/reads.server";
import { atomFeed, atomResponse } from "../platform/content/atom";
import { companyWords } from "../platform/mail/recipient-words.server";
import { absoluteUrl } from "../platform/site/addresses.server";

/** GET /announcements.atom — the published announcements, newest first (RFC 4287). */
export function loader() {
  // Fetched by a feed reader, not a person: the feed's own words are in the company's language.
  const { t } = companyWords();
  const { announcements } = listAnnouncements({ page: 1, includeUnpublished: false });
  return atomResponse(
    atomFeed({
      id: absoluteUrl("/announcements"),
      title: t("server.feed.announcements.title"),
      self: absoluteUrl("/announcements.atom"),
      alternate: absoluteUrl("/announcements"),
      author: t("server.feed.announcements.author"),
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
