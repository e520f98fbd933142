import { and, asc, eq, sql } from "drizzle-orm";
import { type Executor, getDb, preparedStatements } from "../../../db/client";
import {
  people,
  petitionCoOrganizers,
  petitionCoSponsors,
  petitionOrganizers,
  petitions,
} from "../../../db/schema";
import { petitionUrl } from "../../platform/addresses.server";
import { actorOf, recordAudit } from "../../platform/audit.server";
import { normalizeEmail } from "../../platform/email-address";
import { renderEmail } from "../../platform/email-layout.server";
import { enqueueMail } from "../../platform/outbox.server";
import { Refusal } from "../../platform/refusal";
import { can } from "../identity/permissions.server";
import type { User } from "../identity/sessions.server";

/**
 * Who organizes a petition: its creator, its co-sponsors and the co-organizers organizers add. Every
 * question about organizers asks the `petition_organizers` view, so the three sources never drift.
 */

export class OrganizerError extends Refusal {}

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
}));

/**
 * Asked on every petition page, so prepared once per connection. `exec` (the database, or a
 * transaction, which runs on the same connection) needs no statement of its own.
 */
export function isOrganizer(_exec: Executor, petition: { id: number }, userId: number): boolean {
  return Boolean(statements().isOrganizer.get({ petitionId: petition.id, personId: userId }));
}

/**
 * Who put their name to a petition: its creator and co-sponsors. A moderator among them leaves its
 * moderation (review, edits, closing, hiding, invalidation, its discussion) to others. Co-organizers
 * do not count: organizers add them without their consent, so counting them would let organizers
 * switch moderation off by adding every moderator.
 */
export function sponsorIds(exec: Executor, petitionId: number): Set<number> {
  const creator = exec
    .select({ id: petitions.creatorId })
    .from(petitions)
    .where(eq(petitions.id, petitionId))
    .get();
  const coSponsors = exec
    .select({ id: petitionCoSponsors.personId })
    .from(petitionCoSponsors)
    .where(eq(petitionCoSponsors.petitionId, petitionId))
    .all();
  return new Set([...(creator ? [creator.id] : []), ...coSponsors.map((r) => r.id)]);
}

export function organizerIds(exec: Executor, petitionId: number): Set<number> {
  return new Set(
    exec
      .select({ id: petitionOrganizers.personId })
      .from(petitionOrganizers)
      .where(eq(petitionOrganizers.petitionId, petitionId))
      .all()
      .map((r) => r.id),
  );
}

/** Active organizers, for the emails the platform sends them. */
export function organizerRecipients(exec: Executor, petitionId: number): { id: number; email: string }[] {
  return exec
    .select({ id: people.id, email: people.email })
    .from(petitionOrganizers)
    .innerJoin(people, eq(people.id, petitionOrganizers.personId))
    .where(and(eq(petitionOrganizers.petitionId, petitionId), eq(people.active, true)))
    .all();
}

export function organizerEmails(exec: Executor, petitionId: number): string[] {
  return organizerRecipients(exec, petitionId).map((r) => r.email);
}

/** Organizers' dashboard tools: the petition's organizers, and admins (who can step in). */
export function canManageOrganizers(exec: Executor, petitionId: number, user: User): boolean {
  return can(user, "view:admin") || isOrganizer(exec, { id: petitionId }, user.id);
}

export type OrganizerRole = "creator" | "co-sponsor" | "co-organizer";

