import { and, eq, inArray } from "drizzle-orm";
import { type Executor, getDb } from "../../../db/client";
import { notificationSettings, petitionFollows, petitions } from "../../../db/schema";
import { newsWindowStart } from "../../platform/mail/email-preferences.server";
import { Refusal } from "../../platform/refusal";
import { say } from "../../platform/said";
import type { FollowReason } from "../../vocabulary/notifications";
import type { Petition } from "../petitions/rights.server";

/**
 * What a signed-in person follows (docs/notifications.md): the petitions they organize, co-sponsor or
 * signed publicly (standing), and those they chose to follow by name. Never an anonymous signature:
 * the server does not know those; the browser that signed follows the petition itself.
 */

export class FollowRefusal extends Refusal {}

export type Followed = { petition: Petition; reason: FollowReason };

/** The strongest reason first: it is the one the list shows. */
const REASONS_SQL = `
  select petition_id, 'organize' as reason, 0 as rank from petition_organizers where person_id = @person
  union all select petition_id, 'co-sponsor', 1 from petition_co_sponsors where person_id = @person and dropped_at is null
  union all select petition_id, 'signed', 2 from signatures
    where person_id = @person and visibility = 'public' and withdrawn_at is null and invalidated_at is null
  union all select petition_id, 'follow', 3 from petition_follows where person_id = @person`;

const readable = (p: Petition) =>
  !p.hiddenAt &&
  (["open", "closed", "archived"].includes(p.state) ||
    (p.state === "rejected" && p.rejectionReason !== "offensive"));

/** The petitions this person follows, each once with its strongest reason; only those they may read. */
export function followedPetitions(exec: Executor, personId: number): Followed[] {
  const rows = getDb()
    .$client.prepare<[{ person: number }], { petition_id: number; reason: FollowReason; rank: number }>(
      `select petition_id, reason, min(rank) as rank from (${REASONS_SQL}) group by petition_id`,
    )
    .all({ person: personId });
  if (!rows.length) return [];
  const byId = new Map(
    exec
      .select()
      .from(petitions)
      .where(
        inArray(
          petitions.id,
          rows.map((r) => r.petition_id),
        ),
      )
      .all()
      .map((p) => [p.id, p]),
  );
  return rows.flatMap(({ petition_id, reason }) => {
    const petition = byId.get(petition_id);
    // Organizers follow their own in any state; anyone else what anyone may read.
    return petition && (reason === "organize" || readable(petition)) ? [{ petition, reason }] : [];
  });
}

export function isFollowingByChoice(personId: number, petitionId: number): boolean {
  return Boolean(
    getDb()
      .select({ personId: petitionFollows.personId })
      .from(petitionFollows)
      .where(and(eq(petitionFollows.personId, personId), eq(petitionFollows.petitionId, petitionId)))
      .get(),
  );
}

/**
 * Follows a petition by name, or stops. Only a petition anyone may read. The person's email window
 * starts at the next hour if they had none (newsWindowStart), so per-event emails begin after it.
 */
export function setFollowing(personId: number, petitionId: number, follow: boolean, now = Date.now()): void {
  getDb().transaction(
    (tx) => {
      const petition = tx.select().from(petitions).where(eq(petitions.id, petitionId)).get();
      if (!petition || !readable(petition)) {
        throw new FollowRefusal(say("server.petition.noSuchPetition"), 404);
      }
      if (!follow) {
        tx.delete(petitionFollows)
          .where(and(eq(petitionFollows.personId, personId), eq(petitionFollows.petitionId, petitionId)))
          .run();
        return;
      }
      tx.insert(petitionFollows).values({ personId, petitionId }).onConflictDoNothing().run();
      tx.insert(notificationSettings)
        .values({ personId, mailedThrough: newsWindowStart(now) })
        .onConflictDoNothing()
        .run();
    },
    { behavior: "immediate" },
  );
}
