/** Announcements (leadership memos) and policies: values shared by the server and the pages. */

export const ANNOUNCEMENT_STATES = ["draft", "scheduled", "published"] as const;
export type AnnouncementState = (typeof ANNOUNCEMENT_STATES)[number];

export const STANCES = ["accepted", "partially_accepted", "declined", "under_review"] as const;
export type Stance = (typeof STANCES)[number];
/** In English for emails and the petition timeline; pages say them from the catalogs (`policies.stance.*`). */
export const STANCE_LABELS: Record<Stance, string> = {
  accepted: "Accepted",
  partially_accepted: "Partially accepted",
  declined: "Declined",
  under_review: "Under review",
};

export const COMMITMENT_STATUSES = ["planned", "in_progress", "done"] as const;
export type CommitmentStatus = (typeof COMMITMENT_STATUSES)[number];
/** In English for emails and the petition timeline; pages say them from the catalogs (`policies.commitmentStatus.*`). */
export const COMMITMENT_STATUS_LABELS: Record<CommitmentStatus, string> = {
  planned: "Planned",
  in_progress: "In progress",
  done: "Done",
};

export const REMINDER_KINDS = ["due-soon", "overdue"] as const;
export type ReminderKind = (typeof REMINDER_KINDS)[number];

/** What one leader may do to another leader's memo, saying so (the memo shows it). */
export const PROXY_ACTS = ["edit", "schedule", "publish", "commitment"] as const;
export type ProxyAct = (typeof PROXY_ACTS)[number];
