import { sql } from "drizzle-orm";
import {
  type AnySQLiteColumn,
  blob,
  index,
  integer,
  primaryKey,
  sqliteTable,
  sqliteView,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";
import { ADDRESSED_KINDS } from "../app/vocabulary/addresses";
import {
  ANNOUNCEMENT_STATES,
  COMMITMENT_STATUSES,
  PROXY_ACTS,
  REMINDER_KINDS,
  STANCES,
} from "../app/vocabulary/announcements";
import { CHAT_KINDS, type ChatEvent } from "../app/vocabulary/chat";
import { COMMENT_SUBJECT_TYPES, REPORT_REASONS, REPORT_RESOLUTIONS } from "../app/vocabulary/comments";
import { EMAIL_TOPICS } from "../app/vocabulary/email-topics";
import { FEEDBACK_STATUSES } from "../app/vocabulary/feedback";
import { PROVIDER_PROTOCOLS, SIGN_IN_METHODS } from "../app/vocabulary/identity";
import { MAIL_KIND_NAMES } from "../app/vocabulary/mail-kinds";
import { EMAIL_CADENCES } from "../app/vocabulary/notifications";
import { OUTBOX_STATUSES } from "../app/vocabulary/outbox";
import {
  INVALIDATION_REASONS,
  LEDGER_EVENTS,
  MILESTONE_ORIGINS,
  PETITION_STATES,
  PETITION_UPDATE_KINDS,
  REJECTION_REASONS,
  SIGNATURE_VISIBILITIES,
} from "../app/vocabulary/petitions";
import { ROLES } from "../app/vocabulary/roles";

/** Milliseconds since the epoch; every timestamp in the database uses this. */
const timestamp = (name: string) => integer(name, { mode: "timestamp_ms" });
const createdAt = () =>
  timestamp("created_at").notNull().default(sql`(cast(unixepoch('subsec') * 1000 as integer))`);
/**
 * Set by the app on every insert and update. (Its DB default is a constant because SQLite cannot add
 * a column with an expression default to an existing table.)
 */
const updatedAt = () =>
  timestamp("updated_at")
    .notNull()
    .default(sql`0`)
    .$defaultFn(() => new Date());

/**
 * A random row id in [1, 2^53): within JavaScript's safe integers, and carrying no order. Used by the
 * tables whose ids would otherwise place anonymous items in time between exactly dated named ones
 * (comments, policy feedback; ADR 31). Their inserts ask platform/random-ids.server.ts, which retries
 * on a collision; this default only backs an insert that forgot. Web Crypto's global, so the schema
 * imports nothing.
 */
export function randomRowId(): number {
  const [high = 0, low = 0] = globalThis.crypto.getRandomValues(new Uint32Array(2));
  return (high & 0x1f_ffff) * 2 ** 32 + low || 1;
}
/** An integer primary key with random values (no AUTOINCREMENT: SQLite would follow the largest id). */
const randomId = () => integer("id").primaryKey().$defaultFn(randomRowId);

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
    /** SCIM's `userName` when a provisioning client set one (it may differ from the email). */
    scimUserName: text("scim_user_name"),
    /** SCIM's `externalId`: the provisioning client's own id for this person. */
    externalId: text("external_id"),
    /**
     * The provisioning client deleted this person's SCIM user: SCIM answers 404 for it and leaves it
     * out of every list, while the person stays (deactivated, their signatures counted).
     */
    scimDeleted: integer("scim_deleted", { mode: "boolean" }).notNull().default(false),
    /**
     * How many SCIM users of this person were deleted: a user created again after a DELETE gets a new
     * SCIM id (`<id>-<n>`), so the deleted one's id keeps answering 404 (RFC 7644 §3.6).
     */
    scimGeneration: integer("scim_generation").notNull().default(0),
    /** The language the person chose for pages and emails; null follows their browser, then the company's. */
    locale: text("locale"),
    /** The time zone the person chose (IANA); null follows their browser, then the company's. */
    timeZone: text("time_zone"),
    /** The person asked to be erased (GDPR Art. 17): an admin reviews it (people/erasure.server.ts). */
    erasureRequestedAt: timestamp("erasure_requested_at"),
    /** Erased: the row stays, emptied, so what is kept (docs/privacy.md) shows "a former colleague". */
    erasedAt: timestamp("erased_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("people_email_unique").on(t.email),
    index("people_name_idx").on(t.name),
    uniqueIndex("people_scim_user_name_unique").on(t.scimUserName).where(sql`scim_user_name is not null`),
    // SCIM finds users by userName without regard to case (and checks it against every email).
    index("people_scim_user_name_lower_idx").on(sql`lower(${t.scimUserName})`),
  ],
);

/**
 * A person's identity at the company's identity provider: (issuer, subject) is who they are there.
 * Linked once (on the first sign-in through the provider); no times are kept, so nothing here dates
 * a sign-in.
 */
export const externalIdentities = sqliteTable(
  "external_identities",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    personId: integer("person_id")
      .notNull()
      .references(() => people.id, { onDelete: "cascade" }),
    protocol: text("protocol", { enum: PROVIDER_PROTOCOLS }).notNull(),
    issuer: text("issuer").notNull(),
    subject: text("subject").notNull(),
  },
  (t) => [
    uniqueIndex("external_identities_issuer_subject_unique").on(t.issuer, t.subject),
    uniqueIndex("external_identities_person_protocol_unique").on(t.personId, t.protocol, t.issuer),
  ],
);

/**
 * SAML AuthnRequests this server sent and has not yet seen answered (InResponseTo is checked against
 * them): removed when answered, purged when expired. The id is random; nothing names the person.
 */
export const samlRequests = sqliteTable("saml_requests", {
  id: text("id").primaryKey(),
  expiresAt: timestamp("expires_at").notNull(),
});

/**
 * SAML assertions already accepted (a SHA-256 of the issuer and assertion id), kept until the
 * assertion expires so none is accepted twice; purged after. Not linked to a person.
 */
export const samlAssertions = sqliteTable("saml_assertions", {
  idHash: text("id_hash").primaryKey(),
  expiresAt: timestamp("expires_at").notNull(),
});

/**
 * OpenID Connect sign-ins started here and not yet come back (a SHA-256 of each `state`): the first
 * callback that presents one deletes it, whatever the provider then answers, so a pending-sign-in
 * cookie works once. Purged when expired. Nothing names the person.
 */
export const oidcSignIns = sqliteTable("oidc_sign_ins", {
  stateHash: text("state_hash").primaryKey(),
  expiresAt: timestamp("expires_at").notNull(),
});

