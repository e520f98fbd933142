/** The moderators' queues: how pressing an item is, shared by the queues' reads and their pages. */

/** After this long without a moderator's look, an item in a queue is overdue. */
export const MODERATION_OVERDUE_MS = 24 * 60 * 60 * 1000;

/**
 * A reported comment's urgency, most pressing first. Reports hid it without anyone's judgement (its
 * author is silenced until a moderator looks); reports reached the hiding number but more colleagues
 * upvoted it, so it stays visible (a campaign against a popular voice looks like this); overdue;
 * waiting.
 */
export const REPORT_URGENCIES = ["hidden-by-reports", "popular-kept-visible", "overdue", "waiting"] as const;
export type ReportUrgency = (typeof REPORT_URGENCIES)[number];
/** What the reported-comments page says of each urgency (app/i18n/catalogs/<lang>/discussion.json). */
export const REPORT_URGENCY_KEYS = {
  "hidden-by-reports": "discussion.urgency.hidden-by-reports",
  "popular-kept-visible": "discussion.urgency.popular-kept-visible",
  overdue: "discussion.urgency.overdue",
  waiting: "discussion.urgency.waiting",
} as const satisfies Record<ReportUrgency, `discussion.${string}`>;
