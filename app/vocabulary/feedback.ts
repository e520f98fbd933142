/**
 * Where an owner has got to with a piece of policy feedback. The pages name each status and rating
 * from the catalogs (`policies.feedbackStatus.*`, `policies.rating.*`).
 */
export const FEEDBACK_STATUSES = ["new", "read", "acted"] as const;
export type FeedbackStatus = (typeof FEEDBACK_STATUSES)[number];