/**
 * A provider identity waiting to be linked to an address that may not be linked by email alone (a
 * role holder's; see app/domain/identity/identity-linking.server.ts): linked when the emailed link
 * (only its SHA-256 here) is confirmed or an admin approves. One per (address, issuer, subject);
 * deleted when used, refused or superseded, and within a minute of expiring.
 */
export const identityLinkRequests = sqliteTable(
  "identity_link_requests",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    tokenHash: text("token_hash").notNull(),
    email: text("email").notNull(),
    protocol: text("protocol", { enum: PROVIDER_PROTOCOLS }).notNull(),
    issuer: text("issuer").notNull(),
    subject: text("subject").notNull(),
    /** The name the provider gives the account, shown to whoever confirms (a stranger's stands out). */
    accountName: text("account_name"),
    expiresAt: timestamp("expires_at").notNull(),
  },
  (t) => [
    uniqueIndex("identity_link_requests_token_unique").on(t.tokenHash),
    uniqueIndex("identity_link_requests_account_unique").on(t.email, t.issuer, t.subject),
  ],
);

/**
 * A directory file an admin previewed and may confirm (the admin page's two steps): kept here, not in
 * the page, so the confirm imports exactly the file that was previewed. Keyed by the SHA-256 of the
 * admin, the options and the file; `plan_digest` is what the preview showed, checked again at the
 * confirm. Deleted when confirmed, or an hour later at the next preview.
 */
export const pendingDirectoryImports = sqliteTable("pending_directory_imports", {
  id: text("id").primaryKey(),
  actorId: integer("actor_id")
    .notNull()
    .references(() => people.id, { onDelete: "cascade" }),
  csv: text("csv").notNull(),
  deactivateMissing: integer("deactivate_missing", { mode: "boolean" }).notNull(),
  planDigest: text("plan_digest").notNull(),
  createdAt: timestamp("created_at").notNull(),
});

/** Bearer tokens of SCIM provisioning clients: only the SHA-256 is stored. */
export const scimTokens = sqliteTable(
  "scim_tokens",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    tokenHash: text("token_hash").notNull(),
    label: text("label").notNull(),
    createdAt: createdAt(),
    revokedAt: timestamp("revoked_at"),
  },
  (t) => [uniqueIndex("scim_tokens_hash_unique").on(t.tokenHash)],
);

/**
 * A change the provisioning client (SCIM) asked for to someone who holds a role, held until an admin
 * confirms or refuses it on the person's page: a new email, userName or externalId, or the first link
 * of a SCIM user to them (`relink`: adopting them, or creating their user again after a DELETE).
 * One per person; a newer request replaces it.
 */
export const scimHeldChanges = sqliteTable("scim_held_changes", {
  personId: integer("person_id")
    .primaryKey()
    .references(() => people.id, { onDelete: "cascade" }),
  email: text("email").notNull(),
  userName: text("user_name").notNull(),
  externalId: text("external_id"),
  relink: integer("relink", { mode: "boolean" }).notNull().default(false),
  createdAt: createdAt(),
});

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

/**
 * Magic-link tokens: only the SHA-256 of the token is stored. A row lives only while its link can be
 * used: using a link deletes it with the address's other links, and the minute scheduler deletes
 * expired ones, so no sign-in time, nor the page someone came for, outlives the link (ADR 0032).
 */
export const signInTokens = sqliteTable(
  "sign_in_tokens",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    tokenHash: text("token_hash").notNull(),
    email: text("email").notNull(),
    redirectTo: text("redirect_to"),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at").notNull(),
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
    /** How the session was started: sign-out also ends an identity provider's own session. */
    method: text("method", { enum: SIGN_IN_METHODS }).notNull().default("email"),
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
    kind: text("kind", { enum: MAIL_KIND_NAMES }).notNull(),
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
    /** The petition an email is about, so its organizers' dashboard can show delivery (counts only). */
    petitionId: integer("petition_id"),
    /**
     * Set when queued: the recipient is someone admins must not learn (a commenter, a feedback author,
     * a signer). Such rows are shown only as counts by kind and day, never as rows (ADR 0032).
     */
    recipientHidden: integer("recipient_hidden", { mode: "boolean" }).notNull().default(false),
    /**
     * The person it is for, when whether they still get it is decided at send time (active, not opted
     * out of `optOutTopic`): the sender drops it then, recorded exactly like a delivery (ADR 0032).
     */
    recipientId: integer("recipient_id"),
    optOutTopic: text("opt_out_topic", { enum: EMAIL_TOPICS }),
    /**
     * A stand-in queued where no email goes (a reply to one's own comment, a comment whose author
     * turned emails off): no address, no body; the sender records it as delivered, so the count of
     * emails by kind says nothing about who wrote what.
     */
    withheld: integer("withheld", { mode: "boolean" }).notNull().default(false),
    /**
     * Set for a post to a company chat channel (Slack, Teams) rather than an email: the sender POSTs
     * `text_body` (the JSON payload) to the channel's webhook; `to_address` holds the channel's name.
     */
    chatChannelId: integer("chat_channel_id"),
    createdAt: createdAt(),
    sentAt: timestamp("sent_at"),
  },
  (t) => [
    index("outbox_due_idx").on(t.status, t.nextAttemptAt),
    index("outbox_created_idx").on(t.createdAt),
    // Covering: the dashboard counts a petition's emails by kind and state without reading bodies.
    index("outbox_petition_idx").on(t.petitionId, t.kind, t.status).where(sql`petition_id is not null`),
  ],
);

/**
 * Company chat channels (Slack incoming webhooks, Teams Workflows webhooks) and the public events each
 * is sent. The webhook address is a secret (whoever holds it posts to the channel): it is stored sealed
 * with a key derived from the session secret, and pages show only `webhook_hint` (its host).
 */
export const chatChannels = sqliteTable("chat_channels", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull(),
  kind: text("kind", { enum: CHAT_KINDS }).notNull(),
  webhookSealed: text("webhook_sealed").notNull(),
  webhookHint: text("webhook_hint").notNull(),
  events: text("events", { mode: "json" }).$type<ChatEvent[]>().notNull(),
  createdAt: createdAt(),
});

/** Site-wide settings an admin can change (co-sponsors needed, default closing period, …). */
export const siteSettings = sqliteTable("site_settings", {
  key: text("key").primaryKey(),
  value: text("value", { mode: "json" }).notNull(),
  updatedAt: createdAt(),
});

/**
 * Addresses petitions, policies and announcements had before they were given new ones (when the
 * rules for addresses changed, ADR 40): each redirects to the record's current address, and none is
 * ever given to another record of its kind. `subjectId` is the petition's, policy's or announcement's
 * id (none is ever deleted).
 */
