import { eq } from "drizzle-orm";
import type { Executor } from "../../db/client";
import { petitionCoSponsors, petitions } from "../../db/schema";
import { getConfig } from "../config.server";
import type { CommentSubjectType } from "./comment-forms";
import { canView } from "./petitions.server";
import type { User } from "./sessions.server";

/**
 * What the comments module needs to know about a thing that carries a thread. Each commentable
 * type (petitions now; announcements and policies later) answers these questions once, here, so
 * the comments module never reaches into another module's tables.
 */
export type Commentable = {
  title: string;
  /** Path of the page that shows the thread. */
  path: string;
  canView(user: User | null): boolean;
  /** Why nobody may comment right now (besides a moderator's lock), or null. */
  closedReason: string | null;
  /** People whose own-name comments carry the Official badge (besides leadership). */
  officialIds: ReadonlySet<number>;
};

export type CommentSubject = { type: CommentSubjectType; id: number };

const resolvers: Record<CommentSubjectType, (exec: Executor, id: number) => Commentable | null> = {
  petition(exec, id) {
    const petition = exec.select().from(petitions).where(eq(petitions.id, id)).get();
    if (!petition) return null;
    const organizers = new Set([
      petition.creatorId,
      ...exec
        .select({ id: petitionCoSponsors.personId })
        .from(petitionCoSponsors)
        .where(eq(petitionCoSponsors.petitionId, id))
        .all()
        .map((r) => r.id),
    ]);
    const closedReason =
      petition.hiddenAt !== null
        ? "This petition is hidden by moderators; its discussion is closed."
        : petition.state === "open" || petition.state === "closed"
          ? null
          : petition.state === "archived"
            ? "This petition is archived; its discussion is closed."
            : "The discussion opens when the petition opens for signatures.";
    return {
      title: petition.title,
      path: `/petitions/${petition.slug}`,
      canView: (user) => canView(exec, petition, user),
      closedReason,
      officialIds: organizers,
    };
  },
};

export function resolveCommentable(exec: Executor, subject: CommentSubject): Commentable | null {
  return resolvers[subject.type](exec, subject.id);
}

export const absoluteUrl = (path: string) => `${getConfig().appUrl}${path}`;
