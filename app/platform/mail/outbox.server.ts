import { randomBytes } from "node:crypto";
import { and, count, desc, eq, gte, isNull, lt, type SQL, sql } from "drizzle-orm";
import type { Executor } from "../../../db/client";
import { getDb } from "../../../db/client";
import { outbox } from "../../../db/schema";
import { getConfig } from "../../config.server";
import type { EmailTopic } from "../../vocabulary/email-topics";
import { MAIL_KINDS, type MailKind } from "../../vocabulary/mail-kinds";
import { OUTBOX_STATUSES, type OutboxStatus } from "../../vocabulary/outbox";
import { singleLine } from "../content/text";
import { type Actor, recordAudit } from "../security/audit.server";
import { DAY_MS, startOfDay, startOfHour } from "../time";

export type Email = {
  kind: MailKind;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Bodies holding secrets (sign-in links) are blanked in the outbox once delivered. */
  sensitive?: boolean;
  headers?: Record<string, string>;
  /** The petition it is about, for its organizers' delivery counts. */
  petitionId?: number;
  /**
   * Whom it is for, when that is someone the viewer must not learn (a commenter, a feedback author, a
   * signer): the admin outbox shows such emails only as counts by kind and day. `personId` and
   * `optOutTopic` ask the mail sender to decide at send time — it drops the email, recorded exactly
   * like a delivery, if the person is inactive or has turned the topic off — so whether it goes is
   * observed by nobody (ADR 0032). Kinds whose recipients are always hidden are hidden whatever this says.
   */
  recipient?: { hidden: boolean; personId?: number; optOutTopic?: EmailTopic };
};

/**
 * A stand-in for an email that goes to nobody (a reply to one's own comment, to a comment whose author
 * turned emails off): queued where the email would have been, with no address and no body, and
 * recorded as delivered by the sender — so counts by kind say nothing about who wrote what.
 */
export function enqueueWithheldMail(
  exec: Executor,
  email: { kind: MailKind; petitionId?: number },
  now = Date.now(),
): number {
  return insertMail(
    exec,
    { kind: email.kind, to: "", subject: "", text: "", html: "", petitionId: email.petitionId },
    { withheld: true },
    now,
  );
}

/**
 * Queues an email. Call it inside the transaction of the change that causes it: if the change rolls
 * back, so does the email; if it commits, the sender loop will deliver it.
 */
export function enqueueMail(exec: Executor, email: Email, now = Date.now()): number {
  return insertMail(exec, email, { withheld: false }, now);
}

function insertMail(exec: Executor, email: Email, options: { withheld: boolean }, now: number): number {
  const host = new URL(getConfig().appUrl).hostname || "localhost";
  const row = exec
    .insert(outbox)
    .values({
      kind: email.kind,
      toAddress: email.to,
      // Titles in subjects come from people: no bidi control or line break reaches a mail header.
      subject: singleLine(email.subject),
      textBody: email.text,
      htmlBody: email.html,
      headers: email.headers ?? null,
      petitionId: email.petitionId ?? null,
      sensitive: email.sensitive ?? false,
      recipientHidden: options.withheld || hidesRecipient(email.kind) || (email.recipient?.hidden ?? false),
      recipientId: email.recipient?.personId ?? null,
      optOutTopic: email.recipient?.optOutTopic ?? null,
      withheld: options.withheld,
      nextAttemptAt: new Date(now),
      // Fixed at queue time so a retried delivery carries the same Message-ID and can be deduplicated.
      messageId: `<${randomBytes(12).toString("hex")}@${host}>`,
      // To the hour (the admin page shows the day): a sign-in email's exact time would date a person's
      // activity beside anonymous acts in a copy of the database.
      createdAt: new Date(startOfHour(now)),
    })
    .returning({ id: outbox.id })
    .get();
  return row.id;
}

/** Puts a failed message back in the queue (an admin action, audited). Listed rows only. */
export function retryMail(id: number, actor: Actor): boolean {
  return getDb().transaction(
    (tx) => {
      const result = tx
        .update(outbox)
        .set({ status: "queued", nextAttemptAt: new Date(), attempts: 0 })
        .where(and(eq(outbox.id, id), eq(outbox.status, "failed"), eq(outbox.recipientHidden, false)))
        .run();
      if (result.changes !== 1) return false;
      recordAudit(tx, actor, "mail.retry", { type: "outbox", id });
      return true;
    },
    { behavior: "immediate" },
  );
}

/**
 * Puts the failed emails to hidden recipients of one kind and day back in the queue: they are never
 * listed one by one, so they are retried by the group the admin sees (audited with its count).
 * Returns how many.
 */
export function retryHiddenMail(
  group: { kind: MailKind; day: number },
  actor: Actor,
  now = Date.now(),
): number {
  const day = startOfDay(group.day);
  if (day >= startOfDay(now)) return 0;
  return getDb().transaction(
    (tx) => {
      const result = tx
        .update(outbox)
        .set({ status: "queued", nextAttemptAt: new Date(now), attempts: 0 })
        .where(
          and(
            eq(outbox.recipientHidden, true),
            eq(outbox.status, "failed"),
            eq(outbox.kind, group.kind),
            gte(outbox.createdAt, new Date(day)),
            lt(outbox.createdAt, new Date(day + DAY_MS)),
          ),
        )
        .run();
      if (result.changes > 0) {
        recordAudit(tx, actor, "mail.retry-hidden", undefined, {
          kind: group.kind,
          day: new Date(day).toISOString().slice(0, 10),
          count: result.changes,
        });
      }
      return result.changes;
    },
    { behavior: "immediate" },
  );
}