export const formerAddresses = sqliteTable(
  "former_addresses",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    kind: text("kind", { enum: ADDRESSED_KINDS }).notNull(),
    slug: text("slug").notNull(),
    subjectId: integer("subject_id").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("former_addresses_kind_slug_unique").on(t.kind, t.slug),
    index("former_addresses_subject").on(t.kind, t.subjectId),
  ],
);

/** Default milestones copied onto each new petition. */
export const milestoneDefaults = sqliteTable("milestone_defaults", {
  threshold: integer("threshold").primaryKey(),
  responseRequired: integer("response_required", { mode: "boolean" }).notNull().default(false),
  responseDays: integer("response_days"),
});

export const petitions = sqliteTable(
  "petitions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    slug: text("slug").notNull(),
    title: text("title").notNull(),
    summary: text("summary").notNull(),
    body: text("body").notNull(),
    /**
     * The body rendered through the sanitizer when saved (as comments are), so viewing a petition
     * renders no markdown: a body the renderer could not handle fails its author's save, not every
     * viewer's page.
     */
    bodyHtml: text("body_html").notNull().default(""),
    category: text("category"),
    /** The policy the petition asks to change, when it names one. */
    policyId: integer("policy_id").references((): AnySQLiteColumn => policies.id),
    state: text("state", { enum: PETITION_STATES }).notNull().default("draft"),
    creatorId: integer("creator_id")
      .notNull()
      .references(() => people.id),
    coSponsorsRequired: integer("co_sponsors_required").notNull(),
    openForDays: integer("open_for_days").notNull(),
    rejectionReason: text("rejection_reason", { enum: REJECTION_REASONS }),
    rejectionNote: text("rejection_note"),
    hiddenAt: timestamp("hidden_at"),
    hiddenReason: text("hidden_reason"),
    /** Kept in step with the signatures in the same transaction; check-counts verifies it. */
    signatureCount: integer("signature_count").notNull().default(0),
    ledgerLength: integer("ledger_length").notNull().default(0),
    ledgerHead: text("ledger_head"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    submittedAt: timestamp("submitted_at"),
    openedAt: timestamp("opened_at"),
    closesAt: timestamp("closes_at"),
    closedAt: timestamp("closed_at"),
    archivedAt: timestamp("archived_at"),
    /** Its creator declared victory (see the "victory" update for their note). */
    wonAt: timestamp("won_at"),
    /** The creator asked moderators to close it early (a moderator closes it, or not). */
    closeRequestedAt: timestamp("close_requested_at"),
    closeRequestReason: text("close_request_reason"),
  },
  (t) => [
    uniqueIndex("petitions_slug_unique").on(t.slug),
    index("petitions_state_count_idx").on(t.state, t.signatureCount),
    index("petitions_state_opened_idx").on(t.state, t.openedAt),
    index("petitions_state_closes_idx").on(t.state, t.closesAt),
    index("petitions_creator_idx").on(t.creatorId),
  ],
);

export const petitionCoSponsors = sqliteTable(
  "petition_co_sponsors",
  {
    petitionId: integer("petition_id")
      .notNull()
      .references(() => petitions.id, { onDelete: "cascade" }),
    personId: integer("person_id")
      .notNull()
      .references(() => people.id),
    createdAt: createdAt(),
    /**
     * The creator dropped this co-sponsor before the petition opened: it no longer counts, and the
     * row stays so the same person cannot simply co-sponsor again.
     */
    droppedAt: timestamp("dropped_at"),
  },
  (t) => [
    primaryKey({ columns: [t.petitionId, t.personId] }),
    index("co_sponsors_person_idx").on(t.personId),
  ],
);

export const signatures = sqliteTable(
  "signatures",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    petitionId: integer("petition_id")
      .notNull()
      .references(() => petitions.id),
    personId: integer("person_id")
      .notNull()
      .references(() => people.id),
    visibility: text("visibility", { enum: SIGNATURE_VISIBILITIES }).notNull(),
    reason: text("reason"),
    /** The signer asked for updates (milestones, responses) by email. */
    wantsUpdates: integer("wants_updates", { mode: "boolean" }).notNull().default(false),
    /**
     * Keyed hash of a public signer's address, only to let moderators invalidate by IP: keyed by
     * IP_HASH_KEY (or a key held in memory only), never stored with the database; cleared when the
     * petition closes, and never kept on an anonymous signature.
     */
    ipHash: text("ip_hash"),
    /**
     * The public signer's department and location when they signed (null on legacy anonymous rows):
     * breakdowns read these, so a later directory edit moves no count.
     */
    department: text("department"),
    location: text("location"),
    /**
     * This signature's pseudonym in the ledger: random per signature, so nothing in the ledger links
     * two signatures of one person (a public one and a later anonymous one, say).
     */
    ledgerSigner: text("ledger_signer").notNull().default(""),
    /**
     * The blind token this public signature spent (its id: SHA-256 of the token's message), when the
     * signer had one: a token is spent once, publicly or anonymously, never both.
     */
    tokenId: text("token_id"),
    ledgerSeq: integer("ledger_seq").notNull(),
    ledgerHash: text("ledger_hash").notNull(),
    createdAt: createdAt(),
    withdrawnAt: timestamp("withdrawn_at"),
    invalidatedAt: timestamp("invalidated_at"),
    invalidationReason: text("invalidation_reason"),
  },
  (t) => [
    // One standing signature per person per petition, enforced by the database. A withdrawn one may
    // be replaced by signing again; an invalidated one blocks re-signing (it still has withdrawn_at null).
    uniqueIndex("signatures_one_per_person").on(t.petitionId, t.personId).where(sql`withdrawn_at is null`),
    index("signatures_petition_created_idx").on(t.petitionId, t.createdAt),
    index("signatures_person_idx").on(t.personId),
    uniqueIndex("signatures_token_standing")
      .on(t.tokenId)
      .where(sql`token_id is not null and withdrawn_at is null`),
    // Every signature that spent a token, withdrawn or not: a token spent publicly stays its person's
    // (signing.server.ts refuses it to anyone else, anonymous-signing.server.ts never redeems it).
    index("signatures_token_idx").on(t.tokenId).where(sql`token_id is not null`),
    // Standing public signatures made without a token, counted for each petition's JSON
    // (`publicWithoutToken`): read from this index alone. Queries repeat its WHERE terms.
    index("signatures_public_without_token_idx")
      .on(t.petitionId)
      .where(
        sql`token_id is null and visibility = 'public' and withdrawn_at is null and invalidated_at is null`,
      ),
    // Standing signatures by visibility: counting a petition's public and anonymous ones reads this
    // index alone. Queries must repeat both terms of the WHERE for SQLite to use it.
    index("signatures_standing_visibility_idx")
      .on(t.petitionId, t.visibility)
      .where(sql`withdrawn_at is null and invalidated_at is null`),
    // Standing signatures by time: the dashboard's series and recent counts read this index alone.
    index("signatures_standing_created_idx")
      .on(t.petitionId, t.createdAt)
      .where(sql`withdrawn_at is null and invalidated_at is null`),
  ],
);

