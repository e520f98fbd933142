/** Roles beyond staff (everyone signed in is staff). Shared by the server and the pages. */
export const ROLES = ["organizer", "moderator", "leadership", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** What every colleague can do once signed in: what the roles below add to. */
export const STAFF_CAN =
  "Every colleague who signs in can sign and start petitions, organize the ones they start, comment, and send feedback on policies.";

/** What each role adds to what every colleague can do (permissions.server.ts grants it). */
export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  organizer:
    "Adds no rights: it only marks people who organize on the company's behalf (every colleague can already start and organize petitions)",
  moderator:
    "Adds reviewing and approving petitions, hiding and restoring reported comments, locking discussions and invalidating fraudulent signatures",
  leadership:
    "Adds answering petitions with memos, publishing policy versions and commitments, and the list of petitions awaiting a response",
  admin:
    "Adds the staff directory, roles, settings, the audit log, the outbox and backups — and what leadership may publish",
};

export const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);
