import { and, eq, sql } from "drizzle-orm";
import { type Executor, getDb, preparedStatements } from "../../../db/client";
import {
  petitionCoOrganizers,
  petitionCoSponsors,
  petitionOrganizerInvitations,
  petitionOrganizers,
} from "../../../db/schema";
import { say } from "../../platform/said";
import { can } from "../identity/permissions.server";
import type { User } from "../identity/sessions.server";
import {
  acceptsSignatures,
  availableTransitions,
  canView,
  canViewByNumber,
  coSponsorDropRefusal,
  dashboardRefusal,
  editRefusal,
  invalidationRefusal,
  isPublic,
  milestoneRefusal,
  NO_STANDING,
  organizerChangeRefusal,
  type Petition,
  PetitionError,
  responseApprovalRefusal,
  type Standing,
  standsAside,
  transitionRefusal,
  updateRefusal,
} from "./rights.server";

/**
 * A person's standing toward a petition, read from the database: the one place the rules of
 * rights.server.ts (pure functions of a petition and a standing) meet the membership tables. The
 * organizers' tools (organizers.server.ts) read membership from here too.
 */

const statements = preparedStatements((db) => ({
  isOrganizer: db
    .select({ id: petitionOrganizers.personId })
    .from(petitionOrganizers)
    .where(
      and(
        eq(petitionOrganizers.petitionId, sql.placeholder("petitionId")),
        eq(petitionOrganizers.personId, sql.placeholder("personId")),
      ),
    )
    .prepare(),
  isCoOrganizer: db
    .select({ id: petitionCoOrganizers.personId })
    .from(petitionCoOrganizers)
    .where(
      and(
        eq(petitionCoOrganizers.petitionId, sql.placeholder("petitionId")),
        eq(petitionCoOrganizers.personId, sql.placeholder("personId")),
      ),
    )
    .prepare(),
  coSponsors: db
    .select({ id: petitionCoSponsors.personId, droppedAt: petitionCoSponsors.droppedAt })
    .from(petitionCoSponsors)
    .where(eq(petitionCoSponsors.petitionId, sql.placeholder("petitionId")))
    .prepare(),
  invitation: db
    .select()
    .from(petitionOrganizerInvitations)
    .where(
      and(
        eq(petitionOrganizerInvitations.petitionId, sql.placeholder("petitionId")),
        eq(petitionOrganizerInvitations.personId, sql.placeholder("personId")),
      ),
    )
    .prepare(),
}));

/**
 * Asked on every petition page, so prepared once per connection. `exec` (the database, or a
 * transaction, which runs on the same connection) needs no statement of its own.
 */
export function isOrganizer(_exec: Executor, petition: { id: number }, userId: number): boolean {
  return Boolean(statements().isOrganizer.get({ petitionId: petition.id, personId: userId }));
}

/** A colleague who accepted the creator's invitation (or was a co-organizer before invitations). */
export function isCoOrganizer(_exec: Executor, petitionId: number, userId: number): boolean {
  return Boolean(statements().isCoOrganizer.get({ petitionId, personId: userId }));
}

/** The petition's co-sponsors: those counting now, and those its creator dropped. */
export function coSponsorStanding(_exec: Executor, petitionId: number) {
  const rows = statements().coSponsors.all({ petitionId });
  return {
    counting: new Set(rows.filter((r) => !r.droppedAt).map((r) => r.id)),
    dropped: new Set(rows.filter((r) => r.droppedAt).map((r) => r.id)),
  };
}

/** This person's invitation to co-organize, not yet answered, if any. */
export function invitationOf(_exec: Executor, petitionId: number, userId: number) {
  return statements().invitation.get({ petitionId, personId: userId });
}

export function standingOf(exec: Executor, petition: Petition, user: User | null): Standing {
  if (!user) return { user, ...NO_STANDING };
  const coSponsors = coSponsorStanding(exec, petition.id);
  const isCreator = petition.creatorId === user.id;
  return {
    user,
    isCreator,
    isModerator: can(user, "moderate:petition"),
    isAdmin: can(user, "view:admin"),
    hasCoSponsored: !isCreator && coSponsors.counting.has(user.id),
    wasDropped: coSponsors.dropped.has(user.id),
    isCoOrganizer: isCoOrganizer(exec, petition.id, user.id),
    isOrganizer: isOrganizer(exec, petition, user.id),
    isInvited: Boolean(invitationOf(exec, petition.id, user.id)),
  };
}

/**
 * canView (asked by its link, the slug) or canViewByNumber for this person; a public petition needs
 * no standing read.
 */
export function viewableBy(
  exec: Executor,
  petition: Petition,
  user: User | null,
  askedBy: "slug" | "number",
): boolean {
  if (isPublic(petition)) return true;
  const s = standingOf(exec, petition, user);
  return askedBy === "slug" ? canView(petition, s) : canViewByNumber(petition, s);
}

/** editRefusal for this person, for the edit page's loader and action. */
export const editRefusalFor = (petition: Petition, user: User) =>
  editRefusal(petition, standingOf(getDb(), petition, user));

/** dashboardRefusal for this person, for the dashboard's loader and action. */
export const dashboardRefusalFor = (petition: Petition, user: User) =>
  dashboardRefusal(standingOf(getDb(), petition, user));

/** What the dashboard offers this viewer: the same rules its actions ask. */
/** The signers' export: the dashboard's people, told what they may not do. */
export const exportRefusalFor = (petition: Petition, user: User) =>
  dashboardRefusalFor(petition, user) && new PetitionError(say("server.petition.exportForOrganizers"), 403);

export function dashboardRights(petition: Petition, user: User) {
  const s = standingOf(getDb(), petition, user);
  return {
    organizer: s.isOrganizer,
    isCreator: s.isCreator,
    isCoOrganizer: s.isCoOrganizer,
    canPostUpdate: updateRefusal(petition, s) === null,
    canDeclareVictory: transitionRefusal(petition, "declare-victory", s) === null,
    canInvite: organizerChangeRefusal(petition, s, "invite") === null,
    canRemove: organizerChangeRefusal(petition, s, "remove") === null,
    canLeave: organizerChangeRefusal(petition, s, "leave") === null,
  };
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
    canApproveResponses: user !== null && responseApprovalRefusal(petition, s) === null,
    canDropCoSponsors: user !== null && coSponsorDropRefusal(petition, s) === null,
    canInvalidate: petition.state !== "draft" && invalidationRefusal(s) === null,
    canSeeDashboard: user !== null && dashboardRefusal(s) === null,
    isInvited: s.isInvited,
  };
}