/**
 * Each bulk invalidation of signatures, as the petition's public timeline shows it: when, how many
 * (never fewer than five) and why, as a category. Never who: the signatures themselves carry that.
 */
export const signatureInvalidations = sqliteTable(
  "signature_invalidations",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    petitionId: integer("petition_id")
      .notNull()
      .references(() => petitions.id),
    count: integer("count").notNull(),
    reason: text("reason", { enum: INVALIDATION_REASONS }).notNull(),
    invalidatedAt: timestamp("invalidated_at").notNull(),
  },
  (t) => [index("signature_invalidations_petition_idx").on(t.petitionId)],
);

/** Append-only hash chain of signature events per petition (see docs/ledger.md). */
export const ledgerEntries = sqliteTable(
  "ledger_entries",
  {
    petitionId: integer("petition_id")
      .notNull()
      .references(() => petitions.id),
    seq: integer("seq").notNull(),
    event: text("event", { enum: LEDGER_EVENTS }).notNull(),
    at: timestamp("at").notNull(),
    signer: text("signer").notNull(),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
    /** 1: `at` to the millisecond; 2 (every entry since issue 17): `at` is the hour (docs/ledger.md). */
    format: integer("format").notNull().default(1),
  },
  (t) => [primaryKey({ columns: [t.petitionId, t.seq] })],
);

export const milestones = sqliteTable(
  "milestones",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    petitionId: integer("petition_id")
      .notNull()
      .references(() => petitions.id, { onDelete: "cascade" }),
    threshold: integer("threshold").notNull(),
    /** Copied from the platform's defaults, or added by the petition's creator (capped: a few, apart). */
    origin: text("origin", { enum: MILESTONE_ORIGINS }).notNull().default("default"),
    /**
     * An obligation on leadership: from the platform's defaults, or a creator's request a moderator
     * approved (responseRequested stays true, responseApprovedById names the moderator).
     */
    responseRequired: integer("response_required", { mode: "boolean" }).notNull().default(false),
    /** The creator asked for a response within responseDays; binding only once a moderator approves. */
    responseRequested: integer("response_requested", { mode: "boolean" }).notNull().default(false),
    responseApprovedById: integer("response_approved_by_id").references(() => people.id),
    responseDays: integer("response_days"),
    reachedAt: timestamp("reached_at"),
    responseDueAt: timestamp("response_due_at"),
  },
  (t) => [uniqueIndex("milestones_petition_threshold_unique").on(t.petitionId, t.threshold)],
);

/** One discussion per commentable thing: a petition, an announcement or a policy. */
export const commentThreads = sqliteTable(
  "comment_threads",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    subjectType: text("subject_type", { enum: COMMENT_SUBJECT_TYPES }).notNull(),
    subjectId: integer("subject_id").notNull(),
    /** Kept in step by the comments module, so a page never counts rows. */
    commentCount: integer("comment_count").notNull().default(0),
    topLevelCount: integer("top_level_count").notNull().default(0),
    lockedAt: timestamp("locked_at"),
    lockedReason: text("locked_reason"),
    lockedById: integer("locked_by_id").references(() => people.id),
    /**
     * The start of the batch period (ANONYMOUS_BATCH_MINUTES) in which this thread's held anonymous
     * comments were last published; null before its first batch (discussion/batches.server.ts).
     */
    anonymousBatchAt: timestamp("anonymous_batch_at"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("comment_threads_subject_unique").on(t.subjectType, t.subjectId)],
);

export const comments = sqliteTable(
  "comments",
  {
    /** Random (ADR 31): ids say nothing of when a comment was written; time order is created_at, id. */
    id: randomId(),
    threadId: integer("thread_id")
      .notNull()
      .references(() => commentThreads.id),
    parentId: integer("parent_id").references((): AnySQLiteColumn => comments.id),
    /** 1 for top level, at most 3. */
    depth: integer("depth").notNull(),
    /** When a reply to a depth-3 comment is placed beside it, the comment it answers. */
    inReplyToId: integer("in_reply_to_id").references((): AnySQLiteColumn => comments.id),
    /**
     * Never leaves the discussion module for anonymous comments, and is forgotten (set null) once
     * their author can no longer edit them: when the discussion closes, or after the setting's number
     * of days (discussion/forgetting.server.ts). Null from the start for a signer's anonymous reason.
     */
    authorId: integer("author_id").references(() => people.id),
    anonymous: integer("anonymous", { mode: "boolean" }).notNull().default(false),
    /** The author asked to be emailed replies; off by default for anonymous comments (company mail sees who is emailed). */
    emailsAuthor: integer("emails_author", { mode: "boolean" }).notNull().default(true),
    /** Posted (as themselves) by an organizer of the subject or by leadership. */
    official: integer("official", { mode: "boolean" }).notNull().default(false),
    /**
     * A signer's "why I'm signing": written in the signing transaction, so its exact time would match
     * the ledger entry; shown with its day only, like anonymous comments.
     */
    fromSignature: integer("from_signature", { mode: "boolean" }).notNull().default(false),
    body: text("body").notNull(),
    /** The body rendered through the sanitizer when written, so reading a thread renders nothing. */
    bodyHtml: text("body_html").notNull(),
    score: integer("score").notNull().default(0),
    replyCount: integer("reply_count").notNull().default(0),
    /** Unresolved reports; at the configured threshold the comment hides itself pending review. */
    openReports: integer("open_reports").notNull().default(0),
    /** Exact for named comments; the day's start for anonymous ones (they are shown, and sorted, by day). */
    createdAt: createdAt(),
    editedAt: timestamp("edited_at"),
    deletedAt: timestamp("deleted_at"),
    hiddenAt: timestamp("hidden_at"),
    /** Null with hidden_at set: hidden automatically by reports, waiting for a moderator. */
    hiddenById: integer("hidden_by_id").references(() => people.id),
    hiddenReason: text("hidden_reason"),
    /**
     * An anonymous comment posted through the discussion forms waits here for its thread's next batch
     * (issue 17): seen by its author alone, counted nowhere, until the batch job publishes it
     * (discussion/batches.server.ts). Its author is not forgotten while it is held.
     */
    held: integer("held", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [
    // One index per sort of a thread's top level, and one for replies (always oldest first): time
    // order is (created_at, id), the random id only breaking ties.
    index("comments_top_level_score_idx")
      .on(t.threadId, t.score, t.createdAt, t.id)
      .where(sql`parent_id is null`),
    index("comments_top_level_time_idx").on(t.threadId, t.createdAt, t.id).where(sql`parent_id is null`),
    // Covering for reply previews, which skip others' held comments (held, author_id).
    index("comments_parent_time_idx").on(t.parentId, t.createdAt, t.id, t.held, t.authorId),
    index("comments_author_idx").on(t.authorId),
    // The moderators' queue: most reported first, then the longest waiting.
    index("comments_reported_idx").on(t.openReports, t.createdAt, t.id).where(sql`open_reports > 0`),
    // The batch job's look-up: the few held comments, by thread.
    index("comments_held_idx").on(t.threadId, t.createdAt).where(sql`held = 1`),
  ],
);

/** Earlier versions of edited comments, for moderators. */
export const commentRevisions = sqliteTable(
  "comment_revisions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    commentId: integer("comment_id")
      .notNull()
      .references(() => comments.id),
    body: text("body").notNull(),
    /** When this version was written (the comment's creation or an earlier edit). */
    writtenAt: timestamp("written_at").notNull(),
    replacedAt: timestamp("replaced_at").notNull(),
  },
  (t) => [index("comment_revisions_comment_idx").on(t.commentId, t.id)],
);

export const commentVotes = sqliteTable(
  "comment_votes",
  {
    commentId: integer("comment_id")
      .notNull()
      .references(() => comments.id),
    personId: integer("person_id")
      .notNull()
      .references(() => people.id),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.commentId, t.personId] })],
);

