import { and, asc, eq, isNull, lte } from "drizzle-orm";
import type { Executor } from "../../../db/client";
import { milestones, people, personRoles, petitions, signatures } from "../../../db/schema";
import { renderEmail } from "../../platform/mail/email-layout.server";
import { isOptedOut, unsubscribeHeaders, unsubscribeUrl } from "../../platform/mail/email-preferences.server";
import { enqueueMail } from "../../platform/mail/outbox.server";
import { petitionUrl } from "../../platform/site/addresses.server";
import { DAY_MS } from "../../platform/time";
import type { MailKind } from "../../vocabulary/mail-kinds";
import { organizerRecipients } from "./organizers.server";

/**
 * Records every milestone the count has now reached, exactly once, with the time of the signature
 * that crossed it; queues the emails. Runs inside the signing transaction (only when the count has
 * reached the next threshold), so it sees the new count.
 */
export function recordMilestoneCrossings(tx: Executor, petitionId: number, at: Date): void {
  const petition = tx.select().from(petitions).where(eq(petitions.id, petitionId)).get();
  if (!petition) return;
  const crossed = tx
    .select()
    .from(milestones)
    .where(
      and(
        eq(milestones.petitionId, petition.id),
        isNull(milestones.reachedAt),
        lte(milestones.threshold, petition.signatureCount),
      ),
    )
    .orderBy(asc(milestones.threshold))
    .all();
  if (!crossed.length) return;
  const url = petitionUrl(petition.slug);
  const organizers = organizerRecipients(tx, petition.id);
  for (const milestone of crossed) {
    const responseDueAt =
      milestone.responseRequired && milestone.responseDays
        ? new Date(at.getTime() + milestone.responseDays * DAY_MS)
        : null;
    // The isNull guard makes the record idempotent even if two crossings race.
    const recorded = tx
      .update(milestones)
      .set({ reachedAt: at, responseDueAt })
      .where(and(eq(milestones.id, milestone.id), isNull(milestones.reachedAt)))
      .run();
    if (!recorded.changes) continue;
    const threshold = milestone.threshold.toLocaleString("en");
    const due = responseDueAt
      ? ` Leadership must respond by ${responseDueAt.toISOString().slice(0, 10)}.`
      : "";
    const mail = (to: string, kind: MailKind, paragraphs: string[], stopUrl?: string) =>
      enqueueMail(
        tx,
        {
          kind,
          to,
          subject: `${threshold} signatures: “${petition.title}”`,
          petitionId: petition.id,
          ...(stopUrl ? { headers: unsubscribeHeaders(stopUrl) } : {}),
          ...renderEmail({ paragraphs, action: { label: "See the petition", url }, unsubscribeUrl: stopUrl }),
        },
        at.getTime(),
      );
    for (const organizer of organizers) {
      if (isOptedOut(tx, organizer.id, "milestone-news")) continue;
      mail(
        organizer.email,
        "milestone.organizer",
        [`Your petition “${petition.title}” has reached ${threshold} signatures.${due}`],
        unsubscribeUrl(organizer.id, "milestone-news"),
      );
    }
    if (responseDueAt) {
      const leadership = tx
        .select({ email: people.email })
        .from(personRoles)
        .innerJoin(people, eq(people.id, personRoles.personId))
        .where(and(eq(personRoles.role, "leadership"), eq(people.active, true)))
        .all();
      for (const { email } of leadership) {
        mail(email, "milestone.leadership", [
          `The petition “${petition.title}” has reached ${threshold} signatures, which requires a response from leadership.${due}`,
        ]);
      }
    }
    // Public signers who asked for updates. Anonymous signers are never emailed: the platform cannot
    // and must not know them (they follow the page, My petitions and the petition's feed).
    const subscribers = tx
      .select({ email: people.email })
      .from(signatures)
      .innerJoin(people, eq(people.id, signatures.personId))
      .where(
        and(
          eq(signatures.petitionId, petition.id),
          eq(signatures.visibility, "public"),
          eq(signatures.wantsUpdates, true),
          isNull(signatures.withdrawnAt),
          isNull(signatures.invalidatedAt),
          eq(people.active, true),
        ),
      )
      .all();
    // Organizers who signed get this too, beside their own email: leaving them out would let an
    // organizer learn whether a colleague signed, by making them a co-organizer and watching the
    // dashboard's email counts.
    for (const { email } of subscribers) {
      mail(email, "signer.milestone", [
        `A petition you signed, “${petition.title}”, has reached ${threshold} signatures.${due}`,
      ]);
    }
  }
}