export function listOrganizers(petitionId: number) {
  const db = getDb();
  const petition = db
    .select({ creatorId: petitions.creatorId })
    .from(petitions)
    .where(eq(petitions.id, petitionId))
    .get();
  if (!petition) return [];
  const person = (id: number) =>
    db
      .select({ id: people.id, name: people.name, email: people.email })
      .from(people)
      .where(eq(people.id, id))
      .get();
  const creator = person(petition.creatorId);
  const sponsors = db
    .select({ id: people.id, name: people.name, email: people.email })
    .from(petitionCoSponsors)
    .innerJoin(people, eq(people.id, petitionCoSponsors.personId))
    .where(eq(petitionCoSponsors.petitionId, petitionId))
    .orderBy(asc(petitionCoSponsors.createdAt))
    .all();
  const added = db
    .select({ id: people.id, name: people.name, email: people.email })
    .from(petitionCoOrganizers)
    .innerJoin(people, eq(people.id, petitionCoOrganizers.personId))
    .where(eq(petitionCoOrganizers.petitionId, petitionId))
    .orderBy(asc(petitionCoOrganizers.createdAt))
    .all();
  const rows: { id: number; name: string | null; email: string; role: OrganizerRole }[] = [];
  const seen = new Set<number>();
  const push = (p: { id: number; name: string | null; email: string }, role: OrganizerRole) => {
    if (seen.has(p.id)) return;
    seen.add(p.id);
    rows.push({ ...p, role });
  };
  if (creator) push(creator, "creator");
  for (const p of sponsors) push(p, "co-sponsor");
  for (const p of added) push(p, "co-organizer");
  return rows;
}

/** Adds a colleague (an active person in the staff directory) as a co-organizer; audited, emailed. */
export function addCoOrganizer(petitionId: number, email: string, user: User, now = Date.now()): void {
  getDb().transaction(
    (tx) => {
      const petition = tx.select().from(petitions).where(eq(petitions.id, petitionId)).get();
      if (!petition) throw new OrganizerError("There is no such petition.", 404);
      if (!canManageOrganizers(tx, petitionId, user))
        throw new OrganizerError("Only the petition's organizers can add organizers.", 403);
      const person = tx
        .select()
        .from(people)
        .where(eq(people.email, normalizeEmail(email)))
        .get();
      if (!person?.active)
        throw new OrganizerError("That address is not a current colleague in the staff directory.");
      if (isOrganizer(tx, petition, person.id))
        throw new OrganizerError(`${person.name ?? person.email} already organizes this petition.`, 409);
      tx.insert(petitionCoOrganizers)
        .values({ petitionId, personId: person.id, addedById: user.id, createdAt: new Date(now) })
        .run();
      recordAudit(
        tx,
        actorOf(user),
        "petition.organizer.add",
        { type: "petition", id: petitionId },
        { email: person.email },
      );
      enqueueMail(
        tx,
        {
          kind: "organizer.added",
          to: person.email,
          subject: `You are now an organizer of “${petition.title}”`,
          petitionId,
          ...renderEmail({
            paragraphs: [
              `${user.name ?? user.email} added you as an organizer of the petition “${petition.title}”.`,
              "You can now see its dashboard, post updates to its signers and declare victory.",
            ],
            action: { label: "Open the dashboard", url: `${petitionUrl(petition.slug)}/dashboard` },
          }),
        },
        now,
      );
    },
    { behavior: "immediate" },
  );
}

/**
 * Removes a co-organizer. The creator and co-sponsors stay organizers: they launched the petition.
 * Co-organizers may also remove themselves.
 */
export function removeCoOrganizer(petitionId: number, personId: number, user: User): void {
  getDb().transaction(
    (tx) => {
      if (!canManageOrganizers(tx, petitionId, user))
        throw new OrganizerError("Only the petition's organizers can remove organizers.", 403);
      const person = tx.select({ email: people.email }).from(people).where(eq(people.id, personId)).get();
      const removed = tx
        .delete(petitionCoOrganizers)
        .where(
          and(eq(petitionCoOrganizers.petitionId, petitionId), eq(petitionCoOrganizers.personId, personId)),
        )
        .run();
      if (!removed.changes || !person)
        throw new OrganizerError("Only co-organizers can be removed; the creator and co-sponsors stay.", 409);
      recordAudit(
        tx,
        actorOf(user),
        "petition.organizer.remove",
        { type: "petition", id: petitionId },
        { email: person.email },
      );
    },
    { behavior: "immediate" },
  );
}
