/** How a person receives email about what they follow: each event at once, or one digest a day or a week. */
export const EMAIL_CADENCES = ["each", "daily", "weekly"] as const;
export type EmailCadence = (typeof EMAIL_CADENCES)[number];

/** Why a person follows a petition (the notification list says it). */
export const FOLLOW_REASONS = ["organize", "co-sponsor", "signed", "follow"] as const;
export type FollowReason = (typeof FOLLOW_REASONS)[number];
