import type { petitions } from "../../../db/schema";
import { Refusal } from "../../platform/refusal";
import { type Said, say } from "../../platform/said";
import type { PetitionState } from "../../vocabulary/petitions";
import type { User } from "../identity/sessions.server";

/**
 * Who may do what to a petition, stated once: the state machine, the editing functions, the
 * organizers' tools (dashboard, updates, invitations) ask these rules before they change anything,
 * and the petition page and the dashboard ask the same ones to decide which buttons and links to
 * offer, so the two never disagree. docs/features.md's "Who may do what" is this file as a table.
 *
 * The creator started the petition and alone decides for it: inviting and removing co-organizers,
 * dropping co-sponsors before it opens, declaring victory, asking moderators to close it early.
 * Co-sponsors endorse it (their names count toward opening) and get nothing else. Co-organizers,
 * colleagues who accepted the creator's invitation, see the dashboard and post updates.
 *
 * Every rule here is a pure function of a petition and a Standing (what standing.server.ts reads of
 * a person), so test/unit/petition-rights-table.test.ts can check the docs' table against them.
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
  "request-close",
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
  "request-close": ["open"],
};

/**
 * Moderators never moderate a petition they have a stake in — started, co-sponsored or co-organize
 * (review, edit, close, hide, invalidate, approve a response obligation).
 */
export const OWN_PETITION = say("server.petition.ownPetition");
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
  isAdmin: boolean;
  /** A co-sponsor counting toward opening (not the creator, not dropped). */
  hasCoSponsored: boolean;
  /** A co-sponsor the creator dropped: they may not co-sponsor again. */
  wasDropped: boolean;
  /** Accepted the creator's invitation. */
  isCoOrganizer: boolean;
  /** The creator or a co-organizer (the petition_organizers view). */
  isOrganizer: boolean;
  /** Invited to co-organize, not yet answered. */
  isInvited: boolean;
};

/** The standing of someone with no tie to the petition (or nobody signed in, with `user: null`). */
export const NO_STANDING: Omit<Standing, "user"> = {
  isCreator: false,
  isModerator: false,
  isAdmin: false,
  hasCoSponsored: false,
  wasDropped: false,
  isCoOrganizer: false,
  isOrganizer: false,
  isInvited: false,
};

/**
 * A moderator with a stake in the petition (started, co-sponsored or co-organizes it) leaves its
 * moderation to others. Co-organizers count since they must accept an invitation: nobody is made
 * one without consenting, so organizers cannot switch moderation off by adding every moderator.
 */
export const standsAside = (s: Standing) =>
  s.isModerator && (s.isCreator || s.hasCoSponsored || s.isCoOrganizer);

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
      say("server.petition.wrongState", { state: petition.state, action: action.replaceAll("-", "_") }),
      409,
    );
  }
  if (scheduler)
    return action === "close" ? null : new PetitionError(say("server.petition.onlyAPerson"), 403);
  if (MODERATION.has(action) && standsAside(s)) return new PetitionError(OWN_PETITION, 403);
  const moderatorOnly = (message: Said) => (s.isModerator ? null : new PetitionError(message, 403));
  switch (action) {
    case "submit":
      return s.isCreator ? null : new PetitionError(say("server.petition.onlyCreatorSubmits"), 403);
    case "co-sponsor":
      if (!s.user) return new PetitionError(say("server.petition.signInToCoSponsor"), 403);
      if (s.isCreator) return new PetitionError(say("server.petition.ownCoSponsor"), 403);
      if (s.hasCoSponsored) return new PetitionError(say("server.petition.alreadyCoSponsor"), 409);
      if (s.wasDropped) return new PetitionError(say("server.petition.coSponsorDropped"), 403);
      return null;
    case "approve":
      return moderatorOnly(say("server.petition.onlyModeratorsApprove"));
    case "reject":
      return moderatorOnly(say("server.petition.onlyModeratorsReject"));
    case "close":
      return moderatorOnly(say("server.petition.onlyModeratorsClose"));
    case "archive":
      return moderatorOnly(say("server.petition.onlyModeratorsArchive"));
    case "hide":
      if (petition.hiddenAt) return new PetitionError(say("server.petition.alreadyHidden"), 409);
      return moderatorOnly(say("server.petition.onlyModeratorsHide"));
    case "unhide":
      if (!petition.hiddenAt) return new PetitionError(say("server.petition.notHidden"), 409);
      return moderatorOnly(say("server.petition.onlyModeratorsUnhide"));
    case "declare-victory":
      // It closes the petition for good and emails every signer: the creator's call alone.
      if (!s.isCreator) return new PetitionError(say("server.petition.onlyCreatorDeclaresVictory"), 403);
      if (petition.hiddenAt) return new PetitionError(say("server.petition.hiddenByModerators"), 409);
      if (petition.wonAt) return new PetitionError(say("server.petition.victoryAlreadyDeclared"), 409);
      return null;
    case "request-close":
      // Closing early goes through moderation: the creator asks, a moderator closes (or not).
      if (!s.isCreator) return new PetitionError(say("server.petition.onlyCreatorAsksToClose"), 403);
      if (petition.hiddenAt) return new PetitionError(say("server.petition.hiddenByModerators"), 409);
      if (petition.closeRequestedAt)
        return new PetitionError(say("server.petition.alreadyAskedToClose"), 409);
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
    s.isCreator ? say("server.petition.noLongerEditable") : say("server.petition.onlyCreatorEdits"),
    403,
  );
}

