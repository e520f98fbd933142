import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
import { type Executor, getDb, preparedStatements } from "../../../db/client";
import { people, petitions, petitionUpdates } from "../../../db/schema";
import { renderMarkdown, renderMarkdownForEmail } from "../../platform/content/markdown.server";
import { renderEmail } from "../../platform/mail/email-layout.server";
import { isOptedOut, unsubscribeHeaders, unsubscribeUrl } from "../../platform/mail/email-preferences.server";
import { enqueueMail } from "../../platform/mail/outbox.server";
import { wordsForRecipient } from "../../platform/mail/recipient-words.server";
import { Refusal } from "../../platform/refusal";
import { say } from "../../platform/said";
import { actorOf, recordAudit } from "../../platform/security/audit.server";
import { petitionUrl } from "../../platform/site/addresses.server";
import { DAY_MS, MINUTE_MS, startOfDay } from "../../platform/time";
import type { PetitionUpdateKind } from "../../vocabulary/petitions";
import type { User } from "../identity/sessions.server";
import { updateRefusal } from "./rights.server";
import { standingOf } from "./standing.server";

/**
 * Organizers' updates to a petition's signers. Shown on the petition page and emailed by the
 * platform in batches (organizers never see signers' addresses). A declaration of victory is an
 * update of kind "victory", written by the petitions state machine.
 */

export class PetitionUpdateError extends Refusal {}

export const UPDATE_INTERVAL_MS = DAY_MS;
export const UPDATE_EMAIL_BATCH_SIZE = 200;

/** Writes an update inside the caller's transaction; the scheduler emails it. */
export function recordPetitionUpdate(
  tx: Executor,
  update: {
    petitionId: number;
    authorId: number;
    kind: PetitionUpdateKind;
    body: string;
    bodyHtml: string;
    at: Date;
  },
): number {
  return tx
    .insert(petitionUpdates)
    .values({
      petitionId: update.petitionId,
      authorId: update.authorId,
      kind: update.kind,
      body: update.body,
      bodyHtml: update.bodyHtml,
      createdAt: update.at,
    })
    .returning({ id: petitionUpdates.id })
    .get().id;
}

/** The petition, if this person may post updates on it (updateRefusal); else the refusal is thrown. */
function petitionForUpdate(tx: Executor, petitionId: number, user: User) {
  const petition = tx.select().from(petitions).where(eq(petitions.id, petitionId)).get();
  if (!petition) throw new PetitionUpdateError(say("server.petition.noSuchPetition"), 404);
  const refusal = updateRefusal(petition, standingOf(tx, petition, user));
  if (refusal) throw refusal;
  return petition;
}

/** An update as signers will read it, before it is posted: only for those who may post it. Writes nothing. */
export function previewPetitionUpdate(petitionId: number, body: string, user: User): string {
  petitionForUpdate(getDb(), petitionId, user);
  return renderMarkdown(body);
}

/**
 * How many colleagues an update posted now is emailed to, at most: the standing public signers (the
 * scheduler's list below, less any who turned these emails off — left in, so that the number says
 * nothing of one colleague's settings). Anonymous signers read updates on the page and in its feed.
 */
export function updateRecipientCount(petitionId: number): number {
  return (
    getDb()
      .$client.prepare<[number], { n: number }>(
        `select count(*) as n from signatures s join people p on p.id = s.person_id
         where s.petition_id = ? and s.visibility = 'public' and s.withdrawn_at is null
           and s.invalidated_at is null and p.active = 1`,
      )
      .get(petitionId)?.n ?? 0
  );
}

/**
 * An organizer (the creator or a co-organizer: see updateRefusal) posts an update: at most one per
 * petition per 24 hours, on a public petition.
 */
export function postPetitionUpdate(petitionId: number, body: string, user: User, now = Date.now()): number {
  const bodyHtml = renderMarkdown(body);
  return getDb().transaction(
    (tx) => {
      petitionForUpdate(tx, petitionId, user);
      const recent = tx
        .select({ createdAt: petitionUpdates.createdAt })
        .from(petitionUpdates)
        .where(
          and(
            eq(petitionUpdates.petitionId, petitionId),
            eq(petitionUpdates.kind, "update"),
            gt(petitionUpdates.createdAt, new Date(now - UPDATE_INTERVAL_MS)),
          ),
        )
        .orderBy(desc(petitionUpdates.createdAt))
        .get();
      if (recent) {
        const next = new Date(recent.createdAt.getTime() + UPDATE_INTERVAL_MS);
        throw new PetitionUpdateError(
          say("server.petition.oneUpdateADay", { next: { moment: next.getTime() } }),
          429,
        );
      }
      const id = recordPetitionUpdate(tx, {
        petitionId,
        authorId: user.id,
        kind: "update",
        body,
        bodyHtml,
        at: new Date(now),
      });
      recordAudit(
        tx,
        actorOf(user),
        "petition.update.post",
        { type: "petition", id: petitionId },
        { updateId: id },
      );
      return id;
    },
    { behavior: "immediate" },
  );
}

