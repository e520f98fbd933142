/**
 * Roles beyond staff (everyone signed in is staff). Shared by the server and the pages; the codes are
 * what the CLI, SCIM and the audit log use, the pages name and describe them from the catalogs
 * (`admin.role`, `admin.role.adds`).
 */
export const ROLES = ["organizer", "moderator", "leadership", "admin"] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);
