import { randomBytes } from "node:crypto";
import type { Executor } from "../../../db/client";
import { getDb } from "../../../db/client";
import { outbox } from "../../../db/schema";
import { companyWords, type MailWords } from "../../platform/mail/recipient-words.server";
import { type Actor, recordAudit } from "../../platform/security/audit.server";
import { absoluteUrl } from "../../platform/site/addresses.server";
import { HOUR_MS, startOfHour } from "../../platform/time";
import type { ChatEvent } from "../../vocabulary/chat";
import { channelsFor, requireChatChannel } from "./channels.server";
import { type ChatMessage, payloadFor } from "./payloads.server";

/**
 * Queues a post about a public event to every channel that was chosen for it, in the outbox and in the
 * transaction of the change (a rollback takes the posts with it). Words in the company's default
 * language and zone: a channel is read by many. Callers pass only public facts — a title, a
 * threshold, a stance — never who signed.
 *
 * `notBefore` holds a post back: a milestone is crossed by a signature, so its post waits for the next
 * full hour and its time says no more than the hour (ADR 0032), like the timeline's. `petitionId`
 * names the petition a post is about: the sender drops it unless the petition is still public.
 */
export function postToChat(
  tx: Executor,
  event: ChatEvent,
  words: (w: MailWords) => ChatMessage,
  now: number,
  options: { holdToNextHour?: boolean; petitionId?: number } = {},
): number {
  const channels = channelsFor(tx, event);
  if (!channels.length) return 0;
  const message = words(companyWords());
  const due = options.holdToNextHour ? startOfHour(now) + HOUR_MS : now;
  for (const channel of channels) queuePost(tx, channel, message, now, due, options.petitionId ?? null);
  return channels.length;
}

/** A test message to one channel, queued at once (audited: it posts to a company channel). */
export function sendTestMessage(channelId: number, actor: Actor, now = Date.now()): void {
  const channel = requireChatChannel(channelId);
  const { t } = companyWords();
  getDb().transaction(
    (tx) => {
      queuePost(
        tx,
        channel,
        {
          heading: t("chat.test.heading"),
          text: t("chat.test.text", { name: channel.name }),
          link: { label: t("chat.test.action"), url: absoluteHome() },
        },
        now,
        now,
      );
      recordAudit(
        tx,
        actor,
        "chat.channel.test",
        { type: "chat-channel", id: channel.id },
        { name: channel.name },
      );
    },
    { behavior: "immediate" },
  );
}

const absoluteHome = () => absoluteUrl("/");

function queuePost(
  tx: Executor,
  channel: { id: number; name: string; kind: "slack" | "teams" },
  message: ChatMessage,
  now: number,
  due: number,
  petitionId: number | null = null,
): void {
  tx.insert(outbox)
    .values({
      kind: "chat.post",
      chatChannelId: channel.id,
      petitionId,
      toAddress: channel.name,
      subject: message.heading,
      textBody: payloadFor(channel.kind, message),
      htmlBody: "",
      nextAttemptAt: new Date(due),
      messageId: `<${randomBytes(12).toString("hex")}@chat>`,
      createdAt: new Date(startOfHour(now)),
    })
    .run();
}