/** Read on every petition page: prepared once per connection. */
const statements = preparedStatements((db) => ({
  updates: db
    .select({
      id: petitionUpdates.id,
      kind: petitionUpdates.kind,
      bodyHtml: petitionUpdates.bodyHtml,
      createdAt: petitionUpdates.createdAt,
      authorName: people.name,
      emailsDone: petitionUpdates.emailsDoneAt,
    })
    .from(petitionUpdates)
    .innerJoin(people, eq(people.id, petitionUpdates.authorId))
    .where(eq(petitionUpdates.petitionId, sql.placeholder("petitionId")))
    .orderBy(desc(petitionUpdates.createdAt), desc(petitionUpdates.id))
    .prepare(),
}));

/**
 * A petition's updates as a page shows them: the petition page by day, the dashboard to the minute
 * (loader data reaches the browser whole, so no more precision than the page shows).
 */
export function listPetitionUpdates(petitionId: number, precision: "day" | "minute" = "minute") {
  return statements()
    .updates.all({ petitionId })
    .map(({ emailsDone, createdAt, ...update }) => ({
      ...update,
      createdAt: new Date(
        precision === "day"
          ? startOfDay(createdAt.getTime())
          : createdAt.getTime() - (createdAt.getTime() % MINUTE_MS),
      ),
      emailing: !emailsDone,
    }));
}

/**
 * The scheduler: queues the next batch of emails for each update not yet sent to every signer.
 * Public signers standing when it was posted (anonymous ones cannot be emailed: they follow the page and its feed), paged by
 * person id with the cursor committed with the batch, so a restart neither skips nor repeats anyone.
 * People who turned these emails off are left out; organizers who signed, its author included, get it
 * like any signer: leaving them out would let an organizer learn whether a colleague signed, by making
 * them a co-organizer (or waiting for their update) and watching the dashboard's email count.
 */
export function queuePetitionUpdateEmails(now = Date.now(), batchSize = UPDATE_EMAIL_BATCH_SIZE): number {
  const db = getDb();
  const pending = db
    .select({ id: petitionUpdates.id, body: petitionUpdates.body, slug: petitions.slug })
    .from(petitionUpdates)
    .innerJoin(petitions, eq(petitions.id, petitionUpdates.petitionId))
    .where(isNull(petitionUpdates.emailsDoneAt))
    .all();
  let processed = 0;
  for (const { id, body, slug } of pending) {
    // Rendered before the write lock is taken (updates are never edited): the same for every signer.
    const rendered = {
      html: renderMarkdownForEmail(body, petitionUrl(slug, "updates")),
    };
    db.transaction(
      (tx) => {
        const update = tx
          .select({ update: petitionUpdates, petition: petitions })
          .from(petitionUpdates)
          .innerJoin(petitions, eq(petitions.id, petitionUpdates.petitionId))
          .where(eq(petitionUpdates.id, id))
          .get();
        if (!update || update.update.emailsDoneAt) return;
        const { petition } = update;
        // A petition hidden meanwhile sends nothing more.
        const batch = petition.hiddenAt
          ? []
          : db.$client
              .prepare<
                [number, number, number],
                { person_id: number; email: string; locale: string | null; time_zone: string | null }
              >(
                // Public signers who had signed when it was posted; later signers read it on the page,
                // anonymous ones there and in the petition's feed (the platform cannot email them).
                `select s.person_id, p.email, p.locale, p.time_zone
                 from signatures s join people p on p.id = s.person_id
                 where s.petition_id = ? and s.visibility = 'public' and s.withdrawn_at is null and s.invalidated_at is null
                   and s.created_at <= ? and p.active = 1 and s.person_id > ?
                 order by s.person_id limit ${batchSize}`,
              )
              .all(petition.id, update.update.createdAt.getTime(), update.update.emailCursor);
        processed += batch.length;
        const victory = update.update.kind === "victory";
        const url = petitionUrl(petition.slug, "updates");
        const quote = { markdown: update.update.body, html: rendered.html };
        for (const signer of batch) {
          if (isOptedOut(tx, signer.person_id, "petition-updates")) continue;
          const stopUrl = unsubscribeUrl(signer.person_id, "petition-updates");
          const { t } = wordsForRecipient({ locale: signer.locale, timeZone: signer.time_zone });
          const title = { title: petition.title };
          enqueueMail(
            tx,
            {
              kind: victory ? "signer.victory" : "signer.update",
              to: signer.email,
              subject: t(victory ? "server.email.update.subjectWon" : "server.email.update.subject", title),
              headers: unsubscribeHeaders(stopUrl),
              petitionId: petition.id,
              ...renderEmail({
                paragraphs: [
                  t(victory ? "server.email.update.victory" : "server.email.update.posted", title),
                ],
                quote,
                action: { label: t("server.email.update.action"), url },
                unsubscribeUrl: stopUrl,
                t,
              }),
            },
            now,
          );
        }
        const last = batch.at(-1);
        tx.update(petitionUpdates)
          .set({
            emailCursor: last?.person_id ?? update.update.emailCursor,
            ...(batch.length < batchSize ? { emailsDoneAt: new Date(now) } : {}),
          })
          .where(eq(petitionUpdates.id, id))
          .run();
      },
      { behavior: "immediate" },
    );
  }
  return processed;
}