export const commentReports = sqliteTable(
  "comment_reports",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    commentId: integer("comment_id")
      .notNull()
      .references(() => comments.id),
    /**
     * Shown to nobody: neither the author nor moderators learn who reported. Kept only while the
     * report is open (one report per person per comment, and no judging one's own report); set null
     * when the report is resolved, so no resolved report names its reporter.
     */
    reporterId: integer("reporter_id").references(() => people.id),
    reason: text("reason", { enum: REPORT_REASONS }).notNull(),
    note: text("note"),
    createdAt: createdAt(),
    resolvedAt: timestamp("resolved_at"),
    resolution: text("resolution", { enum: REPORT_RESOLUTIONS }),
  },
  (t) => [
    uniqueIndex("comment_reports_once_per_person")
      .on(t.commentId, t.reporterId)
      .where(sql`reporter_id is not null`),
    index("comment_reports_open_idx").on(t.commentId).where(sql`resolved_at is null`),
  ],
);

/** Email topics a person has turned off (in settings, or by an unsubscribe link). */
export const emailOptOuts = sqliteTable(
  "email_opt_outs",
  {
    personId: integer("person_id")
      .notNull()
      .references(() => people.id, { onDelete: "cascade" }),
    topic: text("topic", { enum: EMAIL_TOPICS }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.personId, t.topic] })],
);

/** Internal policies: the current version is the latest whose effective date has come. */
export const policies = sqliteTable(
  "policies",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    slug: text("slug").notNull(),
    title: text("title").notNull(),
    summary: text("summary").notNull(),
    /** The owning team as shown ("People team"); the owning people are in policy_owners. */
    ownerTeam: text("owner_team"),
    createdById: integer("created_by_id").references(() => people.id),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("policies_slug_unique").on(t.slug)],
);

export const policyOwners = sqliteTable(
  "policy_owners",
  {
    policyId: integer("policy_id")
      .notNull()
      .references(() => policies.id, { onDelete: "cascade" }),
    personId: integer("person_id")
      .notNull()
      .references(() => people.id),
  },
  (t) => [
    primaryKey({ columns: [t.policyId, t.personId] }),
    index("policy_owners_person_idx").on(t.personId),
  ],
);

export const policyVersions = sqliteTable(
  "policy_versions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    policyId: integer("policy_id")
      .notNull()
      .references(() => policies.id),
    version: integer("version").notNull(),
    body: text("body").notNull(),
    bodyHtml: text("body_html").notNull(),
    changeSummary: text("change_summary").notNull(),
    effectiveAt: timestamp("effective_at").notNull(),
    publishedById: integer("published_by_id").references(() => people.id),
    publishedAt: timestamp("published_at").notNull(),
    /** The announcement that published it, if any. */
    announcementId: integer("announcement_id").references((): AnySQLiteColumn => announcements.id),
  },
  (t) => [
    uniqueIndex("policy_versions_number_unique").on(t.policyId, t.version),
    index("policy_versions_effective_idx").on(t.policyId, t.effectiveAt),
  ],
);

/** Leadership memos. Edits after publishing keep the earlier text in announcement_revisions. */
export const announcements = sqliteTable(
  "announcements",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    slug: text("slug").notNull(),
    title: text("title").notNull(),
    body: text("body").notNull(),
    bodyHtml: text("body_html").notNull(),
    state: text("state", { enum: ANNOUNCEMENT_STATES }).notNull().default("draft"),
    authorId: integer("author_id")
      .notNull()
      .references(() => people.id),
    /** A policy version this memo publishes (drafted with it, published when it is). */
    policyId: integer("policy_id").references(() => policies.id),
    policyBody: text("policy_body"),
    policyChangeSummary: text("policy_change_summary"),
    policyEffectiveAt: timestamp("policy_effective_at"),
    publishAt: timestamp("publish_at"),
    publishedAt: timestamp("published_at"),
    /** Set when edited after publishing: shown as "updated". */
    updatedAfterPublishingAt: timestamp("updated_after_publishing_at"),
    /** Signer emails are queued in batches by the scheduler, by person id; the last person queued. */
    emailCursor: integer("email_cursor"),
    emailsDoneAt: timestamp("emails_done_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("announcements_slug_unique").on(t.slug),
    index("announcements_state_published_idx").on(t.state, t.publishedAt),
    index("announcements_due_idx").on(t.state, t.publishAt),
  ],
);

export const announcementRevisions = sqliteTable(
  "announcement_revisions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    announcementId: integer("announcement_id")
      .notNull()
      .references(() => announcements.id),
    title: text("title").notNull(),
    body: text("body").notNull(),
    replacedAt: timestamp("replaced_at").notNull(),
  },
  (t) => [index("announcement_revisions_idx").on(t.announcementId, t.id)],
);

