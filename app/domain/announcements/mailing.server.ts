import { and, eq, isNull } from "drizzle-orm";
import { getDb } from "../../../db/client";
import { announcementResponses, announcements, petitions } from "../../../db/schema";
import { renderEmail } from "../../platform/mail/email-layout.server";
import { isOptedOut, unsubscribeHeaders, unsubscribeUrl } from "../../platform/mail/email-preferences.server";
import { enqueueMail } from "../../platform/mail/outbox.server";
import { wordsForRecipient } from "../../platform/mail/recipient-words.server";
import { announcementUrl, EMAIL_BATCH_SIZE } from "./lifecycle.server";

/** Emails to the signers of the petitions a published memo answers, queued by the scheduler in batches. */

/** The signers a memo's emails go to (one parameter: the announcement's id), before opt-outs. */
const SIGNERS_OF_ANSWERED_PETITIONS = `from signatures s join people p on p.id = s.person_id
  where s.petition_id in (select petition_id from announcement_responses where announcement_id = ?)
    and s.visibility = 'public' and s.withdrawn_at is null and s.invalidated_at is null and p.active = 1`;

/**
 * How many colleagues publishing this memo would email now, at most, for its preview: the public
 * signers of the petitions it answers and those petitions' active organizers — each person once.
 * Those who turned these emails off are left in, so that the number says nothing of one colleague's
 * settings (as for updates). Anonymous signers are not emailed: the platform does not know them.
 */
export function memoRecipientCount(announcementId: number): number {
  const row = getDb()
    .$client.prepare<[number, number], { n: number }>(
      `select count(*) as n from (
         select s.person_id ${SIGNERS_OF_ANSWERED_PETITIONS}
         union
         select o.person_id from petition_organizers o join people p on p.id = o.person_id
           where p.active = 1
             and o.petition_id in (select petition_id from announcement_responses where announcement_id = ?)
       )`,
    )
    .get(announcementId, announcementId);
  return row?.n ?? 0;
}

/**
 * The scheduler: queues the next batch of signer emails for each published announcement. Each batch
 * and the cursor that records it commit together, so a restart neither skips nor repeats anyone. A
 * person who signed several of the answered petitions gets one email; organizers got theirs at
 * publishing, and those who signed get this one too (leaving them out would let an organizer learn
 * whether a colleague signed by making them a co-organizer); people who turned these emails off get none. Returns how many signers it went through
 * (0 once every announcement is done). Only public signers are emailed: the platform cannot and must
 * not know anonymous ones, so deactivating someone who signed anonymously changes no count.
 */
export function queueAnnouncementEmails(now = Date.now(), batchSize = EMAIL_BATCH_SIZE): number {
  const db = getDb();
  const pending = db
    .select()
    .from(announcements)
    .where(and(eq(announcements.state, "published"), isNull(announcements.emailsDoneAt)))
    .all();
  let processed = 0;
  for (const announcement of pending) {
    db.transaction(
      (tx) => {
        const cursor =
          tx
            .select({ cursor: announcements.emailCursor })
            .from(announcements)
            .where(eq(announcements.id, announcement.id))
            .get()?.cursor ?? 0;
        // Paged by person id, which no withdrawal or invalidation can change: each person once.
        const batch = getDb()
          .$client.prepare<
            [number, number],
            {
              person_id: number;
              email: string;
              locale: string | null;
              time_zone: string | null;
              petition_id: number;
            }
          >(
            `select s.person_id, p.email, p.locale, p.time_zone, min(s.petition_id) as petition_id
             ${SIGNERS_OF_ANSWERED_PETITIONS} and s.person_id > ?
             group by s.person_id
             order by s.person_id limit ${batchSize}`,
          )
          .all(announcement.id, cursor);
        const stances = new Map(
          tx
            .select({
              petitionId: announcementResponses.petitionId,
              stance: announcementResponses.stance,
              title: petitions.title,
            })
            .from(announcementResponses)
            .innerJoin(petitions, eq(petitions.id, announcementResponses.petitionId))
            .where(eq(announcementResponses.announcementId, announcement.id))
            .all()
            .map((r) => [r.petitionId, r]),
        );
        processed += batch.length;
        for (const signer of batch) {
          if (isOptedOut(tx, signer.person_id, "petition-responses")) continue;
          const response = stances.get(signer.petition_id);
          const stopUrl = unsubscribeUrl(signer.person_id, "petition-responses");
          const { t } = wordsForRecipient({ locale: signer.locale, timeZone: signer.time_zone });
          const title = response?.title ?? "";
          enqueueMail(
            tx,
            {
              kind: "signer.response",
              to: signer.email,
              petitionId: signer.petition_id,
              subject: t("server.email.response.subject", { title }),
              headers: unsubscribeHeaders(stopUrl),
              ...renderEmail({
                paragraphs: [
                  t("server.email.response.published", { announcement: announcement.title, title }),
                  t("server.email.response.stance", { stance: response?.stance ?? "none" }),
                ],
                action: { label: t("server.email.response.action"), url: announcementUrl(announcement.slug) },
                unsubscribeUrl: stopUrl,
                t,
              }),
            },
            now,
          );
        }
        const last = batch.at(-1);
        tx.update(announcements)
          .set(
            batch.length < batchSize
              ? { emailCursor: last?.person_id ?? cursor, emailsDoneAt: new Date(now) }
              : { emailCursor: last?.person_id ?? cursor },
          )
          .where(eq(announcements.id, announcement.id))
          .run();
      },
      { behavior: "immediate" },
    );
  }
  return processed;
}
