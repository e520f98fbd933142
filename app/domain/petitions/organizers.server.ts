import { and, asc, eq, isNull } from "drizzle-orm";
import { type Executor, getDb } from "../../../db/client";
import {
  people,
  petitionCoOrganizers,
  petitionCoSponsors,
  petitionOrganizerInvitations,
  petitionOrganizers,
  petitions,
} from "../../../db/schema";
import { normalizeEmail } from "../../platform/mail/email-address";
import { renderEmail } from "../../platform/mail/email-layout.server";
import { enqueueMail } from "../../platform/mail/outbox.server";
import { wordsForRecipient } from "../../platform/mail/recipient-words.server";
import { Refusal } from "../../platform/refusal";
import { say } from "../../platform/said";
import { actorOf, recordAudit } from "../../platform/security/audit.server";
import { petitionPageUrl } from "../../platform/site/addresses.server";
import { formerAddressOwner } from "../addresses/addresses.server";
import type { User } from "../identity/sessions.server";
import { organizerChangeRefusal } from "./rights.server";
import { coSponsorStanding, invitationOf, isOrganizer, standingOf } from "./standing.server";

/**
 * Who organizes a petition: its creator, and the colleagues who accepted the creator's invitation
 * to co-organize. Co-sponsors are not organizers: co-sponsoring is an endorsement that counts toward
 * opening, nothing more. Every "is this an organizer" question (the dashboard, updates, the Official
 * badge, emails to organizers) asks the `petition_organizers` view, so the sources never drift.
 * Who may invite, remove or leave is stated in rights.server.ts; membership is read in
 * standing.server.ts.
 */

export class OrganizerError extends Refusal {}

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

/**
 * Who has a stake in a petition and so leaves its moderation (review, edits, closing, hiding,
 * invalidation, its discussion) to other moderators: its creator, its co-sponsors and its
 * co-organizers. Co-organizers count now that they must accept an invitation (ADR 0028): nobody can
 * be made one without their consent, so organizers cannot switch moderation off by adding every
 * moderator; a pending invitation does not count.
 */
export function stakeIds(exec: Executor, petitionId: number): Set<number> {
  const creator = exec
    .select({ id: petitions.creatorId })
    .from(petitions)
    .where(eq(petitions.id, petitionId))
    .get();
  const coOrganizers = exec
    .select({ id: petitionCoOrganizers.personId })
    .from(petitionCoOrganizers)
    .where(eq(petitionCoOrganizers.petitionId, petitionId))
    .all();
  return new Set([
    ...(creator ? [creator.id] : []),
    ...coSponsorStanding(exec, petitionId).counting,
    ...coOrganizers.map((r) => r.id),
  ]);
}

/** Active organizers, for the emails the platform sends them. */
/** The petition's active organizers, with the language and zone their emails are written in. */
export function organizerRecipients(
  exec: Executor,
  petitionId: number,
): { id: number; email: string; locale: string | null; timeZone: string | null }[] {
  return exec
    .select({ id: people.id, email: people.email, locale: people.locale, timeZone: people.timeZone })
    .from(petitionOrganizers)
    .innerJoin(people, eq(people.id, petitionOrganizers.personId))
    .where(and(eq(petitionOrganizers.petitionId, petitionId), eq(people.active, true)))
    .all();
}

export function organizerEmails(exec: Executor, petitionId: number): string[] {
  return organizerRecipients(exec, petitionId).map((r) => r.email);
}

export type OrganizerRole = "creator" | "co-organizer" | "invited";

/** The creator, the co-organizers and the invitations not yet answered, in that order. */
export function listOrganizers(petitionId: number) {
  const db = getDb();
  const petition = db
    .select({ creatorId: petitions.creatorId })
    .from(petitions)
    .where(eq(petitions.id, petitionId))
    .get();
  if (!petition) return [];
  const creator = db
    .select({ id: people.id, name: people.name })
    .from(people)
    .where(eq(people.id, petition.creatorId))
    .get();
  const added = db
    .select({ id: people.id, name: people.name })
    .from(petitionCoOrganizers)
    .innerJoin(people, eq(people.id, petitionCoOrganizers.personId))
    .where(eq(petitionCoOrganizers.petitionId, petitionId))
    .orderBy(asc(petitionCoOrganizers.createdAt))
    .all();
  const invited = db
    .select({ id: people.id, name: people.name })
    .from(petitionOrganizerInvitations)
    .innerJoin(people, eq(people.id, petitionOrganizerInvitations.personId))
    .where(eq(petitionOrganizerInvitations.petitionId, petitionId))
    .orderBy(asc(petitionOrganizerInvitations.createdAt))
    .all();
  return [
    ...(creator ? [{ ...creator, role: "creator" as OrganizerRole }] : []),
    ...added.map((p) => ({ ...p, role: "co-organizer" as OrganizerRole })),
    ...invited.map((p) => ({ ...p, role: "invited" as OrganizerRole })),
  ];
}

function requirePetitionRow(exec: Executor, petitionId: number) {
  const petition = exec.select().from(petitions).where(eq(petitions.id, petitionId)).get();
  if (!petition) throw new OrganizerError(say("server.petition.noSuchPetition"), 404);
  return petition;
}

/**
 * The creator invites a colleague (an active person in the staff directory) to co-organize; they
 * become an organizer only when they accept on the invitation page. Audited, emailed.
 */