/**
 * A leader acting on another leader's memo (editing, scheduling, publishing, updating a commitment)
 * says so explicitly; the memo shows each such act, and the audit log records it.
 */
export const announcementProxyActs = sqliteTable(
  "announcement_proxy_acts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    announcementId: integer("announcement_id")
      .notNull()
      .references(() => announcements.id, { onDelete: "cascade" }),
    byId: integer("by_id")
      .notNull()
      .references(() => people.id),
    act: text("act", { enum: PROXY_ACTS }).notNull(),
    at: timestamp("at").notNull(),
  },
  (t) => [index("announcement_proxy_acts_idx").on(t.announcementId, t.id)],
);

/** Which petitions a memo answers, with a stance each. */
export const announcementResponses = sqliteTable(
  "announcement_responses",
  {
    announcementId: integer("announcement_id")
      .notNull()
      .references(() => announcements.id, { onDelete: "cascade" }),
    petitionId: integer("petition_id")
      .notNull()
      .references(() => petitions.id),
    stance: text("stance", { enum: STANCES }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.announcementId, t.petitionId] }),
    index("announcement_responses_petition_idx").on(t.petitionId),
  ],
);

/** The milestones (response obligations) a memo answers. */
export const announcementMilestones = sqliteTable(
  "announcement_milestones",
  {
    announcementId: integer("announcement_id")
      .notNull()
      .references(() => announcements.id, { onDelete: "cascade" }),
    milestoneId: integer("milestone_id")
      .notNull()
      .references(() => milestones.id),
  },
  (t) => [
    primaryKey({ columns: [t.announcementId, t.milestoneId] }),
    index("announcement_milestones_milestone_idx").on(t.milestoneId),
  ],
);

export const commitments = sqliteTable(
  "commitments",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    announcementId: integer("announcement_id")
      .notNull()
      .references(() => announcements.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    text: text("text").notNull(),
    status: text("status", { enum: COMMITMENT_STATUSES }).notNull().default("planned"),
    dueAt: timestamp("due_at"),
  },
  (t) => [index("commitments_announcement_idx").on(t.announcementId, t.position)],
);

/** Each status change of a commitment, with its date: the history shown under it. */
export const commitmentUpdates = sqliteTable(
  "commitment_updates",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    commitmentId: integer("commitment_id")
      .notNull()
      .references(() => commitments.id, { onDelete: "cascade" }),
    status: text("status", { enum: COMMITMENT_STATUSES }).notNull(),
    note: text("note"),
    byId: integer("by_id").references(() => people.id),
    at: timestamp("at").notNull(),
  },
  (t) => [index("commitment_updates_idx").on(t.commitmentId, t.id)],
);

/** Reminders sent to leadership about a response obligation: the primary key makes each one once. */
export const milestoneReminders = sqliteTable(
  "milestone_reminders",
  {
    milestoneId: integer("milestone_id")
      .notNull()
      .references(() => milestones.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: REMINDER_KINDS }).notNull(),
    sentAt: timestamp("sent_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.milestoneId, t.kind] })],
);

/**
 * Co-organizers: colleagues who accepted the creator's invitation (petition_organizer_invitations).
 * Rows from before invitations existed (added without asking) were kept by migration 0014.
 */
export const petitionCoOrganizers = sqliteTable(
  "petition_co_organizers",
  {
    petitionId: integer("petition_id")
      .notNull()
      .references(() => petitions.id, { onDelete: "cascade" }),
    personId: integer("person_id")
      .notNull()
      .references(() => people.id),
    addedById: integer("added_by_id").references(() => people.id),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.petitionId, t.personId] }),
    index("co_organizers_person_idx").on(t.personId),
  ],
);

/**
 * Everyone who organizes a petition: its creator and its co-organizers. Co-sponsors are not in it:
 * co-sponsoring is an endorsement that counts toward opening, nothing more. A view (migration 0011,
 * redefined in 0014) so every "is this person an organizer" question asks one place.
 */
export const petitionOrganizers = sqliteView("petition_organizers", {
  petitionId: integer("petition_id").notNull(),
  personId: integer("person_id").notNull(),
}).existing();

/**
 * The creator's invitations to co-organize: organizer rights only once the invitee accepts (on a page
 * whose button posts; the emailed link opens it). Declined or withdrawn ones are deleted.
 */
export const petitionOrganizerInvitations = sqliteTable(
  "petition_organizer_invitations",
  {
    petitionId: integer("petition_id")
      .notNull()
      .references(() => petitions.id, { onDelete: "cascade" }),
    personId: integer("person_id")
      .notNull()
      .references(() => people.id),
    invitedById: integer("invited_by_id")
      .notNull()
      .references(() => people.id),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.petitionId, t.personId] }),
    index("organizer_invitations_person_idx").on(t.personId),
  ],
);

/** Organizers' updates to signers; a declaration of victory is the one update of kind "victory". */
export const petitionUpdates = sqliteTable(
  "petition_updates",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    petitionId: integer("petition_id")
      .notNull()
      .references(() => petitions.id, { onDelete: "cascade" }),
    authorId: integer("author_id")
      .notNull()
      .references(() => people.id),
    kind: text("kind", { enum: PETITION_UPDATE_KINDS }).notNull(),
    body: text("body").notNull(),
    bodyHtml: text("body_html").notNull(),
    createdAt: createdAt(),
    /** Signers are emailed in batches by the scheduler, paged by person id (see announcements). */
    emailCursor: integer("email_cursor").notNull().default(0),
    emailsDoneAt: timestamp("emails_done_at"),
  },
  (t) => [
    index("petition_updates_petition_idx").on(t.petitionId, t.createdAt),
    index("petition_updates_emails_pending_idx").on(t.id).where(sql`emails_done_at is null`),
  ],
);

/**
 * Private feedback on a policy, to its owners. The author is kept so owners' replies can be relayed
 * to them; for anonymous feedback `author_id` never leaves the feedback module.
 */