export const OUTBOX_PAGE_SIZE = 50;
/** How many past days of hidden-recipient counts the outbox shows. */
export const HIDDEN_MAIL_DAYS = 30;

/**
 * Emails to signers ("signer.*"), commenters ("comment.*") and feedback authors ("feedback.*") would
 * tell who signed or wrote what — anonymous ones included — so they are always queued as hidden
 * (outbox.recipient_hidden), whatever their caller says.
 */
export const hidesRecipient = (kind: MailKind) => MAIL_KINDS[kind].hidesRecipient;

const dayOf = (date: Date) => new Date(startOfDay(date.getTime()));

/**
 * The admin outbox (ADR 0032). Rows are listed only for emails whose recipient an admin may know
 * (sign-in links, emails to organizers, moderators, leadership), never with their bodies (other
 * people's sign-in links), their sequential ids (a gap would mark a hidden email between two listed
 * ones) or any exact time (a sign-in row's time would line a person's activity up with anonymous
 * acts): every time is by day, the next attempt too.
 *
 * Emails to hidden recipients (commenters, feedback authors, signers) are never rows: a row between
 * "sign-in aisha" and "sign-in tom" dates and places a reply to an anonymous author, and a row missing
 * after a deactivation names them. They are counts by kind, day and state, and only for days that have
 * ended — a count that moves while an admin watches would date each email to the second. Their
 * statuses count dropped emails (an inactive or opted-out recipient, a stand-in) as sent, which is
 * what the sender records. `totals` (the status filters, the admin home) count listed rows only.
 */
export function listOutbox(filter: { status?: OutboxStatus; page: number }, now = Date.now()) {
  const db = getDb();
  const listed = eq(outbox.recipientHidden, false);
  const where: SQL | undefined = filter.status ? and(listed, eq(outbox.status, filter.status)) : listed;
  const messages = db
    .select({
      id: outbox.id,
      kind: outbox.kind,
      toAddress: outbox.toAddress,
      subject: outbox.subject,
      status: outbox.status,
      attempts: outbox.attempts,
      lastError: outbox.lastError,
      nextAttemptAt: outbox.nextAttemptAt,
      createdAt: outbox.createdAt,
      sentAt: outbox.sentAt,
    })
    .from(outbox)
    .where(where)
    .orderBy(desc(outbox.id))
    .limit(OUTBOX_PAGE_SIZE)
    .offset((filter.page - 1) * OUTBOX_PAGE_SIZE)
    .all()
    .map((message) => ({
      ...message,
      // Only a failed row carries its id, for the retry button.
      id: message.status === "failed" ? message.id : null,
      createdAt: dayOf(message.createdAt),
      sentAt: message.sentAt ? dayOf(message.sentAt) : null,
      nextAttemptAt: dayOf(message.nextAttemptAt),
    }));
  const totals = Object.fromEntries(OUTBOX_STATUSES.map((s) => [s, 0])) as Record<OutboxStatus, number>;
  for (const row of db
    .select({ status: outbox.status, n: count() })
    .from(outbox)
    .where(listed)
    .groupBy(outbox.status)
    .all()) {
    totals[row.status] = row.n;
  }
  const total = filter.status ? totals[filter.status] : Object.values(totals).reduce((a, b) => a + b, 0);
  return {
    messages,
    totals,
    hidden: hiddenMailCounts(now),
    pageCount: Math.max(1, Math.ceil(total / OUTBOX_PAGE_SIZE)),
  };
}

export type HiddenMailCount = { day: Date; kind: MailKind } & Record<OutboxStatus, number>;

/** Emails to hidden recipients by day (ended days only), kind and state: newest day first. */
export function hiddenMailCounts(now = Date.now()): HiddenMailCount[] {
  const today = startOfDay(now);
  const dayMs = sql.raw(String(DAY_MS));
  const dayExpr = sql<number>`(${outbox.createdAt} / ${dayMs}) * ${dayMs}`;
  const rows = getDb()
    .select({ day: dayExpr, kind: outbox.kind, status: outbox.status, n: count() })
    .from(outbox)
    .where(
      and(
        eq(outbox.recipientHidden, true),
        lt(outbox.createdAt, new Date(today)),
        gte(outbox.createdAt, new Date(today - HIDDEN_MAIL_DAYS * DAY_MS)),
      ),
    )
    .groupBy(dayExpr, outbox.kind, outbox.status)
    .all();
  const groups = new Map<string, HiddenMailCount>();
  for (const row of rows) {
    const key = `${row.day}:${row.kind}`;
    let group = groups.get(key);
    if (!group) {
      group = { day: new Date(row.day), kind: row.kind, queued: 0, sending: 0, sent: 0, failed: 0 };
      groups.set(key, group);
    }
    group[row.status] += row.n;
  }
  return [...groups.values()].sort(
    (a, b) => b.day.getTime() - a.day.getTime() || a.kind.localeCompare(b.kind),
  );
}

/**
 * The dev mailbox (only when SMTP_URL is unset; app/server/dev-mailbox.server.ts serves it on its own
 * port): the newest messages with their bodies.
 */
export function listDevMailbox(limit = 50) {
  // Stand-ins (withheld) go to nobody: nothing to read; chat posts are not emails.
  return getDb()
    .select()
    .from(outbox)
    .where(and(eq(outbox.withheld, false), isNull(outbox.chatChannelId)))
    .orderBy(desc(outbox.id))
    .limit(limit)
    .all();
}

export function getDevMailboxMessage(id: number) {
  return getDb()
    .select()
    .from(outbox)
    .where(and(eq(outbox.id, id), eq(outbox.withheld, false), isNull(outbox.chatChannelId)))
    .get();
}
