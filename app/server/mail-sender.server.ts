import { and, eq, isNotNull, isNull, lte, or, type SQL } from "drizzle-orm";
import nodemailer, { type Transporter } from "nodemailer";
import { getDb } from "../../db/client";
import { outbox, people } from "../../db/schema";
import { getConfig } from "../config.server";
import { CHAT_POST_NOT_PUBLIC, chatPostStillPublic, deliverChatPost } from "../domain/chat/delivery.server";
import {
  discardSignInLinks,
  dropUndeliverableSignInLinks,
  signInLinkDeliverable,
} from "../domain/identity/sign-in.server";
import { isOptedOut } from "../platform/mail/email-preferences.server";
import { errorForLog } from "../platform/runtime/log-text";
import { isStorageFull, noteStorageFull } from "../platform/runtime/storage.server";
import { startOfHour } from "../platform/time";
import type { EmailTopic } from "../vocabulary/email-topics";

/**
 * The long-running mail sender: claims each due outbox message, delivers it over SMTP with nodemailer,
 * and retries failures with exponential backoff (ADR 0003).
 */

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

type OutboxRow = typeof outbox.$inferSelect;
type DeliverOptions = { now?: () => number; limit?: number; shouldStop?: () => boolean };

/**
 * Delivers every due email once (chat posts have their own loop, deliverDuePosts). See deliverDue.
 */
export async function deliverDueMail(
  transport: Transporter,
  options: DeliverOptions = {},
): Promise<{ sent: number; failed: number }> {
  const from = getConfig().mailFrom;
  dropUndeliverableSignInLinks();
  return deliverDue(isNull(outbox.chatChannelId), options, async (message) => {
    // A sign-in link is queued for any address asked for (the same work either way: no enumeration by
    // timing); it goes only to an address that may sign in, and is dropped here for any other.
    if (message.kind === "sign-in" && !signInLinkDeliverable(message.toAddress)) {
      getDb().delete(outbox).where(eq(outbox.id, message.id)).run();
      discardSignInLinks(message.toAddress);
      return "discarded";
    }
    // Decided now, not when queued (ADR 0032): an email to a hidden recipient is always queued, so
    // whether it goes shows nowhere. One that goes to nobody — a stand-in, or a person now inactive or
    // opted out — is dropped here and recorded exactly as a delivery; it still costs a connection to
    // the SMTP server (verify), so an outage fails it like the others instead of setting it apart.
    if (message.withheld || !stillWanted(message)) await transport.verify();
    else
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
    return "delivered";
  });
}

/**
 * How long one tick spends on chat posts before it leaves the rest to the next: emails go first in
 * each tick, and a slow or hanging webhook must not keep the next tick's emails (sign-in links)
 * waiting for more than this plus one post's timeout.
 */
export const CHAT_TICK_BUDGET_MS = 10_000;

/**
 * Delivers due posts to company chat channels, an HTTP POST each (see deliverDue), for at most
 * CHAT_TICK_BUDGET_MS. A post about a petition that is no longer public is not sent: it is marked
 * failed, with why, and never tried again.
 */
export function deliverDuePosts(options: DeliverOptions = {}): Promise<{ sent: number; failed: number }> {
  const now = options.now ?? Date.now;
  const until = now() + CHAT_TICK_BUDGET_MS;
  return deliverDue(
    isNotNull(outbox.chatChannelId),
    { ...options, shouldStop: () => now() >= until || (options.shouldStop?.() ?? false) },
    async (message) => {
      if (!chatPostStillPublic(message)) return { dropped: CHAT_POST_NOT_PUBLIC };
      await deliverChatPost(message);
      return "delivered";
    },
  );
}

/**
 * Delivers every due outbox message of one sort once. A message is claimed (queued → sending) with a
 * compare-and-set before it is handed over, so two senders never deliver the same row; failures go
 * back to queued with exponential backoff until MAX_ATTEMPTS, then to failed.
 */
