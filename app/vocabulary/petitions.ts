/** A petition's life; shared by the server (the state machine) and the pages (labels). */
export const PETITION_STATES = [
  "draft",
  "collecting",
  "awaiting_moderation",
  "open",
  "rejected",
  "closed",
  "archived",
] as const;
export type PetitionState = (typeof PETITION_STATES)[number];

/** English, for the server's own sentences (refusals); pages say `petition.state.*` from the catalogs. */
export const STATE_LABELS: Record<PetitionState, string> = {
  draft: "Draft",
  collecting: "Collecting co-sponsors",
  awaiting_moderation: "Awaiting moderation",
  open: "Open",
  rejected: "Rejected",
  closed: "Closed",
  archived: "Archived",
};

export const REJECTION_REASONS = [
  "duplicate",
  "off_topic",
  "not_internal_policy",
  "offensive",
  "other",
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

/** English, for the organizers' email; pages say `petition.rejection.*` from the catalogs. */
export const REJECTION_LABELS: Record<RejectionReason, string> = {
  duplicate: "Duplicate of another petition",
  off_topic: "Off-topic",
  not_internal_policy: "Not an internal policy matter",
  offensive: "Offensive",
  other: "Other",
};

/**
 * Why a moderator invalidated signatures, as the petition's public timeline says it: a category,
 * never the moderator's own words (which stay in the audit log and could name someone). English for the
 * timeline's text; the moderator's form says `petition.invalidate.reason.*` from the catalogs.
 */
export const INVALIDATION_REASONS = ["fraudulent_accounts", "automated", "coerced", "other"] as const;
export type InvalidationReason = (typeof INVALIDATION_REASONS)[number];
export const INVALIDATION_REASON_LABELS: Record<InvalidationReason, string> = {
  fraudulent_accounts: "fraudulent or shared accounts",
  automated: "signed automatically, in bulk",
  coerced: "collected under pressure",
  other: "another reason the moderator recorded",
};

export const SIGNATURE_VISIBILITIES = ["public", "anonymous"] as const;
export type SignatureVisibility = (typeof SIGNATURE_VISIBILITIES)[number];

/**
 * What a ledger entry records. `key-created` and `key-retired` mark the petition's blind-signing key
 * (its fingerprint as the entry's signer): opened with the petition, its private half deleted when the
 * petition closes, so no token can be minted after.
 */
export const LEDGER_EVENTS = ["signed", "withdrawn", "invalidated", "key-created", "key-retired"] as const;
export type LedgerEvent = (typeof LEDGER_EVENTS)[number];

/**
 * The petition lists (the tabs). "all" is every petition anyone may read — what a search looks
 * through unless narrowed to one list.
 */
export const PETITION_LISTS = [
  "all",
  "open",
  "awaiting-response",
  "responded",
  "won",
  "closed",
  "rejected",
] as const;
export type PetitionList = (typeof PETITION_LISTS)[number];
export const PETITION_SORTS = ["signatures", "newest", "closing"] as const;
export type PetitionSort = (typeof PETITION_SORTS)[number];

/** An organizer's update to signers, or their one declaration of victory. */
export const PETITION_UPDATE_KINDS = ["update", "victory"] as const;
export type PetitionUpdateKind = (typeof PETITION_UPDATE_KINDS)[number];

/** Where a petition's milestone came from: the platform's defaults, or its creator. */
export const MILESTONE_ORIGINS = ["default", "organizer"] as const;
export type MilestoneOrigin = (typeof MILESTONE_ORIGINS)[number];

/** How long a petition may stay open for signatures, in days: the form's bounds and the site default's. */
export const OPEN_FOR_DAYS = { min: 7, max: 365 } as const;

/** The longest category a petition may take (the petition form and the admins' list of categories). */
export const CATEGORY_MAX_LENGTH = 60;
/** How many categories the admins' list may hold: a choice, not a directory. */
export const CATEGORIES_MAX = 50;
