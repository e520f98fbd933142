/** Discussions: what carries a thread, how threads sort, why comments are reported. */

/** Things that carry a discussion thread. */
export const COMMENT_SUBJECT_TYPES = ["petition", "announcement", "policy"] as const;
export type CommentSubjectType = (typeof COMMENT_SUBJECT_TYPES)[number];

export const COMMENT_SORTS = ["top", "newest", "oldest"] as const;
export type CommentSort = (typeof COMMENT_SORTS)[number];
/** What pages call each sort (app/i18n/catalogs/<lang>/discussion.json). */
export const COMMENT_SORT_KEYS = {
  top: "discussion.sort.top",
  newest: "discussion.sort.newest",
  oldest: "discussion.sort.oldest",
} as const satisfies Record<CommentSort, `discussion.${string}`>;

export const REPORT_REASONS = ["spam", "offensive", "harassment", "off_topic", "other"] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];
/** What pages call each reason (app/i18n/catalogs/<lang>/discussion.json). */
export const REPORT_REASON_KEYS = {
  spam: "discussion.reason.spam",
  offensive: "discussion.reason.offensive",
  harassment: "discussion.reason.harassment",
  off_topic: "discussion.reason.off_topic",
  other: "discussion.reason.other",
} as const satisfies Record<ReportReason, `discussion.${string}`>;

/** How a report ends: the comment hidden or restored by a moderator, the reports dismissed, or the comment deleted. */
export const REPORT_RESOLUTIONS = ["hidden", "restored", "dismissed", "deleted"] as const;
export type ReportResolution = (typeof REPORT_RESOLUTIONS)[number];
