import { eq, sql } from "drizzle-orm";
import { type Executor, preparedStatements } from "../../../db/client";
import { announcements, petitionOrganizers, petitions, policies, policyOwners } from "../../../db/schema";
import { type Said, say } from "../../platform/said";
import { petitionPath } from "../../platform/site/addresses.server";
import type { CommentSubjectType } from "../../vocabulary/comments";
import { canViewAnnouncement } from "../announcements/reads.server";
import type { User } from "../identity/sessions.server";
import { stakeIds } from "../petitions/organizers.server";
import { viewableBy } from "../petitions/standing.server";

/**
 * What the comments module needs to know about a thing that carries a thread. Each commentable
 * type (petitions, announcements, policies) answers these questions once, here, so
 * the comments module never reaches into another module's tables.
 */
export type Commentable = {
  title: string;
  /** Path of the page that shows the thread. */
  path: string;
  canView(user: User | null): boolean;
  /** Why nobody may comment right now (besides a moderator's lock), or null. */
  closedReason: Said | null;
  /** People whose own-name comments carry the Official badge (besides leadership). */
  officialIds: ReadonlySet<number>;
  /** Whether this person has a stake in it, and so leaves its discussion's moderation to others. */
  hasStake(userId: number): boolean;
};

export type CommentSubject = { type: CommentSubjectType; id: number };

const statements = preparedStatements((db) => ({
  petition: db
    .select()
    .from(petitions)
    .where(eq(petitions.id, sql.placeholder("id")))
    .prepare(),
  organizers: db
    .select({ id: petitionOrganizers.personId })
    .from(petitionOrganizers)
    .where(eq(petitionOrganizers.petitionId, sql.placeholder("id")))
    .prepare(),
}));

const resolvers: Record<CommentSubjectType, (exec: Executor, id: number) => Commentable | null> = {
  petition(exec, id) {
    // Every petition page resolves its thread's subject: prepared, on the connection (a transaction
    // here is on the same connection, so the statements run inside it).
    const petition = statements().petition.get({ id });
    if (!petition) return null;
    const organizers = new Set(
      statements()
        .organizers.all({ id })
        .map((r) => r.id),
    );
    const closedReason =
      petition.hiddenAt !== null
        ? say("server.comment.petitionHidden")
        : petition.state === "open" || petition.state === "closed"
          ? null
          : petition.state === "archived"
            ? say("server.comment.petitionArchived")
            : say("server.comment.opensWithPetition");
    return {
      title: petition.title,
      path: petitionPath(petition.slug),
      // A thread is addressed by the petition's number (its page, its comments): who may see the
      // petition by number sees its thread. Collecting co-sponsors, that is its organizers and
      // moderators; no comment is posted before a petition opens, so nobody else misses one.
      canView: (user) => viewableBy(exec, petition, user, "number"),
      closedReason,
      officialIds: organizers,
      // Asked only when someone moderates: not a cost of every petition page.
      hasStake: (userId) => stakeIds(exec, id).has(userId),
    };
  },
  announcement(exec, id) {
    const announcement = exec.select().from(announcements).where(eq(announcements.id, id)).get();
    if (!announcement) return null;
    return {
      title: announcement.title,
      path: `/announcements/${announcement.slug}`,
      canView: (user) => canViewAnnouncement(announcement, user),
      closedReason: announcement.state === "published" ? null : say("server.comment.opensWithAnnouncement"),
      officialIds: new Set([announcement.authorId]),
      hasStake: (userId) => userId === announcement.authorId,
    };
  },
  policy(exec, id) {
    const policy = exec.select().from(policies).where(eq(policies.id, id)).get();
    if (!policy) return null;
    const owners = new Set(
      exec
        .select({ id: policyOwners.personId })
        .from(policyOwners)
        .where(eq(policyOwners.policyId, id))
        .all()
        .map((r) => r.id),
    );
    return {
      title: policy.title,
      path: `/policies/${policy.slug}`,
      canView: () => true,
      closedReason: null,
      officialIds: owners,
      hasStake: (userId) => owners.has(userId),
    };
  },
};

export function resolveCommentable(exec: Executor, subject: CommentSubject): Commentable | null {
  return resolvers[subject.type](exec, subject.id);
}
