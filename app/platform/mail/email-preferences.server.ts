import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";
import { and, eq } from "drizzle-orm";
import { type Executor, getDb } from "../../../db/client";
import { emailOptOuts, notificationSettings } from "../../../db/schema";
import { getConfig } from "../../config.server";
import { EMAIL_TOPICS, type EmailTopic } from "../../vocabulary/email-topics";
import type { EmailCadence } from "../../vocabulary/notifications";
import { absoluteUrl } from "../site/addresses.server";
import { HOUR_MS, startOfHour } from "../time";

/**
 * Optional emails and how to stop them. Unsubscribe links carry (person, topic) sealed by the server
 * rather than a stored token: nothing to store or leak, a link changes only its one setting, and it
 * names nobody to whoever sees it.
 */

/**
 * Whether this person's email of this topic is sent at once: not if they turned the topic off, nor, for
 * news about what they follow, if they chose a daily or weekly digest (the digest carries it).
 */
export function isOptedOut(exec: Executor, personId: number, topic: EmailTopic): boolean {
  if (DIGESTED_TOPICS.has(topic) && emailCadence(exec, personId) !== "each") return true;
  return isTurnedOff(exec, personId, topic);
}

/** Whether this person turned this topic off altogether (each event and digests alike). */
export function isTurnedOff(exec: Executor, personId: number, topic: EmailTopic): boolean {
  return Boolean(
    exec
      .select({ personId: emailOptOuts.personId })
      .from(emailOptOuts)
      .where(and(eq(emailOptOuts.personId, personId), eq(emailOptOuts.topic, topic)))
      .get(),
  );
}

/** The topics of news about what a person follows: what a digest gathers instead of an email each. */
export const DIGESTED_TOPICS: ReadonlySet<EmailTopic> = new Set([
  "petition-updates",
  "petition-responses",
  "milestone-news",
]);

/** How this person receives news about what they follow: each event at once (the default), or a digest. */
export function emailCadence(exec: Executor, personId: number): EmailCadence {
  return (
    exec
      .select({ cadence: notificationSettings.cadence })
      .from(notificationSettings)
      .where(eq(notificationSettings.personId, personId))
      .get()?.cadence ?? "each"
  );
}

/**
 * Where a person's email window starts when they choose a cadence or follow by name: the next whole
 * hour, not the moment. The row outlives the request, and an exact time of a named click can sit
 * beside an anonymous act made seconds before it; an hour of news missed by email is still in the list.
 */
export const newsWindowStart = (now: number): Date => new Date(startOfHour(now) + HOUR_MS);

/**
 * Chooses the cadence. A digest's first window starts now (nothing already sent at once comes again);
 * choosing the same cadence again leaves the window as it is.
 */
export function setEmailCadence(exec: Executor, personId: number, cadence: EmailCadence, now = Date.now()) {
  if (emailCadence(exec, personId) === cadence && cadence !== "each") return;
  const mailedThrough = newsWindowStart(now);
  exec
    .insert(notificationSettings)
    .values({ personId, cadence, mailedThrough })
    .onConflictDoUpdate({
      target: notificationSettings.personId,
      set: { cadence, mailedThrough },
    })
    .run();
}

/** Which topics this person receives (true) or has turned off (false). */
export function emailPreferences(personId: number): Record<EmailTopic, boolean> {
  const off = new Set(
    getDb()
      .select({ topic: emailOptOuts.topic })
      .from(emailOptOuts)
      .where(eq(emailOptOuts.personId, personId))
      .all()
      .map((r) => r.topic),
  );
  return Object.fromEntries(EMAIL_TOPICS.map((t) => [t, !off.has(t)])) as Record<EmailTopic, boolean>;
}

export function setEmailPreference(personId: number, topic: EmailTopic, wanted: boolean): void {
  const db = getDb();
  if (wanted) {
    db.delete(emailOptOuts)
      .where(and(eq(emailOptOuts.personId, personId), eq(emailOptOuts.topic, topic)))
      .run();
  } else {
    db.insert(emailOptOuts).values({ personId, topic }).onConflictDoNothing().run();
  }
}

