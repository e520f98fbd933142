/** Roles beyond staff (everyone signed in is staff). Shared by the server and the pages. */
export const ROLES = ["organizer", "moderator", "leadership", "admin"] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  organizer: "Creates petitions, follows their progress and writes to signers",
  moderator: "Reviews petitions, handles reported comments, invalidates fraud",
  leadership: "Answers petitions with memos and publishes policy versions",
  admin: "Manages the directory, roles, milestones, the outbox and the audit log",
};

export const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);