export const policyFeedback = sqliteTable(
  "policy_feedback",
  {
    /** Random (ADR 31), like comments' ids; time order is created_at, id. */
    id: randomId(),
    policyId: integer("policy_id")
      .notNull()
      .references(() => policies.id),
    /** The version in force when the feedback was sent, which its rating rates. */
    versionId: integer("version_id").references(() => policyVersions.id),
    /** Null for anonymous feedback: it is stored with no author at all. */
    authorId: integer("author_id").references(() => people.id),
    anonymous: integer("anonymous", { mode: "boolean" }).notNull().default(false),
    /**
     * Anonymous feedback only: SHA-256 of the secret its author's browser keeps (also shown once as a
     * receipt code), which reads the owners' replies; and the blind token it spent (one a policy a week).
     */
    replySecretHash: text("reply_secret_hash"),
    tokenId: text("token_id"),
    body: text("body").notNull(),
    bodyHtml: text("body_html").notNull(),
    /** 1–5, optional. */
    rating: integer("rating"),
    status: text("status", { enum: FEEDBACK_STATUSES }).notNull().default("new"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("policy_feedback_policy_time_idx").on(t.policyId, t.createdAt, t.id),
    index("policy_feedback_author_time_idx").on(t.authorId, t.createdAt, t.id),
    uniqueIndex("policy_feedback_secret_unique").on(t.replySecretHash),
    uniqueIndex("policy_feedback_token_unique").on(t.tokenId),
  ],
);

export const policyFeedbackTags = sqliteTable(
  "policy_feedback_tags",
  {
    feedbackId: integer("feedback_id")
      .notNull()
      .references(() => policyFeedback.id, { onDelete: "cascade" }),
    tag: text("tag").notNull(),
  },
  (t) => [primaryKey({ columns: [t.feedbackId, t.tag] })],
);

/** Owners' private replies, relayed to the author by the platform. */
export const policyFeedbackReplies = sqliteTable(
  "policy_feedback_replies",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    feedbackId: integer("feedback_id")
      .notNull()
      .references(() => policyFeedback.id, { onDelete: "cascade" }),
    authorId: integer("author_id")
      .notNull()
      .references(() => people.id),
    body: text("body").notNull(),
    bodyHtml: text("body_html").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("policy_feedback_replies_feedback_idx").on(t.feedbackId, t.id)],
);

/**
 * One RSA blind-signing key pair per scope — a petition (`petition:<id>`), or a policy's anonymous
 * feedback for one week (`feedback:<policy>:<week>`) — used for nothing else (platform/blind-signatures).
 * The private half is deleted when the scope ends (the petition closes): no token can be minted after.
 * Clustered by scope (WITHOUT ROWID, migration 0014).
 */
export const blindKeys = sqliteTable("blind_keys", {
  scope: text("scope").primaryKey(),
  /** SubjectPublicKeyInfo, DER, base64url: published, and pinned by signers' browsers. */
  publicKey: text("public_key").notNull(),
  /** PKCS #8, DER, base64url; null once retired. */
  privateKey: text("private_key"),
  fingerprint: text("fingerprint").notNull(),
  /** Days (midnight UTC), never finer. */
  createdOn: timestamp("created_on").notNull(),
  retiredOn: timestamp("retired_on"),
  /** How many tokens were issued: published, so anyone can see redemptions never exceed it. */
  issued: integer("issued").notNull().default(0),
  /**
   * `issued` as it was at the last anonymous batch boundary: what is published (`tokensIssued`), so
   * that it moves only at boundaries, never at the moment someone signs (batches.server.ts).
   */
  issuedPublished: integer("issued_published").notNull().default(0),
  /**
   * Tokens spent on public signatures (withdrawn ones too), counted at the same boundary: published beside
   * `issuedPublished` so that "anonymous + public with a token ≤ issued" compares numbers of one moment
   * (a token issued after the boundary and spent publicly at once would otherwise break it).
   */
  spentPublished: integer("spent_published").notNull().default(0),
  /** Set by a restore from a backup on a scope that was open: issuance rows made since were lost. */
  issuanceFrozenOn: timestamp("issuance_frozen_on"),
});

/**
 * Who has been issued a scope's token — never which token (blinding hides it). Every device holding
 * a person's wallet fetches all of them in full background runs (every open petition, every policy's
 * feedback this week), so this is the list of people who used the platform while the petition was
 * open, not of its signers. Deleted when the scope's key is retired (the
 * count stays in blind_keys.issued). Clustered by (scope, person), WITHOUT ROWID: no insertion order.
 */
export const tokenIssuance = sqliteTable(
  "token_issuance",
  {
    scope: text("scope").notNull(),
    personId: integer("person_id")
      .notNull()
      .references(() => people.id, { onDelete: "cascade" }),
    /** The day, never finer. */
    issuedOn: timestamp("issued_on").notNull(),
    /**
     * SHA-256 of the blinded message that was signed (32 bytes, a blob: a row stays under 100 bytes,
     * hex would not): a device holding the person's wallet derives the same blinded message again,
     * and raw RSA signing is deterministic, so its blind signature is made again on demand rather
     * than stored. Blinding hides the token perfectly either way. Null: the person signed publicly
     * without a token, and so will never be issued one. Migration 0026 hashed the stored messages.
     */
    blindedHash: blob("blinded_hash", { mode: "buffer" }),
  },
  (t) => [primaryKey({ columns: [t.scope, t.personId] })],
);

/**
 * An erased person's token issuance rows for scopes still issuing (docs/privacy.md): kept so that an
 * account made again for the same address is not issued a second token, and keyed by a plain SHA-256
 * of the scope and that address instead of the erased row. Pseudonymous only: whoever holds the
 * directory can recompute the key and learn what token_issuance held (they had a token for that scope
 * that day, or signed publicly without one), never whether or how they signed anonymously. Deleted
 * with the scope's other issuance rows when its key is retired.
 */
export const erasedTokenIssuance = sqliteTable(
  "erased_token_issuance",
  {
    scope: text("scope").notNull(),
    holder: text("holder").notNull(),
    /** The day, never finer. */
    issuedOn: timestamp("issued_on").notNull(),
    /** As token_issuance.blinded_hash: null when the person signed publicly without a token. */
    blindedHash: blob("blinded_hash", { mode: "buffer" }),
  },
  (t) => [primaryKey({ columns: [t.scope, t.holder] })],
);

/**
 * A person's wallet (ADR 0038): the secret every token of theirs is derived from lives only on their
 * devices and, wrapped by their passkeys, in wallet_passkeys — never here in the clear. This row keeps
 * the wallet check (HKDF of the secret, 16 bytes hex): it says the person has a wallet, so a new
 * device offers to unlock it rather than make another, and catches a mistyped recovery code. It
 * cannot be turned back into the secret. What a copy of the database learns: that the person set up
 * anonymous signing, and the day (never finer) — nothing about which petitions they signed.
 */
export const wallets = sqliteTable("wallets", {
  personId: integer("person_id")
    .primaryKey()
    .references(() => people.id, { onDelete: "cascade" }),
  check: text("check").notNull(),
  /** The day, never finer. */
  createdOn: timestamp("created_on").notNull(),
});