export function setEmailPreferences(personId: number, wanted: Record<EmailTopic, boolean>): void {
  getDb().transaction(
    () => {
      for (const topic of EMAIL_TOPICS) setEmailPreference(personId, topic, wanted[topic]);
    },
    { behavior: "immediate" },
  );
}

/**
 * Unsubscribe links name nobody (issue 17): the token is (person, topic) sealed with AES-256-GCM under
 * a key derived from the session secret, with a random nonce, so the link — which mail systems log,
 * scan and forward — carries no person id, and a changed byte is refused. Links sent before carried
 * `${personId}.${topic}.${hmac}`; those still work (they are in people's inboxes already), and no new
 * one is made.
 */
const VERSION = "u2";
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
let sealingKey: { secret: string; key: Buffer } | null = null;

function keyFor(secret: string): Buffer {
  if (sealingKey?.secret !== secret) {
    const key = Buffer.from(hkdfSync("sha256", secret, "undersigned", "unsubscribe-token v2", 32));
    sealingKey = { secret, key };
  }
  return sealingKey.key;
}

const isTopic = (topic: string | undefined): topic is EmailTopic =>
  (EMAIL_TOPICS as readonly string[]).includes(topic ?? "");

export function unsubscribeToken(personId: number, topic: EmailTopic): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", keyFor(getConfig().sessionSecret), nonce);
  cipher.setAAD(Buffer.from(VERSION));
  const sealed = Buffer.concat([cipher.update(`${personId}:${topic}`, "utf8"), cipher.final()]);
  return `${VERSION}.${Buffer.concat([nonce, sealed, cipher.getAuthTag()]).toString("base64url")}`;
}

function openToken(body: string): { personId: number; topic: EmailTopic } | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(body)) return null;
  const bytes = Buffer.from(body, "base64url");
  if (bytes.length <= NONCE_BYTES + TAG_BYTES) return null;
  const decipher = createDecipheriv(
    "aes-256-gcm",
    keyFor(getConfig().sessionSecret),
    bytes.subarray(0, NONCE_BYTES),
  );
  decipher.setAAD(Buffer.from(VERSION));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  let plain: string;
  try {
    plain = Buffer.concat([
      decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]).toString("utf8");
  } catch {
    return null; // tampered, truncated, or sealed under another secret
  }
  const [id, topic, ...rest] = plain.split(":");
  if (rest.length || !id || !/^\d{1,15}$/.test(id) || !isTopic(topic)) return null;
  return { personId: Number(id), topic };
}

/** Links sent before issue 17: `${personId}.${topic}.${HMAC}`, still honoured. */
const legacySignature = (personId: number, topic: EmailTopic) =>
  createHmac("sha256", getConfig().sessionSecret)
    .update(`unsubscribe:${personId}:${topic}`)
    .digest("base64url");

function openLegacyToken(id: string, topic: string | undefined, mac: string | undefined) {
  if (!/^\d{1,12}$/.test(id) || !mac || !isTopic(topic)) return null;
  const personId = Number(id);
  const expected = Buffer.from(legacySignature(personId, topic));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return { personId, topic };
}

export function parseUnsubscribeToken(token: string): { personId: number; topic: EmailTopic } | null {
  const [head, second, third, ...rest] = token.split(".");
  if (rest.length || !head) return null;
  if (head === VERSION) return third === undefined && second ? openToken(second) : null;
  return openLegacyToken(head, second, third);
}

export const unsubscribeUrl = (personId: number, topic: EmailTopic) =>
  absoluteUrl(`/unsubscribe/${unsubscribeToken(personId, topic)}`);

/** RFC 2369 / RFC 8058 headers, so mail clients offer a one-click unsubscribe button. */
export const unsubscribeHeaders = (url: string) => ({
  "List-Unsubscribe": `<${url}>`,
  "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
});

/** For a page: this person's cadence, and choosing it. */
export const emailCadenceOf = (personId: number) => emailCadence(getDb(), personId);
export const chooseEmailCadence = (personId: number, cadence: EmailCadence, now = Date.now()) =>
  setEmailCadence(getDb(), personId, cadence, now);
