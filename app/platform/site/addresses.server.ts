import { getConfig } from "../../config.server";

/**
 * The platform's own addresses, built once: paths for pages and links, absolute URLs (from APP_URL)
 * for emails and the API.
 */
export const absoluteUrl = (path: string) => `${getConfig().appUrl}${asciiPath(path)}`;

/**
 * A path with its non-ASCII characters percent-encoded (UTF-8), as browsers send it: addresses in
 * Japanese or Arabic (ADR 40) go into emails, feeds and headers as plain ASCII URLs.
 */
export const asciiPath = (path: string) => path.replace(/\P{ASCII}+/gu, (run) => encodeURIComponent(run));

export const petitionPath = (slug: string, anchor?: string) =>
  `/petitions/${slug}${anchor ? `#${anchor}` : ""}`;
export const petitionUrl = (slug: string, anchor?: string) => absoluteUrl(petitionPath(slug, anchor));

/** A petition's sub-page (dashboard, invitation), absolute. */
export const petitionPageUrl = (slug: string, page: string) => absoluteUrl(`/petitions/${slug}/${page}`);
