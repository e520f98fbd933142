import { randomBytes } from "node:crypto";
import { and, count, desc, eq, type SQL } from "drizzle-orm";
import type { Executor } from "../../db/client";
import { getDb } from "../../db/client";
import { outbox } from "../../db/schema";
import { getConfig } from "../config.server";
import { MAIL_KINDS, type MailKind } from "../vocabulary/mail-kinds";
import { OUTBOX_STATUSES, type OutboxStatus } from "../vocabulary/outbox";
import { type Actor, recordAudit } from "./audit.server";
import { singleLine } from "./text";
import { startOfDay } from "./time";

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
};

/**
 * Queues an email. Call it inside the transaction of the change that causes it: if the change rolls
 * back, so does the email; if it commits, the sender loop will deliver it.
 */
export function enqueueMail(exec: Executor, email: Email, now = Date.now()): number {
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
      nextAttemptAt: new Date(now),
      // Fixed at queue time so a retried delivery carries the same Message-ID and can be deduplicated.
      messageId: `<${randomBytes(12).toString("hex")}@${host}>`,
      createdAt: new Date(now),
    })
    .returning({ id: outbox.id })
    .get();
  return row.id;
}

/** Puts a failed message back in the queue (an admin action, audited). */
export function retryMail(id: number, actor: Actor): boolean {
  return getDb().transaction(
    (tx) => {
      const result = tx
        .update(outbox)
        .set({ status: "queued", nextAttemptAt: new Date(), attempts: 0 })
        .where(and(eq(outbox.id, id), eq(outbox.status, "failed")))
        .run();
      if (result.changes !== 1) return false;
      recordAudit(tx, actor, "mail.retry", { type: "outbox", id });
      return true;
    },
    { behavior: "immediate" },
  );
}

export const OUTBOX_PAGE_SIZE = 50;

/**
 * Emails to signers ("signer.*"), commenters ("comment.*") and feedback authors ("feedback.*") would
 * tell who signed or wrote what — anonymous ones included — so the admin outbox never shows their
 * recipients.
 */
export const hidesRecipient = (kind: MailKind) => MAIL_KINDS[kind].hidesRecipient;

const dayOf = (date: Date) => new Date(startOfDay(date.getTime()));

/**
 * Outbox metadata for admins: never the bodies, which may hold other people's sign-in links, nor
 * the recipients of signer, commenter and feedback emails, nor any exact time. A hidden row's time
 * would date an anonymous comment, reply or signature; a sign-in row's (with its recipient) would line
 * a person's activity up with anonymous acts; and rows are in id order, so any exact neighbour would
 * narrow a hidden row's time. So every time is by day (the next attempt too: it is the claim or
 * failure time plus a fixed delay).
 */
export function listOutbox(filter: { status?: OutboxStatus; page: number }) {
  const db = getDb();
  const where: SQL | undefined = filter.status ? eq(outbox.status, filter.status) : undefined;
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
    .all();
  for (const message of messages) {
    message.createdAt = dayOf(message.createdAt);
    message.sentAt = message.sentAt ? dayOf(message.sentAt) : null;
    message.nextAttemptAt = dayOf(message.nextAttemptAt);
    if (!hidesRecipient(message.kind)) continue;
    message.toAddress = "hidden (a participant)";
    // SMTP errors quote the address.
    message.lastError = message.lastError?.replace(/[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/g, "[address]") ?? null;
  }
  const totals = Object.fromEntries(OUTBOX_STATUSES.map((s) => [s, 0])) as Record<OutboxStatus, number>;
  for (const row of db
    .select({ status: outbox.status, n: count() })
    .from(outbox)
    .groupBy(outbox.status)
    .all()) {
    totals[row.status] = row.n;
  }
  const total = filter.status ? totals[filter.status] : Object.values(totals).reduce((a, b) => a + b, 0);
  return {
    messages,
    totals,
    pageCount: Math.max(1, Math.ceil(total / OUTBOX_PAGE_SIZE)),
  };
}

/** The dev mailbox (only when SMTP_URL is unset): the newest messages with their bodies. */
export function listDevMailbox(limit = 50) {
  return getDb().select().from(outbox).orderBy(desc(outbox.id)).limit(limit).all();
}

export function getDevMailboxMessage(id: number) {
  return getDb().select().from(outbox).where(eq(outbox.id, id)).get();
}
