import { and, eq, sql } from "drizzle-orm";
import { getDb, preparedStatements } from "../../../db/client";
import { milestoneReminders, people, personRoles } from "../../../db/schema";
import { renderEmail } from "../../platform/mail/email-layout.server";
import { enqueueMail } from "../../platform/mail/outbox.server";
import { wordsForRecipient } from "../../platform/mail/recipient-words.server";
import { absoluteUrl } from "../../platform/site/addresses.server";
import { DAY_MS } from "../../platform/time";
import type { ReminderKind, Stance } from "../../vocabulary/announcements";

/**
 * Response obligations: a reached milestone that requires a response is *awaiting* until a published
 * announcement answers it, and *overdue* past its due date. Everything here is derived from the
 * milestones and the published announcements, so there is no status to keep in step.
 */

export const REMINDER_DAYS_BEFORE = 3;

/** SQL: milestone `m` is answered by a published announcement. */
export const ANSWERED = `exists (select 1 from announcement_milestones am join announcements a on a.id = am.announcement_id
  where am.milestone_id = m.id and a.state = 'published')`;

/** SQL fragments for petition lists (the petition table aliased as the drizzle `petitions` table). */
export const awaitingResponseSql = sql.raw(
  `exists (select 1 from milestones m where m.petition_id = petitions.id and m.response_required = 1 and m.reached_at is not null and not ${ANSWERED})`,
);
export const respondedSql = sql.raw(
  "exists (select 1 from announcement_responses r join announcements a on a.id = r.announcement_id where r.petition_id = petitions.id and a.state = 'published')",
);

export type ResponseStatus =
  | { kind: "none" }
  | { kind: "awaiting"; dueAt: Date; overdue: boolean }
  | { kind: "responded"; stance: Stance; announcementSlug: string; publishedAt: Date };

/** Every petition page and list runs these: prepared once per connection (see db/client.ts). */
const statements = preparedStatements((db) => ({
  responded: db.$client.prepare<
    [string],
    { petition_id: number; stance: Stance; slug: string; published_at: number }
  >(
    `select r.petition_id, r.stance, a.slug, a.published_at from announcement_responses r
     join announcements a on a.id = r.announcement_id
     where a.state = 'published' and r.petition_id in (select value from json_each(?))
     order by a.published_at`,
  ),
  awaiting: db.$client.prepare<[string], { petition_id: number; due: number }>(
    `select m.petition_id, min(m.response_due_at) as due from milestones m
     where m.petition_id in (select value from json_each(?)) and m.response_required = 1
       and m.reached_at is not null and not ${ANSWERED}
     group by m.petition_id`,
  ),
  open: db.$client.prepare<
    [],
    {
      id: number;
      threshold: number;
      reached_at: number;
      response_due_at: number;
      petition_id: number;
      slug: string;
      title: string;
      signature_count: number;
    }
  >(
    `select m.id, m.threshold, m.reached_at, m.response_due_at, p.id as petition_id, p.slug, p.title, p.signature_count
     from milestones m join petitions p on p.id = m.petition_id
     where m.response_required = 1 and m.reached_at is not null and not ${ANSWERED}
       and p.state in ('open', 'closed', 'archived') and p.hidden_at is null
     order by m.response_due_at, m.id`,
  ),
}));

/** The response status of each petition: awaiting (earliest unanswered due date) wins over responded. */
export function responseStatuses(petitionIds: number[], now = Date.now()): Map<number, ResponseStatus> {
  const result = new Map<number, ResponseStatus>(petitionIds.map((id) => [id, { kind: "none" }]));
  if (!petitionIds.length) return result;
  const ids = JSON.stringify(petitionIds);
  const responded = statements().responded.all(ids);
  for (const row of responded) {
    result.set(row.petition_id, {
      kind: "responded",
      stance: row.stance,
      announcementSlug: row.slug,
      publishedAt: new Date(row.published_at),
    });
  }
  const awaiting = statements().awaiting.all(ids);
  for (const row of awaiting) {
    result.set(row.petition_id, { kind: "awaiting", dueAt: new Date(row.due), overdue: row.due < now });
  }
  return result;
}

export type Obligation = {
  milestoneId: number;
  threshold: number;
  reachedAt: Date;
  dueAt: Date;
  overdue: boolean;
  petition: { id: number; slug: string; title: string; signatureCount: number };
};

/** Unanswered obligations, soonest due first: leadership's "Awaiting your response" page. */
export function openObligations(now = Date.now()): Obligation[] {
  return statements()
    .open.all()
    .map((r) => ({
      milestoneId: r.id,
      threshold: r.threshold,
      reachedAt: new Date(r.reached_at),
      dueAt: new Date(r.response_due_at),
      overdue: r.response_due_at < now,
      petition: { id: r.petition_id, slug: r.slug, title: r.title, signatureCount: r.signature_count },
    }));
}

/**
 * Reminds leadership 3 days before a response is due and on the day it becomes overdue. Each reminder
 * is a row in milestone_reminders inserted in the transaction that queues its emails, so it goes out
 * once however often (or across however many restarts) this runs.
 */
export function sendObligationReminders(now = Date.now()): number {
  const db = getDb();
  let sent = 0;
  for (const obligation of openObligations(now)) {
    const due = obligation.dueAt.getTime();
    const kind: ReminderKind | null =
      now >= due ? "overdue" : now >= due - REMINDER_DAYS_BEFORE * DAY_MS ? "due-soon" : null;
    if (!kind) continue;
    db.transaction(
      (tx) => {
        const inserted = tx
          .insert(milestoneReminders)
          .values({ milestoneId: obligation.milestoneId, kind, sentAt: new Date(now) })
          .onConflictDoNothing()
          .run();
        if (inserted.changes === 0) return;
        sent++;
        const leaders = tx
          .select({ email: people.email, locale: people.locale, timeZone: people.timeZone })
          .from(people)
          .innerJoin(personRoles, eq(personRoles.personId, people.id))
          .where(and(eq(personRoles.role, "leadership"), eq(people.active, true)))
          .all();
        const { title } = obligation.petition;
        for (const leader of leaders) {
          // In the leader's language, the due moment in their zone.
          const { t, format } = wordsForRecipient(leader);
          const date = format.date(obligation.dueAt);
          const values = {
            title,
            count: obligation.threshold,
            due: format.dateTime(obligation.dueAt),
            days: REMINDER_DAYS_BEFORE,
          };
          enqueueMail(
            tx,
            {
              kind: `obligation.${kind}`,
              to: leader.email,
              subject: t(
                kind === "overdue"
                  ? "server.email.obligation.overdueSubject"
                  : "server.email.obligation.dueSubject",
                { title, date },
              ),
              ...renderEmail({
                paragraphs: [
                  t(
                    kind === "overdue"
                      ? "server.email.obligation.overdue"
                      : "server.email.obligation.dueSoon",
                    values,
                  ),
                ],
                action: { label: t("server.email.obligation.action"), url: absoluteUrl("/leadership") },
                t,
              }),
            },
            now,
          );
        }
      },
      { behavior: "immediate" },
    );
  }
  return sent;
}
