/** How a person receives email about what they follow: each event at once, or one digest a day or a week. */
export const EMAIL_CADENCES = ["each", "daily", "weekly"] as const;
export type EmailCadence = (typeof EMAIL_CADENCES)[number];

/** Why a person follows a petition (the notification list says it). */
export const FOLLOW_REASONS = ["organize", "co-sponsor", "signed", "follow"] as const;
export type FollowReason = (typeof FOLLOW_REASONS)[number];

/**
 * One piece of news in the public feed (`/api/news`), as the server writes it and a browser that
 * follows petitions on its own reads it.
 */
export type PublicNewsItem = {
  petitionId: number;
  slug: string;
  title: string;
  /** `<petition id>-<event key>`: stable, what a browser marks read. */
  key: string;
  kind: string;
  /** YYYY-MM-DD (UTC). */
  on: string;
  /** Catalog words: written in the reader's language by the page. */
  words: { key: string; values?: Record<string, string | number | boolean> };
  href?: string;
};
