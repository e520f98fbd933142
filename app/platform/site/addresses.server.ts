import { getConfig } from "../../config.server";

/**
 * The platform's own addresses, built once: paths for pages and links, absolute URLs (from APP_URL)
 * for emails and the API.
 */
export const absoluteUrl = (path: string) => `${getConfig().appUrl}${path}`;

export const petitionPath = (slug: string, anchor?: string) =>
  `/petitions/${slug}${anchor ? `#${anchor}` : ""}`;
export const petitionUrl = (slug: string, anchor?: string) => absoluteUrl(petitionPath(slug, anchor));

/** A petition's sub-page (dashboard, invitation), absolute. */
export const petitionPageUrl = (slug: string, page: string) => absoluteUrl(`/petitions/${slug}/${page}`);
