/** Where an owner has got to with a piece of policy feedback. */
export const FEEDBACK_STATUSES = ["new", "read", "acted"] as const;
export type FeedbackStatus = (typeof FEEDBACK_STATUSES)[number];
export const FEEDBACK_STATUS_LABELS: Record<FeedbackStatus, string> = {
  new: "New",
  read: "Read",
  acted: "Acted on",
};

/** A policy feedback rating (1–5), in words. */
export const RATING_LABELS: Record<number, string> = {
  1: "very poor",
  2: "poor",
  3: "acceptable",
  4: "good",
  5: "very good",
};
