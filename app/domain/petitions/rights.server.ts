import { type Executor, getDb } from "../../../db/client";
import type { petitions } from "../../../db/schema";
import { Refusal } from "../../platform/refusal";
import { type PetitionState, STATE_LABELS } from "../../vocabulary/petitions";
import { can } from "../identity/permissions.server";
import type { User } from "../identity/sessions.server";
import { isOrganizer, sponsorIds } from "./organizers.server";

/**
 * Who may do what to a petition, stated once: the state machine and the editing functions ask these
 * rules before they change anything, and the petition page asks the same ones to decide which
 * buttons and links to offer, so the two never disagree.
 */

export type Petition = typeof petitions.$inferSelect;

/** A refused change: the message is shown to the person (400/403/404/409), nothing is changed. */
export class PetitionError extends Refusal {}

export const TRANSITION_ACTIONS = [
  "submit",
  "co-sponsor",
  "approve",
  "reject",
  "close",
  "archive",
  "hide",
  "unhide",
  "declare-victory",
] as const;
export type TransitionAction = (typeof TRANSITION_ACTIONS)[number];

/** Which states each action leaves from. */
const FROM: Record<TransitionAction, readonly PetitionState[]> = {
  submit: ["draft"],
  "co-sponsor": ["collecting"],
  approve: ["awaiting_moderation"],
  reject: ["awaiting_moderation"],
  close: ["open"],
  archive: ["closed", "rejected"],
  hide: ["open", "closed"],
  unhide: ["open", "closed"],
  "declare-victory": ["open", "closed"],
};

const VERB: Record<TransitionAction, string> = {
  submit: "sent for co-sponsors",
  "co-sponsor": "co-sponsored",
  approve: "approved",
  reject: "rejected",
  close: "closed",
  archive: "archived",
  hide: "hidden",
  unhide: "shown again",
  "declare-victory": "declared won",
};

/** Moderators never moderate a petition they started or co-sponsored (review, edit, close, hide, invalidate). */
export const OWN_PETITION = "You started or co-sponsored this petition, so another moderator must do this.";
const MODERATION: ReadonlySet<TransitionAction> = new Set([
  "approve",
  "reject",
  "close",
  "archive",
  "hide",
  "unhide",
]);

/** What the rules ask about a person and a petition. `user` null: the scheduler, or a signed-out visitor. */
export type Standing = {
  user: User | null;
  isCreator: boolean;
  isModerator: boolean;
  /** The creator or a co-sponsor: someone who put their name to it (see sponsorIds). */
  isSponsor: boolean;
  hasCoSponsored: boolean;
  isOrganizer: boolean;
};

export function standingOf(exec: Executor, petition: Petition, user: User | null): Standing {
  if (!user) {
    return {
      user,
      isCreator: false,
      isModerator: false,
      isSponsor: false,
      hasCoSponsored: false,
      isOrganizer: false,
    };
  }
  const sponsors = sponsorIds(exec, petition.id);
  const isCreator = petition.creatorId === user.id;
  return {
    user,
    isCreator,
    isModerator: can(user, "moderate:petition"),
    isSponsor: sponsors.has(user.id),
    hasCoSponsored: !isCreator && sponsors.has(user.id),
    isOrganizer: isOrganizer(exec, petition, user.id),
  };
}

/** A moderator who started or co-sponsored the petition leaves its moderation to others. */
export const standsAside = (s: Standing) => s.isModerator && s.isSponsor;

/**
 * Why this person may not take this step now, or null when they may. `scheduler` is the minute
 * scheduler closing a petition on its date (no person).
 */