export function inviteOrganizer(petitionId: number, email: string, user: User, now = Date.now()): void {
  getDb().transaction(
    (tx) => {
      const petition = requirePetitionRow(tx, petitionId);
      const refusal = organizerChangeRefusal(petition, standingOf(tx, petition, user), "invite");
      if (refusal) throw refusal;
      const person = tx
        .select()
        .from(people)
        .where(eq(people.email, normalizeEmail(email)))
        .get();
      if (!person?.active) throw new OrganizerError(say("server.petition.notAColleague"));
      const name = person.name ?? person.email;
      if (isOrganizer(tx, petition, person.id))
        throw new OrganizerError(say("server.petition.alreadyOrganizes", { name }), 409);
      const invited = tx
        .insert(petitionOrganizerInvitations)
        .values({ petitionId, personId: person.id, invitedById: user.id, createdAt: new Date(now) })
        .onConflictDoNothing()
        .run();
      if (!invited.changes) throw new OrganizerError(say("server.petition.alreadyInvited", { name }), 409);
      recordAudit(
        tx,
        actorOf(user),
        "petition.organizer.invite",
        { type: "petition", id: petitionId },
        { email: person.email },
      );
      // In the invitee's language (wordsForRecipient), not the inviter's.
      const { t } = wordsForRecipient(person);
      enqueueMail(
        tx,
        {
          kind: "organizer.invited",
          to: person.email,
          subject: t("server.email.invitation.subject", { title: petition.title }),
          petitionId,
          ...renderEmail({
            paragraphs: [
              t("server.email.invitation.invites", { name: user.name ?? user.email, title: petition.title }),
              t("server.email.invitation.explain"),
            ],
            action: {
              label: t("server.email.invitation.action"),
              url: petitionPageUrl(petition.slug, "invitation"),
            },
            t,
          }),
        },
        now,
      );
    },
    { behavior: "immediate" },
  );
}

/** What the invitation page shows its invitee; null when this person has no invitation to answer. */
export function pendingInvitation(slug: string, user: User) {
  const db = getDb();
  // At its address, or at a former one (the route redirects from it).
  const movedId = formerAddressOwner("petition", slug, db);
  const petition = db
    .select()
    .from(petitions)
    .where(movedId === undefined ? eq(petitions.slug, slug) : eq(petitions.id, movedId))
    .get();
  if (!petition) return null;
  const invitation = invitationOf(db, petition.id, user.id);
  if (!invitation) return null;
  const inviter = db
    .select({ name: people.name })
    .from(people)
    .where(eq(people.id, invitation.invitedById))
    .get();
  return {
    petitionId: petition.id,
    slug: petition.slug,
    title: petition.title,
    summary: petition.summary,
    invitedBy: inviter?.name ?? "The petition's creator",
  };
}

/** The invitee accepts (becomes a co-organizer) or declines; either way the invitation is gone. */
export function answerInvitation(petitionId: number, accept: boolean, user: User, now = Date.now()): void {
  getDb().transaction(
    (tx) => {
      const invitation = tx
        .delete(petitionOrganizerInvitations)
        .where(
          and(
            eq(petitionOrganizerInvitations.petitionId, petitionId),
            eq(petitionOrganizerInvitations.personId, user.id),
          ),
        )
        .returning()
        .get();
      if (!invitation) throw new OrganizerError(say("server.petition.noInvitationToAnswer"), 404);
      if (accept) {
        tx.insert(petitionCoOrganizers)
          .values({
            petitionId,
            personId: user.id,
            addedById: invitation.invitedById,
            createdAt: new Date(now),
          })
          .onConflictDoNothing()
          .run();
      }
      recordAudit(tx, actorOf(user), accept ? "petition.organizer.accept" : "petition.organizer.decline", {
        type: "petition",
        id: petitionId,
      });
    },
    { behavior: "immediate" },
  );
}

/**
 * The creator removes a co-organizer, or withdraws an invitation not yet answered. The creator stays:
 * they started it.
 */
export function removeOrganizer(petitionId: number, personId: number, user: User): void {
  getDb().transaction(
    (tx) => {
      const petition = requirePetitionRow(tx, petitionId);
      const refusal = organizerChangeRefusal(petition, standingOf(tx, petition, user), "remove");
      if (refusal) throw refusal;
      const person = tx.select({ email: people.email }).from(people).where(eq(people.id, personId)).get();
      const removed = tx
        .delete(petitionCoOrganizers)
        .where(
          and(eq(petitionCoOrganizers.petitionId, petitionId), eq(petitionCoOrganizers.personId, personId)),
        )
        .run().changes;
      const withdrawn = removed
        ? 0
        : tx
            .delete(petitionOrganizerInvitations)
            .where(
              and(
                eq(petitionOrganizerInvitations.petitionId, petitionId),
                eq(petitionOrganizerInvitations.personId, personId),
              ),
            )
            .run().changes;
      if ((!removed && !withdrawn) || !person)
        throw new OrganizerError(say("server.petition.creatorStays"), 409);
      recordAudit(
        tx,
        actorOf(user),
        removed ? "petition.organizer.remove" : "petition.organizer.uninvite",
        { type: "petition", id: petitionId },
        { email: person.email },
      );
    },
    { behavior: "immediate" },
  );
}

/** A co-organizer steps down. */
export function leaveOrganizers(petitionId: number, user: User): void {
  getDb().transaction(
    (tx) => {
      const petition = requirePetitionRow(tx, petitionId);
      const refusal = organizerChangeRefusal(petition, standingOf(tx, petition, user), "leave");
      if (refusal) throw refusal;
      tx.delete(petitionCoOrganizers)
        .where(
          and(eq(petitionCoOrganizers.petitionId, petitionId), eq(petitionCoOrganizers.personId, user.id)),
        )
        .run();
      recordAudit(tx, actorOf(user), "petition.organizer.leave", { type: "petition", id: petitionId });
    },
    { behavior: "immediate" },
  );
}

/** The creator's co-sponsors that still count (not dropped), for the co-sponsor count. */
export const countingCoSponsors = isNull(petitionCoSponsors.droppedAt);
