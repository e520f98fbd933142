import { getConfig } from "../config.server";
import { listAnnouncements } from "../domain/announcements/reads.server";

const escapeXml = (value: string) =>
  value.replace(
    /[<>&'"]/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c] ?? c,
  );

/** GET /announcements.atom — the published announcements, newest first (RFC 4287). */
export function loader() {
  const base = getConfig().appUrl;
  const { announcements } = listAnnouncements({ page: 1, includeUnpublished: false });
  const updated = (a: (typeof announcements)[number]) =>
    (a.updatedAfterPublishingAt ?? a.publishedAt ?? a.createdAt).toISOString();
  const feedUpdated = announcements[0] ? updated(announcements[0]) : new Date(0).toISOString();
  const entries = announcements.map(
    (a) => `  <entry>
    <id>${escapeXml(`${base}/announcements/${a.slug}`)}</id>
    <title>${escapeXml(a.title)}</title>
    <link rel="alternate" type="text/html" href="${escapeXml(`${base}/announcements/${a.slug}`)}"/>
    <published>${a.publishedAt?.toISOString() ?? updated(a)}</published>
    <updated>${updated(a)}</updated>
    <content type="html">${escapeXml(a.bodyHtml)}</content>
  </entry>`,
  );
  const xml = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>${escapeXml(`${base}/announcements`)}</id>
  <title>Undersigned — announcements</title>
  <link rel="self" type="application/atom+xml" href="${escapeXml(`${base}/announcements.atom`)}"/>
  <link rel="alternate" type="text/html" href="${escapeXml(`${base}/announcements`)}"/>
  <author><name>Leadership</name></author>
  <updated>${feedUpdated}</updated>
${entries.join("\n")}
</feed>
`;
  return new Response(xml, {
    headers: { "Content-Type": "application/atom+xml; charset=utf-8", "Cache-Control": "public, max-age=60" },
  });
}