/**
 * The wallet secret wrapped (AES-GCM) under a key only the person's passkey gives (WebAuthn PRF):
 * the server cannot unwrap it, and stores it so a device the passkey syncs to can. A copy of the
 * database learns how many passkeys a person added and on which days.
 */
export const walletPasskeys = sqliteTable(
  "wallet_passkeys",
  {
    personId: integer("person_id")
      .notNull()
      .references(() => people.id, { onDelete: "cascade" }),
    /** The WebAuthn credential id, base64url. */
    credentialId: text("credential_id").notNull(),
    wrapped: text("wrapped").notNull(),
    /** The day, never finer. */
    createdOn: timestamp("created_on").notNull(),
  },
  (t) => [primaryKey({ columns: [t.personId, t.credentialId] })],
);

/**
 * Anonymous signatures: a token, its signature and its state — no person, no address, no exact time,
 * and nothing that orders them against other tables (clustered by the token's id, WITHOUT ROWID).
 * They join the count and the ledger in shuffled batches (petitions/anonymous-batches.server.ts).
 */
export const anonymousSignatures = sqliteTable(
  "anonymous_signatures",
  {
    /** SHA-256 of the token's prepared message, hex: also its pseudonym in the ledger. */
    tokenId: text("token_id").primaryKey(),
    petitionId: integer("petition_id")
      .notNull()
      .references(() => petitions.id),
    /** The prepared token message and its signature, base64url (null: a legacy signature, see 0014). */
    message: text("message"),
    signature: text("signature"),
    /** The signer's P-256 public key, base64url, from the message: it authorizes withdraw and sign. */
    signerKey: text("signer_key"),
    /** The signer's actions so far (withdraw, sign again): the next one must be numbered seq + 1. */
    actionSeq: integer("action_seq").notNull().default(0),
    standing: integer("standing", { mode: "boolean" }).notNull().default(true),
    /** The batch that counted it, and the batch of its last change: batch times, never finer. */
    countedAt: timestamp("counted_at").notNull(),
    changedAt: timestamp("changed_at").notNull(),
    /** The ledger entry of its first signing: the receipt. */
    ledgerSeq: integer("ledger_seq").notNull(),
    ledgerHash: text("ledger_hash").notNull(),
  },
  (t) => [
    index("anonymous_signatures_petition_idx").on(t.petitionId, t.standing, t.countedAt),
    // The public digest of recent changes (…/anonymous/recent) reads a petition's last 48 hours.
    index("anonymous_signatures_changed_idx").on(t.petitionId, t.changedAt),
  ],
);

/**
 * The deployment's transparency log (docs/transparency-log.md, ADR 0039): an append-only Merkle tree
 * (RFC 9162) of what a reader must be able to hold the operator to — every signing key, every
 * petition ledger's head and counts at batch boundaries, the batch settings — whose signed
 * checkpoints independent witnesses cosign. A restore carries the live log over (it is never rewound).
 */
export const logKey = sqliteTable("log_key", {
  /** One row: the log has one name and one key for its whole life. */
  id: integer("id").primaryKey(),
  /** The checkpoint's first line and the key's name in the signed note. */
  origin: text("origin").notNull(),
  /** Ed25519, PKCS #8 DER, base64url. */
  privateKey: text("private_key").notNull(),
  /** The C2SP verifier key (origin+id+base64(0x01 || public key)): published, pinned by browsers. */
  vkey: text("vkey").notNull(),
});

/** The log's leaves, numbered from 0: each one line of canonical JSON (log-entries.ts). */
export const logLeaves = sqliteTable(
  "log_leaves",
  {
    idx: integer("idx").primaryKey(),
    data: text("data").notNull(),
    /** For lookups only (not hashed): the key's scope of a key entry, the petition of a petition entry. */
    scope: text("scope"),
    petitionId: integer("petition_id"),
  },
  (t) => [
    index("log_leaves_scope_idx").on(t.scope, t.idx),
    index("log_leaves_petition_idx").on(t.petitionId, t.idx),
  ],
);

/** Hashes of the tree's perfect subtrees (level 0: the leaves): every proof is read from these. */
export const logNodes = sqliteTable(
  "log_nodes",
  {
    level: integer("level").notNull(),
    idx: integer("idx").notNull(),
    hash: blob("hash", { mode: "buffer" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.level, t.idx] })],
);

/** Every checkpoint the log signed: the signed note (body and the log's signature line). */
export const logCheckpoints = sqliteTable("log_checkpoints", {
  size: integer("size").primaryKey(),
  root: blob("root", { mode: "buffer" }).notNull(),
  note: text("note").notNull(),
});

/** Witnesses' cosignatures (C2SP tlog-cosignature), each verified against a configured witness key. */
export const logCosignatures = sqliteTable(
  "log_cosignatures",
  {
    size: integer("size")
      .notNull()
      .references(() => logCheckpoints.size),
    witness: text("witness").notNull(),
    keyId: integer("key_id").notNull(),
    /** The witness's timestamp (seconds), from its signature. */
    time: integer("time").notNull(),
    /** The signature line, as the witness sent it. */
    line: text("line").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.size, t.witness, t.keyId] }),
    index("log_cosignatures_witness_idx").on(t.witness, t.keyId, t.size),
  ],
);

/**
 * How a person receives email about what they follow (docs/notifications.md): each event at once (no
 * row), or a daily or weekly digest; `mailedThrough` is the end of the last digest's window.
 */
export const notificationSettings = sqliteTable("notification_settings", {
  personId: integer("person_id")
    .primaryKey()
    .references(() => people.id, { onDelete: "cascade" }),
  cadence: text("cadence", { enum: EMAIL_CADENCES }).notNull().default("each"),
  mailedThrough: timestamp("mailed_through").notNull(),
});

/**
 * Petitions a signed-in person chose to follow by name (those they sign publicly, organize or
 * co-sponsor they follow already). No time: it would date an act beside anonymous ones (ADR 0032).
 * An anonymous follow never reaches the server: the browser keeps it.
 */
export const petitionFollows = sqliteTable(
  "petition_follows",
  {
    personId: integer("person_id")
      .notNull()
      .references(() => people.id, { onDelete: "cascade" }),
    petitionId: integer("petition_id")
      .notNull()
      .references(() => petitions.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.personId, t.petitionId] })],
);

/** Notifications a person marked read, by the event's stable key (`<petition id>-<event key>`). */
export const notificationReads = sqliteTable(
  "notification_reads",
  {
    personId: integer("person_id")
      .notNull()
      .references(() => people.id, { onDelete: "cascade" }),
    eventKey: text("event_key").notNull(),
  },
  (t) => [primaryKey({ columns: [t.personId, t.eventKey] })],
);
