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
export const REPORT_URGENCY_LABELS: Record<ReportUrgency, string> = {
  "hidden-by-reports": "Urgent: hidden by reports until you review it",
  "popular-kept-visible":
    "Urgent: reported by enough colleagues to hide it, but more upvoted it, so it stays visible until you review it",
  overdue: "Overdue: waiting more than a day",
  waiting: "Waiting",
};
