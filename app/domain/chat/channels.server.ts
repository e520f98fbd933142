import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { BlockList, isIP } from "node:net";
import { and, asc, eq, isNotNull } from "drizzle-orm";
import { type Executor, getDb } from "../../../db/client";
import { chatChannels, outbox } from "../../../db/schema";
import { getConfig } from "../../config.server";
import { singleLine } from "../../platform/content/text";
import { Refusal } from "../../platform/refusal";
import { say } from "../../platform/said";
import { type Actor, recordAudit } from "../../platform/security/audit.server";
import type { ChatEvent, ChatKind } from "../../vocabulary/chat";

/**
 * The company's chat channels: an admin adds one with its webhook address (Slack incoming webhook,
 * Teams Workflows "When a Teams webhook request is received") and chooses which public events it is
 * sent. Every change is audited, never with the address: whoever holds it can post to the channel.
 */
export class ChatChannelError extends Refusal {}

export type ChatChannel = {
  id: number;
  name: string;
  kind: ChatKind;
  webhookHint: string;
  events: ChatEvent[];
};

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Whether plain http may be posted to: only a receiver on this machine (tests, a developer's local
 * receiver), and never in production. Everything else must be https — a webhook address carries its
 * secret in the path, and Slack's and Teams' addresses are all https anyway.
 */
const plainHttpAllowed = (url: URL) => process.env.NODE_ENV !== "production" && LOOPBACK.has(url.hostname);

/**
 * Addresses inside the company's network or on the server itself: in production a webhook may not be
 * one, written as a number, so an admin cannot make the server post to (and probe) internal services.
 * IPv4 written inside IPv6 (::ffff:10.0.0.1) is checked against the IPv4 ranges by BlockList.
 */
const INTERNAL = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.168.0.0", 16],
] as const)
  INTERNAL.addSubnet(network, prefix, "ipv4");
for (const [network, prefix] of [
  ["::", 127],
  ["fc00::", 7],
  ["fe80::", 10],
] as const)
  INTERNAL.addSubnet(network, prefix, "ipv6");

/** Whether a URL's host is an IP literal in a loopback, private or link-local range. */
export function isInternalAddress(url: URL): boolean {
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const family = isIP(host);
  return family !== 0 && INTERNAL.check(host, family === 4 ? "ipv4" : "ipv6");
}

/**
 * A webhook address as the platform will post to it, or a refusal: https (see plainHttpAllowed), no
 * user name or password in it, at most 2,000 characters, and in production no internal IP address. Other schemes (file:, ftp:, data:, …) are
 * refused outright: the server must not be made to read anything but an HTTPS endpoint.
 */
export function parseWebhookUrl(text: string): URL {
  const trimmed = text.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new ChatChannelError(say("chat.refusal.notAnAddress"), 400, {
      webhookUrl: ["chat.refusal.notAnAddress"],
    });
  }
  const allowed = url.protocol === "https:" || (url.protocol === "http:" && plainHttpAllowed(url));
  if (!allowed || url.username || url.password || trimmed.length > 2000 || !url.hostname)
    throw new ChatChannelError(say("chat.refusal.httpsOnly"), 400, {
      webhookUrl: ["chat.refusal.httpsOnly"],
    });
  if (process.env.NODE_ENV === "production" && isInternalAddress(url))
    throw new ChatChannelError(say("chat.refusal.privateHost"), 400, {
      webhookUrl: ["chat.refusal.privateHost"],
    });
  return url;
}

/** What pages show of an address: its host only (the path is the secret). */
const hintOf = (url: URL) => `${url.protocol}//${url.host}/…`;

// AES-256-GCM under a key derived from the session secret: a copy of the database alone (a backup)
// does not hand out the channels' addresses.
const VERSION = "c1";
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const keyFor = (secret: string) =>
  Buffer.from(hkdfSync("sha256", secret, "undersigned", "chat-webhook v1", 32));

function seal(url: string): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", keyFor(getConfig().sessionSecret), nonce);
  cipher.setAAD(Buffer.from(VERSION));
  const sealed = Buffer.concat([cipher.update(url, "utf8"), cipher.final()]);
  return `${VERSION}.${Buffer.concat([nonce, sealed, cipher.getAuthTag()]).toString("base64url")}`;
}

