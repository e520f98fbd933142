/** Atom feeds (RFC 4287): the one writer of the announcements feed and each petition's feed. */
export const escapeXml = (value: string) =>
  value.replace(
    /[<>&'"]/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c] ?? c,
  );

export type AtomEntry = {
  id: string;
  title: string;
  link: string;
  published: Date;
  updated?: Date;
  html: string;
};

export function atomFeed(feed: {
  id: string;
  title: string;
  self: string;
  alternate: string;
  author: string;
  entries: AtomEntry[];
}): string {
  const newest = feed.entries.reduce((t, e) => Math.max(t, (e.updated ?? e.published).getTime()), 0);
  const entries = feed.entries.map(
    (e) => `  <entry>
    <id>${escapeXml(e.id)}</id>
    <title>${escapeXml(e.title)}</title>
    <link rel="alternate" type="text/html" href="${escapeXml(e.link)}"/>
    <published>${e.published.toISOString()}</published>
    <updated>${(e.updated ?? e.published).toISOString()}</updated>
    <content type="html">${escapeXml(e.html)}</content>
  </entry>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>${escapeXml(feed.id)}</id>
  <title>${escapeXml(feed.title)}</title>
  <link rel="self" type="application/atom+xml" href="${escapeXml(feed.self)}"/>
  <link rel="alternate" type="text/html" href="${escapeXml(feed.alternate)}"/>
  <author><name>${escapeXml(feed.author)}</name></author>
  <updated>${new Date(newest).toISOString()}</updated>
${entries.join("\n")}
</feed>
`;
}

export const atomResponse = (xml: string) =>
  new Response(xml, {
    headers: { "Content-Type": "application/atom+xml; charset=utf-8", "Cache-Control": "public, max-age=60" },
  });
