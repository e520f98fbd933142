import { and, asc, eq, isNull, lte } from "drizzle-orm";
import type { Executor } from "../../../db/client";
import { milestones, people, personRoles, petitions, signatures } from "../../../db/schema";
import type { MessageKey } from "../../i18n/catalogs/en";
import { renderEmail } from "../../platform/mail/email-layout.server";
import {
  emailCadence,
  isOptedOut,
  unsubscribeHeaders,
  unsubscribeUrl,
} from "../../platform/mail/email-preferences.server";
import { enqueueMail } from "../../platform/mail/outbox.server";
import { type Recipient, wordsForRecipient } from "../../platform/mail/recipient-words.server";
import { petitionUrl } from "../../platform/site/addresses.server";
import { DAY_MS } from "../../platform/time";
import type { MailKind } from "../../vocabulary/mail-kinds";
import { chatMilestoneReached } from "../chat/events.server";
import { organizerRecipients } from "./organizers.server";
import { isPublic } from "./rights.server";

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
    if (isPublic(petition)) chatMilestoneReached(tx, petition, milestone.threshold, at.getTime());
    // Each email in its recipient's language, the due moment in their zone (wordsForRecipient).
    const mail = (
      to: Recipient & { email: string },
      kind: MailKind,
      paragraph: { plain: MessageKey; due: MessageKey },
      stopUrl?: string,
    ) => {
      const { t, format } = wordsForRecipient(to);
      const values = { title: petition.title, count: milestone.threshold };
      enqueueMail(
        tx,
        {
          kind,
          to: to.email,
          subject: t("server.email.milestone.subject", values),
          petitionId: petition.id,
          ...(stopUrl ? { headers: unsubscribeHeaders(stopUrl) } : {}),
          ...renderEmail({
            paragraphs: [
              responseDueAt
                ? t(paragraph.due, { ...values, due: format.dateTime(responseDueAt) })
                : t(paragraph.plain, values),
            ],
            action: { label: t("server.email.milestone.seePetition"), url },
            unsubscribeUrl: stopUrl,
            t,
          }),
        },
        at.getTime(),
      );
    };
    for (const organizer of organizers) {
      if (isOptedOut(tx, organizer.id, "milestone-news")) continue;
      mail(
        organizer,
        "milestone.organizer",
        { plain: "server.email.milestone.organizer", due: "server.email.milestone.organizerDue" },
        unsubscribeUrl(organizer.id, "milestone-news"),
      );
    }
    if (responseDueAt) {
      const leadership = tx
        .select({ email: people.email, locale: people.locale, timeZone: people.timeZone })
        .from(personRoles)
        .innerJoin(people, eq(people.id, personRoles.personId))
        .where(and(eq(personRoles.role, "leadership"), eq(people.active, true)))
        .all();
      for (const leader of leadership) {
        mail(leader, "milestone.leadership", {
          plain: "server.email.milestone.leadershipDue",
          due: "server.email.milestone.leadershipDue",
        });
      }
    }
    // Public signers who asked for updates. Anonymous signers are never emailed: the platform cannot
    // and must not know them (they follow the page, My petitions and the petition's feed).
    const subscribers = tx
      .select({ id: people.id, email: people.email, locale: people.locale, timeZone: people.timeZone })
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
    for (const subscriber of subscribers) {
      // Those who chose a digest read it there (docs/notifications.md).
      if (emailCadence(tx, subscriber.id) !== "each") continue;
      mail(subscriber, "signer.milestone", {
        plain: "server.email.milestone.signer",
        due: "server.email.milestone.signerDue",
      });
    }
  }
}