async function deliverDue(
  sort: SQL,
  options: DeliverOptions,
  // `dropped`: not sent and never to be (failed at once, with the reason as its error).
  deliver: (message: OutboxRow) => Promise<"delivered" | "discarded" | { dropped: string }>,
): Promise<{ sent: number; failed: number }> {
  const db = getDb();
  const now = options.now ?? Date.now;
  let sent = 0;
  let failed = 0;
  for (let i = 0; i < (options.limit ?? 100); i++) {
    // A safe point: between messages, never with one claimed and unsent.
    if (options.shouldStop?.()) break;
    const claimedAt = now();
    const isDue = and(
      sort,
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
    let dropped = false;
    try {
      const outcome = await deliver(message);
      if (outcome === "discarded") continue;
      if (typeof outcome === "object") {
        error = new Error(outcome.dropped);
        dropped = true;
      }
    } catch (refusal) {
      error = refusal ?? new Error("delivery failed");
    }
    if (error === null) {
      // Delivered. Should this update fail (a full disk, a lock held too long), the error stops the
      // loop and the message stays claimed until its lease ends: re-sent then under the same
      // Message-ID (ADR 0003), never re-queued or failed as though SMTP had refused it.
      // Times to the hour: the exact moment a sign-in link went out would date its reader's activity.
      db.update(outbox)
        .set({
          status: "sent",
          sentAt: new Date(startOfHour(now())),
          nextAttemptAt: new Date(startOfHour(now())),
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
    const giveUp = dropped || message.attempts >= MAX_ATTEMPTS;
    db.update(outbox)
      .set({
        status: giveUp ? "failed" : "queued",
        lastError: error instanceof Error ? error.message.slice(0, 500) : String(error).slice(0, 500),
        nextAttemptAt: new Date(giveUp ? startOfHour(now()) : now() + backoffMs(message.attempts)),
      })
      .where(eq(outbox.id, message.id))
      .run();
    failed++;
  }
  return { sent, failed };
}

/**
 * Whether an email for a named person still goes to them: they are active and have not turned its
 * topic off. Emails queued without a person (sign-in links, emails to organizers) always go.
 */
function stillWanted(message: { recipientId: number | null; optOutTopic: EmailTopic | null }): boolean {
  if (message.recipientId === null) return true;
  const db = getDb();
  const person = db
    .select({ active: people.active })
    .from(people)
    .where(eq(people.id, message.recipientId))
    .get();
  if (!person?.active) return false;
  return message.optOutTopic === null || !isOptedOut(db, message.recipientId, message.optOutTopic);
}

/** How long the sender pauses after the disk was full: 10 s, doubling to 5 minutes. */
export function fullDiskPauseMs(times: number): number {
  return Math.min(10_000 * 2 ** Math.max(0, times - 1), 5 * 60_000);
}

/**
 * The sender loop (emails with SMTP_URL, chat posts always) in the process that runs the background jobs. Returns a function that stops it at
 * a safe point (after the message in flight, if any). With the disk full it backs off instead of
 * failing messages: a claim or an update that cannot be stored changes nothing (SQLite rolls it back),
 * so the message stays as it was — queued, or claimed until its lease ends — and is tried later.
 */
export function startMailSender(
  smtpUrl: string | null,
  chatPosts = true,
  intervalMs = 2_000,
): () => Promise<void> {
  // Without SMTP_URL emails wait (or the dev mailbox shows them); chat posts go unless CHAT_POSTS=0.
  const transport = smtpUrl ? createSmtpTransport(smtpUrl) : null;
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  let stopping = false;
  let fullTimes = 0;
  let pausedUntil = 0;
  const timer = setInterval(() => {
    if (busy || stopping || Date.now() < pausedUntil) return;
    busy = true;
    const shouldStop = () => stopping;
    running = (transport ? deliverDueMail(transport, { shouldStop }) : Promise.resolve())
      .then(() => (chatPosts ? deliverDuePosts({ shouldStop }) : undefined))
      .then(() => {
        fullTimes = 0;
      })
      .catch((error) => {
        if (!isStorageFull(error)) {
          console.error(`mail sender: ${errorForLog(error)}`);
          return;
        }
        noteStorageFull();
        fullTimes++;
        pausedUntil = Date.now() + fullDiskPauseMs(fullTimes);
      })
      .finally(() => {
        busy = false;
      });
  }, intervalMs);
  timer.unref();
  return async () => {
    stopping = true;
    clearInterval(timer);
    await running;
    transport?.close();
  };
}
