import { randomBytes } from "node:crypto";
import { and, count, desc, eq, lte, or, type SQL } from "drizzle-orm";
import nodemailer, { type Transporter } from "nodemailer";
import type { Executor } from "../../db/client";
import { getDb } from "../../db/client";
import { outbox } from "../../db/schema";
import { getConfig } from "../config.server";
import { OUTBOX_STATUSES, type OutboxStatus } from "../vocabulary/outbox";
import { type Actor, recordAudit } from "./audit.server";

export type Email = {
  kind: string;
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
      subject: email.subject,
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

// ---- Rendering ---------------------------------------------------------------------------------

const escapeHtml = (value: string) =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );

/**
 * One simple layout for every email: paragraphs, an optional quoted piece of user content and an
 * optional button, as text and as HTML.
 */
export function renderEmail(content: {
  paragraphs: string[];
  /** User content: its markdown source for the text part (markdown reads as text), and its sanitized HTML (renderMarkdownForEmail). */
  quote?: { markdown: string; html: string };
  action?: { label: string; url: string };
  footer?: string;
  /** For optional emails: a one-click link that turns this kind of email off. */
  unsubscribeUrl?: string;
}) {
  const footer = content.footer ?? "Undersigned — the staff petition platform.";
  const text = [
    ...content.paragraphs,
    ...(content.quote ? [content.quote.markdown] : []),
    ...(content.action ? [`${content.action.label}:\n${content.action.url}`] : []),
    `--\n${footer}${content.unsubscribeUrl ? `\nStop these emails: ${content.unsubscribeUrl}` : ""}`,
  ].join("\n\n");
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1c1c1c;max-width:560px;margin:0 auto;padding:24px">
${content.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join("\n")}
${content.quote ? `<blockquote style="margin:16px 0;padding:0 16px;border-left:4px solid #ddd">${content.quote.html}</blockquote>` : ""}
${
  content.action
    ? `<p><a href="${escapeHtml(content.action.url)}" style="display:inline-block;background:#1d4ed8;color:#fff;padding:10px 18px;border-radius:6px;text-decoration:none">${escapeHtml(content.action.label)}</a></p>
<p style="font-size:13px;color:#555">Or paste this link into your browser:<br>${escapeHtml(content.action.url)}</p>`
    : ""
}
<hr style="border:none;border-top:1px solid #ddd"><p style="font-size:13px;color:#555">${escapeHtml(footer)}${
    content.unsubscribeUrl
      ? `<br><a href="${escapeHtml(content.unsubscribeUrl)}" style="color:#555">Stop these emails</a>`
      : ""
  }</p>
</body></html>`;
  return { text, html };
}

// ---- Delivery ----------------------------------------------------------------------------------

export const MAX_ATTEMPTS = 8;
/** How long a claimed message may stay "sending" before a crashed sender's claim is retried. */
export const SENDING_LEASE_MS = 10 * 60_000;

/** 30 s, 1 min, 2 min … capped at 1 hour. */
export function backoffMs(attempts: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 60 * 60_000);
}

export function createSmtpTransport(smtpUrl: string): Transporter {
  return nodemailer.createTransport(smtpUrl);
}

/**
 * Delivers every due message once. A message is claimed (queued → sending) with a compare-and-set
 * before it is handed to SMTP, so two senders never deliver the same row; failures go back to
 * queued with exponential backoff until MAX_ATTEMPTS, then to failed.
 */
export async function deliverDueMail(
  transport: Transporter,
  options: { now?: () => number; limit?: number } = {},
): Promise<{ sent: number; failed: number }> {
  const db = getDb();
  const now = options.now ?? Date.now;
  const from = getConfig().mailFrom;
  let sent = 0;
  let failed = 0;
  for (let i = 0; i < (options.limit ?? 100); i++) {
    const claimedAt = now();
    const isDue = and(
      or(eq(outbox.status, "queued"), eq(outbox.status, "sending")),
      lte(outbox.nextAttemptAt, new Date(claimedAt)),
    );
    // A look without the write lock first: an idle tick (most are) never waits on another process.
    if (!db.select({ id: outbox.id }).from(outbox).where(isDue).limit(1).get()) break;
    // Immediate: a deferred transaction that reads and then writes fails with SQLITE_BUSY, busy
    // timeout or not, when another process (the CLI) commits in between.
    const message = db.transaction(
      (tx) => {
        const due = tx
          .select()
          .from(outbox)
          .where(isDue)
          .orderBy(outbox.nextAttemptAt, outbox.id)
          .limit(1)
          .get();
        if (!due) return undefined;
        const claimed = tx
          .update(outbox)
          .set({
            status: "sending",
            attempts: due.attempts + 1,
            nextAttemptAt: new Date(claimedAt + SENDING_LEASE_MS),
          })
          .where(and(eq(outbox.id, due.id), eq(outbox.status, due.status), eq(outbox.attempts, due.attempts)))
          .run();
        return claimed.changes === 1 ? { ...due, attempts: due.attempts + 1 } : undefined;
      },
      { behavior: "immediate" },
    );
    if (!message) break;
    let error: unknown = null;
    try {
      await transport.sendMail({
        from,
        to: message.toAddress,
        subject: message.subject,
        text: message.textBody,
        html: message.htmlBody,
        messageId: message.messageId,
        headers: message.headers ?? undefined,
        // Base64 keeps long links intact; quoted-printable soft breaks split them in some clients.
        textEncoding: "base64",
      });
    } catch (refusal) {
      error = refusal ?? new Error("SMTP failed");
    }
    if (error === null) {
      // Delivered. Should this update fail (a full disk, a lock held too long), the error stops the
      // loop and the message stays claimed until its lease ends: re-sent then under the same
      // Message-ID (ADR 0003), never re-queued or failed as though SMTP had refused it.
      db.update(outbox)
        .set({
          status: "sent",
          sentAt: new Date(now()),
          lastError: null,
          ...(message.sensitive
            ? { textBody: "[removed after delivery]", htmlBody: "[removed after delivery]" }
            : {}),
        })
        .where(eq(outbox.id, message.id))
        .run();
      sent++;
      continue;
    }
    const giveUp = message.attempts >= MAX_ATTEMPTS;
    db.update(outbox)
      .set({
        status: giveUp ? "failed" : "queued",
        lastError: error instanceof Error ? error.message.slice(0, 500) : String(error).slice(0, 500),
        nextAttemptAt: new Date(now() + backoffMs(message.attempts)),
      })
      .where(eq(outbox.id, message.id))
      .run();
    failed++;
  }
  return { sent, failed };
}

/** The sender loop in the server process. Returns a function that stops it. */
export function startMailSender(smtpUrl: string, intervalMs = 2_000): () => Promise<void> {
  const transport = createSmtpTransport(smtpUrl);
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    running = deliverDueMail(transport)
      .catch((error) => console.error("mail sender:", error))
      .finally(() => {
        busy = false;
      });
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
    transport.close();
  };
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

// ---- Reading -----------------------------------------------------------------------------------

export const OUTBOX_PAGE_SIZE = 50;

/**
 * Emails to signers ("signer.*"), commenters ("comment.*") and feedback authors ("feedback.*") would
 * tell who signed or wrote what — anonymous ones included — so the admin outbox never shows their
 * recipients.
 */
export const hidesRecipient = (kind: string) =>
  kind.startsWith("signer.") || kind.startsWith("comment.") || kind.startsWith("feedback.");

const startOfDay = (date: Date) => new Date(date.getTime() - (date.getTime() % 86_400_000));

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
    message.createdAt = startOfDay(message.createdAt);
    message.sentAt = message.sentAt ? startOfDay(message.sentAt) : null;
    message.nextAttemptAt = startOfDay(message.nextAttemptAt);
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
