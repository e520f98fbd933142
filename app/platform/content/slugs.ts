/** Readable, unique addresses for petitions, policies and announcements. */

export function slugify(title: string, fallback = "petition"): string {
  const base = title
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  // At most 60 characters, cut at a word boundary.
  const cut = base.length > 60 ? base.slice(0, 61).replace(/-[^-]*$/, "") : base;
  return cut || fallback;
}

/**
 * The title's slug, suffixed -2, -3… until `taken` says no. Slugs that routes use beside the list
 * (`reserved`, like "new") get `-${kind}` appended.
 */
export function uniqueSlug(
  title: string,
  kind: string,
  reserved: ReadonlySet<string>,
  taken: (slug: string) => boolean,
): string {
  const plain = slugify(title, kind);
  // All digits would read as an id in the routes that take an id or a slug.
  const base = reserved.has(plain) || /^\d+$/.test(plain) ? `${plain}-${kind}` : plain;
  let slug = base;
  for (let n = 2; taken(slug); n++) slug = `${base}-${n}`;
  return slug;
}
