import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { OUTBOX_STATUSES } from "../app/models/outbox-status";
import { ROLES } from "../app/models/roles";

/** Milliseconds since the epoch; every timestamp in the database uses this. */
const timestamp = (name: string) => integer(name, { mode: "timestamp_ms" });
const createdAt = () =>
  timestamp("created_at").notNull().default(sql`(cast(unixepoch('subsec') * 1000 as integer))`);

/** The staff directory, plus people admitted by an allowed email domain. */
export const people = sqliteTable(
  "people",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** Always stored lower-cased; the unique index makes lookups case-insensitive in effect. */
    email: text("email").notNull(),
    name: text("name"),
    department: text("department"),
    location: text("location"),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    /** True when the row came from a directory import; false for people admitted by domain. */
    inDirectory: integer("in_directory", { mode: "boolean" }).notNull().default(true),
    firstSignedInAt: timestamp("first_signed_in_at"),
    createdAt: createdAt(),
    updatedAt: createdAt(),
  },
  (t) => [uniqueIndex("people_email_unique").on(t.email), index("people_name_idx").on(t.name)],
);

export const personRoles = sqliteTable(
  "person_roles",
  {
    personId: integer("person_id")
      .notNull()
      .references(() => people.id, { onDelete: "cascade" }),
    role: text("role", { enum: ROLES }).notNull(),
    grantedById: integer("granted_by_id").references(() => people.id, { onDelete: "set null" }),
    grantedAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.personId, t.role] }), index("person_roles_role_idx").on(t.role)],
);

/** Magic-link tokens: only the SHA-256 of the token is stored. */
export const signInTokens = sqliteTable(
  "sign_in_tokens",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    tokenHash: text("token_hash").notNull(),
    email: text("email").notNull(),
    redirectTo: text("redirect_to"),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at").notNull(),
    usedAt: timestamp("used_at"),
  },
  (t) => [
    uniqueIndex("sign_in_tokens_hash_unique").on(t.tokenHash),
    index("sign_in_tokens_email_idx").on(t.email),
  ],
);

/** Server-side sessions; the cookie holds the raw token, the table its SHA-256. */
export const sessions = sqliteTable(
  "sessions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    tokenHash: text("token_hash").notNull(),
    personId: integer("person_id")
      .notNull()
      .references(() => people.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at").notNull(),
    renewedAt: timestamp("renewed_at").notNull(),
  },
  (t) => [uniqueIndex("sessions_hash_unique").on(t.tokenHash), index("sessions_person_idx").on(t.personId)],
);

/** Append-only (triggers in the migrations refuse UPDATE and DELETE). */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    actorId: integer("actor_id").references(() => people.id, { onDelete: "restrict" }),
    /** Who acted, as text: an email, or "cli" / "system" when no person did. */
    actorLabel: text("actor_label").notNull(),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    details: text("details", { mode: "json" }).$type<Record<string, unknown>>(),
    createdAt: createdAt(),
  },
  (t) => [index("audit_log_actor_idx").on(t.actorId, t.id), index("audit_log_action_idx").on(t.action, t.id)],
);

/** Every email is written here first, in the transaction of the change that causes it. */
export const outbox = sqliteTable(
  "outbox",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    kind: text("kind").notNull(),
    toAddress: text("to_address").notNull(),
    subject: text("subject").notNull(),
    textBody: text("text_body").notNull(),
    htmlBody: text("html_body").notNull(),
    headers: text("headers", { mode: "json" }).$type<Record<string, string>>(),
    /** Sensitive bodies (sign-in links) are blanked once delivered. */
    sensitive: integer("sensitive", { mode: "boolean" }).notNull().default(false),
    status: text("status", { enum: OUTBOX_STATUSES }).notNull().default("queued"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at").notNull(),
    lastError: text("last_error"),
    messageId: text("message_id").notNull(),
    createdAt: createdAt(),
    sentAt: timestamp("sent_at"),
  },
  (t) => [index("outbox_due_idx").on(t.status, t.nextAttemptAt), index("outbox_created_idx").on(t.createdAt)],
);

/** Fixed-window counters for rate limits; survive restarts. */
export const rateLimits = sqliteTable("rate_limits", {
  key: text("key").primaryKey(),
  windowStart: integer("window_start").notNull(),
  count: integer("count").notNull(),
});