export function transitionRefusal(
  petition: Petition,
  action: TransitionAction,
  s: Standing,
  scheduler = false,
): PetitionError | null {
  if (!FROM[action].includes(petition.state)) {
    return new PetitionError(
      `This petition is ${STATE_LABELS[petition.state].toLowerCase()}, so it cannot be ${VERB[action]} now.`,
      409,
    );
  }
  if (scheduler) return action === "close" ? null : new PetitionError("Only a person can do that.", 403);
  if (MODERATION.has(action) && standsAside(s)) return new PetitionError(OWN_PETITION, 403);
  const moderatorOnly = (message: string) => (s.isModerator ? null : new PetitionError(message, 403));
  switch (action) {
    case "submit":
      return s.isCreator ? null : new PetitionError("Only the creator can submit this petition.", 403);
    case "co-sponsor":
      if (!s.user) return new PetitionError("Sign in to co-sponsor.", 403);
      if (s.isCreator) return new PetitionError("You cannot co-sponsor your own petition.", 403);
      if (s.hasCoSponsored) return new PetitionError("You already co-sponsor this petition.", 409);
      return null;
    case "approve":
      return moderatorOnly("Only moderators can approve petitions.");
    case "reject":
      return moderatorOnly("Only moderators can reject petitions.");
    case "close":
      return moderatorOnly("Only moderators can close a petition early.");
    case "archive":
      return moderatorOnly("Only moderators can archive petitions.");
    case "hide":
      if (petition.hiddenAt) return new PetitionError("This petition is already hidden.", 409);
      return moderatorOnly("Only moderators can hide petitions.");
    case "unhide":
      if (!petition.hiddenAt) return new PetitionError("This petition is not hidden.", 409);
      return moderatorOnly("Only moderators can show a hidden petition.");
    case "declare-victory":
      if (!s.isOrganizer)
        return new PetitionError("Only the petition's organizers can declare victory.", 403);
      if (petition.hiddenAt) return new PetitionError("This petition is hidden by moderators.", 409);
      if (petition.wonAt) return new PetitionError("Victory was already declared.", 409);
      return null;
  }
}

/** The steps this person may take now: what the petition page offers. */
export function availableTransitions(petition: Petition, s: Standing): TransitionAction[] {
  return TRANSITION_ACTIONS.filter((action) => transitionRefusal(petition, action, s) === null);
}

/**
 * Editing: the creator while it is a draft; afterwards moderators may fix typos (audited) — except on
 * a petition they started or co-sponsored.
 */
export function editRefusal(petition: Petition, s: Standing): PetitionError | null {
  if (s.isCreator && petition.state === "draft") return null;
  if (s.isModerator && petition.state !== "draft") {
    return standsAside(s) ? new PetitionError(OWN_PETITION, 403) : null;
  }
  return new PetitionError(
    s.isCreator
      ? "This petition can no longer be edited; a moderator can fix typos."
      : "Only the creator can edit this petition.",
    403,
  );
}

/** editRefusal for this person, for the edit page's loader and action. */
export const editRefusalFor = (petition: Petition, user: User) =>
  editRefusal(petition, standingOf(getDb(), petition, user));

/** Whether a moderator's typo fix (audited) or the creator's own draft edit. */
export const isModeratorFix = (petition: Petition, s: Standing) =>
  !(s.isCreator && petition.state === "draft") && s.isModerator;

const BEFORE_OPENING: readonly PetitionState[] = ["draft", "collecting", "awaiting_moderation"];

/** The creator adds their own milestones before the petition opens. */
export function milestoneRefusal(petition: Petition, s: Standing): PetitionError | null {
  if (!s.isCreator) return new PetitionError("Only the creator can add milestones.", 403);
  if (!BEFORE_OPENING.includes(petition.state)) {
    return new PetitionError("Milestones can only be added before the petition opens.");
  }
  return null;
}

/** Invalidating signatures: moderators, never on a petition they started or co-sponsored. */
export function invalidationRefusal(s: Standing): PetitionError | null {
  if (!s.isModerator) return new PetitionError("Only moderators can invalidate signatures.", 403);
  return standsAside(s) ? new PetitionError(OWN_PETITION, 403) : null;
}

/**
 * Open for signatures: open, not hidden, and before its closing time — a petition past its date takes
 * no signature even before the scheduler's next tick closes it.
 */
export function acceptsSignatures(
  petition: { state: string; hiddenAt: Date | number | null; closesAt: Date | number | null },
  now = Date.now(),
): boolean {
  return (
    petition.state === "open" &&
    petition.hiddenAt === null &&
    (petition.closesAt === null || new Date(petition.closesAt).getTime() > now)
  );
}

/** Everything the petition page needs to know of what this viewer may do. */
export function viewerRights(petition: Petition, user: User | null) {
  const s = standingOf(getDb(), petition, user);
  return {
    signedIn: Boolean(user),
    acceptsSignatures: acceptsSignatures(petition),
    isCreator: s.isCreator,
    isModerator: s.isModerator,
    hasCoSponsored: s.hasCoSponsored,
    standsAside: standsAside(s),
    transitions: availableTransitions(petition, s),
    canEdit: user !== null && editRefusal(petition, s) === null,
    canAddMilestone: user !== null && milestoneRefusal(petition, s) === null,
    canInvalidate: petition.state !== "draft" && invalidationRefusal(s) === null,
  };
}
