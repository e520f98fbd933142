import { createHmac, timingSafeEqual } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { type Executor, getDb } from "../../db/client";
import { emailOptOuts } from "../../db/schema";
import { getConfig } from "../config.server";
import { EMAIL_TOPICS, type EmailTopic } from "../vocabulary/email-topics";
import { absoluteUrl } from "./addresses.server";

/**
 * Optional emails and how to stop them. Unsubscribe links carry an HMAC of (person, topic) rather
 * than a stored token: nothing to store or leak, and a link changes only its one setting.
 */

export function isOptedOut(exec: Executor, personId: number, topic: EmailTopic): boolean {
  return Boolean(
    exec
      .select({ personId: emailOptOuts.personId })
      .from(emailOptOuts)
      .where(and(eq(emailOptOuts.personId, personId), eq(emailOptOuts.topic, topic)))
      .get(),
  );
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

const signature = (personId: number, topic: EmailTopic) =>
  createHmac("sha256", getConfig().sessionSecret)
    .update(`unsubscribe:${personId}:${topic}`)
    .digest("base64url");

export function unsubscribeToken(personId: number, topic: EmailTopic): string {
  return `${personId}.${topic}.${signature(personId, topic)}`;
}

export function parseUnsubscribeToken(token: string): { personId: number; topic: EmailTopic } | null {
  const [id, topic, mac, ...rest] = token.split(".");
  if (rest.length || !id || !/^\d{1,12}$/.test(id) || !mac) return null;
  if (!(EMAIL_TOPICS as readonly string[]).includes(topic ?? "")) return null;
  const personId = Number(id);
  const expected = Buffer.from(signature(personId, topic as EmailTopic));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return { personId, topic: topic as EmailTopic };
}

export const unsubscribeUrl = (personId: number, topic: EmailTopic) =>
  absoluteUrl(`/unsubscribe/${unsubscribeToken(personId, topic)}`);

/** RFC 2369 / RFC 8058 headers, so mail clients offer a one-click unsubscribe button. */
export const unsubscribeHeaders = (url: string) => ({
  "List-Unsubscribe": `<${url}>`,
  "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
});
