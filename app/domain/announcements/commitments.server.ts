import { eq } from "drizzle-orm";
import { getDb } from "../../../db/client";
import { commitments, commitmentUpdates } from "../../../db/schema";
import { say } from "../../platform/said";
import { actorOf, recordAudit } from "../../platform/security/audit.server";
import { DAY_MS, startOfDay } from "../../platform/time";
import type { CommitmentStatus } from "../../vocabulary/announcements";
import { chatCommitmentChanged } from "../chat/events.server";
import type { User } from "../identity/sessions.server";
import {
  AnnouncementError,
  announcementUrl,
  requireAnnouncement,
  requireAuthor,
  requireOwnOrOnBehalf,
} from "./lifecycle.server";

/** The commitments a memo makes, and leadership's updates to their status (each kept with its date). */

/**
 * Whether a commitment is overdue at `now`: not done, and its due day is over (due on a day means by
 * the end of it, UTC, as the pages show days). One without a due date is never overdue.
 */
export function isCommitmentOverdue(
  commitment: { status: CommitmentStatus; dueAt: Date | null },
  now: number,
): boolean {
  if (commitment.status === "done" || !commitment.dueAt) return false;
  return now >= startOfDay(commitment.dueAt.getTime()) + DAY_MS;
}

/** Leadership updates a commitment's status; each change is kept with its date. */
export function updateCommitment(
  commitmentId: number,
  update: {
    status: CommitmentStatus;
    note?: string;
    dueAt?: Date;
    announcementId?: number;
    /** Not the memo's author: acting on their behalf, said (see requireOwnOrOnBehalf). */
    onBehalf?: boolean;
  },
  user: User,
  now = Date.now(),
): void {
  requireAuthor(user);
  getDb().transaction(
    (tx) => {
      const commitment = tx.select().from(commitments).where(eq(commitments.id, commitmentId)).get();
      if (
        !commitment ||
        (update.announcementId !== undefined && commitment.announcementId !== update.announcementId)
      ) {
        throw new AnnouncementError(say("server.announcement.noSuchCommitment"), 404);
      }
      const announcement = requireAnnouncement(tx, commitment.announcementId);
      requireOwnOrOnBehalf(tx, announcement, user, update.onBehalf, "commitment", now);
      if (announcement.state !== "published")
        throw new AnnouncementError(say("server.announcement.publishFirst"), 409);
      const newDue =
        update.dueAt && update.dueAt.getTime() !== commitment.dueAt?.getTime() ? update.dueAt : null;
      if (commitment.status === update.status && !update.note && !newDue) return;
      tx.update(commitments)
        .set({ status: update.status, ...(newDue ? { dueAt: newDue } : {}) })
        .where(eq(commitments.id, commitmentId))
        .run();
      tx.insert(commitmentUpdates)
        .values({
          commitmentId,
          status: update.status,
          // A moved due date is part of the record, said in the note.
          note:
            [update.note, newDue ? `Now due ${newDue.toISOString().slice(0, 10)}` : null]
              .filter(Boolean)
              .join(" — ") || null,
          byId: user.id,
          at: new Date(now),
        })
        .run();
      if (commitment.status !== update.status)
        chatCommitmentChanged(
          tx,
          { title: announcement.title, url: announcementUrl(announcement.slug) },
          commitment,
          update.status,
          now,
        );
      recordAudit(
        tx,
        actorOf(user),
        "commitment.update",
        { type: "commitment", id: commitmentId },
        {
          status: update.status,
          announcementId: announcement.id,
        },
      );
    },
    { behavior: "immediate" },
  );
}