/** The channel's address, or null when it cannot be opened (the session secret has changed since). */
export function openWebhookUrl(sealed: string): string | null {
  const [version, body] = sealed.split(".");
  if (version !== VERSION || !body) return null;
  const bytes = Buffer.from(body, "base64url");
  if (bytes.length <= NONCE_BYTES + TAG_BYTES) return null;
  const decipher = createDecipheriv(
    "aes-256-gcm",
    keyFor(getConfig().sessionSecret),
    bytes.subarray(0, NONCE_BYTES),
  );
  decipher.setAAD(Buffer.from(VERSION));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  try {
    return Buffer.concat([
      decipher.update(bytes.subarray(NONCE_BYTES, -TAG_BYTES)),
      decipher.final(),
    ]).toString("utf8");
  } catch {
    return null;
  }
}

const columns = {
  id: chatChannels.id,
  name: chatChannels.name,
  kind: chatChannels.kind,
  webhookHint: chatChannels.webhookHint,
  events: chatChannels.events,
};

export function listChatChannels(): ChatChannel[] {
  return getDb()
    .select(columns)
    .from(chatChannels)
    .orderBy(asc(chatChannels.name), asc(chatChannels.id))
    .all();
}

export function requireChatChannel(id: number): ChatChannel {
  const channel = getDb().select(columns).from(chatChannels).where(eq(chatChannels.id, id)).get();
  if (!channel) throw new ChatChannelError(say("chat.refusal.noSuchChannel"), 404);
  return channel;
}

export function addChatChannel(
  input: { name: string; kind: ChatKind; webhookUrl: string; events: ChatEvent[] },
  actor: Actor,
): number {
  const url = parseWebhookUrl(input.webhookUrl);
  const name = singleLine(input.name);
  const events = [...new Set(input.events)];
  return getDb().transaction(
    (tx) => {
      const row = tx
        .insert(chatChannels)
        .values({ name, kind: input.kind, webhookSealed: seal(url.href), webhookHint: hintOf(url), events })
        .returning({ id: chatChannels.id })
        .get();
      recordAudit(
        tx,
        actor,
        "chat.channel.add",
        { type: "chat-channel", id: row.id },
        { name, kind: input.kind, events },
      );
      return row.id;
    },
    { behavior: "immediate" },
  );
}

/** Changes a channel's name and events, and its address when a new one is given (blank keeps it). */
export function updateChatChannel(
  id: number,
  input: { name: string; webhookUrl?: string; events: ChatEvent[] },
  actor: Actor,
): void {
  const url = input.webhookUrl?.trim() ? parseWebhookUrl(input.webhookUrl) : null;
  const name = singleLine(input.name);
  const events = [...new Set(input.events)];
  getDb().transaction(
    (tx) => {
      const changed = tx
        .update(chatChannels)
        .set({ name, events, ...(url ? { webhookSealed: seal(url.href), webhookHint: hintOf(url) } : {}) })
        .where(eq(chatChannels.id, id))
        .run();
      if (changed.changes !== 1) throw new ChatChannelError(say("chat.refusal.noSuchChannel"), 404);
      recordAudit(
        tx,
        actor,
        "chat.channel.update",
        { type: "chat-channel", id },
        { name, events, addressChanged: url !== null },
      );
    },
    { behavior: "immediate" },
  );
}

/** Removes a channel; its posts not yet delivered go with it (the address they were for is gone). */
export function removeChatChannel(id: number, actor: Actor): void {
  getDb().transaction(
    (tx) => {
      const removed = tx
        .delete(chatChannels)
        .where(eq(chatChannels.id, id))
        .returning({ name: chatChannels.name })
        .get();
      if (!removed) throw new ChatChannelError(say("chat.refusal.noSuchChannel"), 404);
      tx.delete(outbox)
        .where(
          and(isNotNull(outbox.chatChannelId), eq(outbox.chatChannelId, id), eq(outbox.status, "queued")),
        )
        .run();
      recordAudit(tx, actor, "chat.channel.remove", { type: "chat-channel", id }, { name: removed.name });
    },
    { behavior: "immediate" },
  );
}

/** The channels an event is sent to, with their sealed addresses (the sender opens them). */
export function channelsFor(exec: Executor, event: ChatEvent) {
  return exec
    .select({
      id: chatChannels.id,
      name: chatChannels.name,
      kind: chatChannels.kind,
      events: chatChannels.events,
    })
    .from(chatChannels)
    .all()
    .filter((channel) => channel.events.includes(event));
}

export function sealedWebhookOf(id: number): string | null {
  return (
    getDb()
      .select({ sealed: chatChannels.webhookSealed })
      .from(chatChannels)
      .where(eq(chatChannels.id, id))
      .get()?.sealed ?? null
  );
}
