/** Discussions: what carries a thread, how threads sort, why comments are reported. */

/** Things that carry a discussion thread. */
export const COMMENT_SUBJECT_TYPES = ["petition", "announcement", "policy"] as const;
export type CommentSubjectType = (typeof COMMENT_SUBJECT_TYPES)[number];

export const COMMENT_SORTS = ["top", "newest", "oldest"] as const;
export type CommentSort = (typeof COMMENT_SORTS)[number];
export const COMMENT_SORT_LABELS: Record<CommentSort, string> = {
  top: "Top",
  newest: "Newest",
  oldest: "Oldest",
};

export const REPORT_REASONS = ["spam", "offensive", "harassment", "off_topic", "other"] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];
export const REPORT_REASON_LABELS: Record<ReportReason, string> = {
  spam: "Spam",
  offensive: "Offensive",
  harassment: "Harassment",
  off_topic: "Off-topic",
  other: "Other",
};

/** How a report ends: the comment hidden or restored by a moderator, the reports dismissed, or the comment deleted. */
export const REPORT_RESOLUTIONS = ["hidden", "restored", "dismissed", "deleted"] as const;
export type ReportResolution = (typeof REPORT_RESOLUTIONS)[number];