/** Whether a moderator's typo fix (audited) or the creator's own draft edit. */
export const isModeratorFix = (petition: Petition, s: Standing) =>
  !(s.isCreator && petition.state === "draft") && s.isModerator;

const BEFORE_OPENING: readonly PetitionState[] = ["draft", "collecting", "awaiting_moderation"];

/** The creator adds their own milestones before the petition opens (capped: see drafting). */
export function milestoneRefusal(petition: Petition, s: Standing): PetitionError | null {
  if (!s.isCreator) return new PetitionError(say("server.petition.onlyCreatorAddsMilestones"), 403);
  if (!BEFORE_OPENING.includes(petition.state)) {
    return new PetitionError(say("server.petition.milestonesBeforeOpening"));
  }
  return null;
}

/**
 * A response obligation the creator asked for binds leadership only once a moderator approves it
 * (a moderator without a stake, while the milestone is not reached and the petition is not closed).
 */
export function responseApprovalRefusal(petition: Petition, s: Standing): PetitionError | null {
  if (!s.isModerator) return new PetitionError(say("server.petition.onlyModeratorsApproveResponse"), 403);
  if (standsAside(s)) return new PetitionError(OWN_PETITION, 403);
  if (!["collecting", "awaiting_moderation", "open"].includes(petition.state))
    return new PetitionError(say("server.petition.responseApprovedBeforeClosing"), 409);
  return null;
}

/** The creator drops co-sponsors before the petition opens (collecting or awaiting moderation). */
export function coSponsorDropRefusal(petition: Petition, s: Standing): PetitionError | null {
  if (!s.isCreator) return new PetitionError(say("server.petition.onlyCreatorDropsCoSponsors"), 403);
  if (!["collecting", "awaiting_moderation"].includes(petition.state))
    return new PetitionError(say("server.petition.coSponsorsDroppedBeforeOpening"), 409);
  return null;
}

/** The organizer dashboard: the petition's organizers (creator, co-organizers), moderators and admins. */
export function dashboardRefusal(s: Standing): PetitionError | null {
  return s.isOrganizer || s.isModerator || s.isAdmin
    ? null
    : new PetitionError(say("server.petition.dashboardForOrganizers"), 403);
}

/** Updates to signers: its organizers, while it is open or closed and not hidden. */
export function updateRefusal(petition: Petition, s: Standing): PetitionError | null {
  if (!s.isOrganizer) return new PetitionError(say("server.petition.onlyOrganizersPostUpdates"), 403);
  if (!["open", "closed"].includes(petition.state) || petition.hiddenAt)
    return new PetitionError(say("server.petition.updatesWhileOpenOrClosed"), 409);
  return null;
}

export type OrganizerChange = "invite" | "remove" | "leave";

/** Inviting and removing co-organizers is the creator's; a co-organizer may leave. */
export function organizerChangeRefusal(
  petition: Petition,
  s: Standing,
  change: OrganizerChange,
): PetitionError | null {
  if (change === "leave")
    return s.isCoOrganizer ? null : new PetitionError(say("server.petition.notCoOrganizer"), 403);
  if (!s.isCreator)
    return new PetitionError(
      change === "invite"
        ? say("server.petition.onlyCreatorInvites")
        : say("server.petition.onlyCreatorRemoves"),
      403,
    );
  if (change === "invite" && ["rejected", "archived"].includes(petition.state))
    return new PetitionError(say("server.petition.noNewOrganizers"), 409);
  return null;
}

/** Invalidating signatures: moderators, never on a petition they have a stake in. */
export function invalidationRefusal(s: Standing): PetitionError | null {
  if (!s.isModerator) return new PetitionError(say("server.petition.onlyModeratorsInvalidate"), 403);
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

/** Public: listed, viewable by anyone signed in, in the API. */
export function isPublic(petition: Pick<Petition, "state" | "hiddenAt">): boolean {
  return ["open", "closed", "archived"].includes(petition.state) && !petition.hiddenAt;
}

/**
 * Public signers' names and departments belong to colleagues: a reader signed in. Everyone else (the
 * public front page, a forwarded link) reads the counts only — the signers page, and any page or
 * feed that would list names, asks this.
 */
export const mayReadSignerNames = (reader: User | null): boolean => reader !== null;

/** Who may see a petition page at all. */
export function canView(petition: Petition, s: Standing): boolean {
  if (isPublic(petition)) return true;
  // Rejected (but not offensive) petitions stay readable, with the reason, like any public record.
  if (petition.state === "rejected" && petition.rejectionReason !== "offensive" && !petition.hiddenAt)
    return true;
  if (!s.user) return false;
  // A draft is its creator's alone; moderators see everything from the moment it is shared.
  if (s.isModerator && petition.state !== "draft") return true;
  // Collecting co-sponsors: the creator shares the link with colleagues.
  if (petition.state === "collecting") return true;
  // Its co-sponsors follow it through moderation: the last of them lands on it, not on "not found".
  if (petition.state === "awaiting_moderation" && s.hasCoSponsored) return true;
  return s.isOrganizer;
}

/**
 * Whether this person may see the petition when it is asked for by number (as its discussion always
 * is: /discussions/petition/N). Collecting co-sponsors, a petition is its creator's to share:
 * colleagues find it by its link (the slug), not by counting up numbers (the attack review found
 * petitions to co-sponsor that way, and issue 22 again through their discussions); its organizers
 * and moderators find it either way.
 */
export function canViewByNumber(petition: Petition, s: Standing): boolean {
  if (!canView(petition, s)) return false;
  return petition.state !== "collecting" || s.isModerator || s.isOrganizer;
}
