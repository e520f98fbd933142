import { and, eq, inArray } from "drizzle-orm";
import { type Executor, getDb } from "../../../db/client";
import { notificationReads } from "../../../db/schema";
import { petitionPath } from "../../platform/site/addresses.server";
import { DAY_MS, dayOf } from "../../platform/time";
import type { EmailTopic } from "../../vocabulary/email-topics";
import type { FollowReason } from "../../vocabulary/notifications";
import { NEWS } from "../petitions/home-feed.server";
import { type PetitionEvent, petitionsEvents } from "../petitions/timeline.server";
import { followedPetitions } from "./follows.server";

/**
 * A signed-in person's notifications: the news of what they follow (followedPetitions) in the last
 * NOTIFICATION_DAYS, newest first, each unread until they mark it read. Computed from the petitions'
 * own timelines, so nothing is stored per event; only the keys a person marked read.
 */

export const NOTIFICATION_DAYS = 30;
export const NOTIFICATION_LIMIT = 100;

const TOPIC_OF_EVENT: Record<string, EmailTopic> = {
  opened: "petition-updates",
  update: "petition-updates",
  closed: "petition-updates",
  won: "petition-updates",
  response: "petition-responses",
  "policy-version": "petition-responses",
  commitment: "petition-responses",
};

/**
 * Which optional-email topic a piece of news belongs to: a person who turned it off gets it in no
 * email. Milestones are a topic for organizers only (signers' milestone emails follow their choice
 * when signing).
 */
export const topicOf = (n: Pick<Notification, "event" | "reason">): EmailTopic | undefined =>
  n.event.kind === "milestone"
    ? n.reason === "organize"
      ? "milestone-news"
      : undefined
    : TOPIC_OF_EVENT[n.event.kind];

export type Notification = {
  /** `<petition id>-<event key>`: stable, what "mark read" records. */
  key: string;
  at: Date;
  event: PetitionEvent;
  petition: { id: number; slug: string; title: string };
  reason: FollowReason;
};

/**
 * An event's words as a page's data carries them: a day as YYYY-MM-DD (a UTC day, as the timeline
 * writes it), so the words survive JSON to the browser.
 */
export const plainWords = ({ key, values }: PetitionEvent["words"]) => ({
  key,
  ...(values
    ? {
        values: Object.fromEntries(
          Object.entries(values).map(([name, value]) => [
            name,
            value instanceof Date ? value.toISOString().slice(0, 10) : value,
          ]),
        ) as Record<string, string | number | boolean>,
      }
    : {}),
});

/** The news of what this person follows, in (since, until], oldest first. */
export function newsFor(exec: Executor, personId: number, since: number, until: number): Notification[] {
  const followed = followedPetitions(exec, personId);
  const events = petitionsEvents(followed.map((f) => f.petition));
  return followed
    .flatMap(({ petition, reason }) =>
      (events.get(petition.id) ?? [])
        .filter((e) => NEWS.has(e.kind) && e.at.getTime() > since && e.at.getTime() <= until)
        .map((event) => ({
          key: `${petition.id}-${event.key}`,
          at: event.at,
          event,
          petition: { id: petition.id, slug: petition.slug, title: petition.title },
          reason,
        })),
    )
    .sort((a, b) => a.at.getTime() - b.at.getTime() || a.key.localeCompare(b.key));
}

function readKeys(exec: Executor, personId: number, keys: string[]): Set<string> {
  if (!keys.length) return new Set();
  return new Set(
    exec
      .select({ key: notificationReads.eventKey })
      .from(notificationReads)
      .where(and(eq(notificationReads.personId, personId), inArray(notificationReads.eventKey, keys)))
      .all()
      .map((r) => r.key),
  );
}

/** The list as the page shows it: by UTC day (as every page dates a petition's events), newest first. */
export function notificationList(personId: number, now = Date.now()) {
  const db = getDb();
  const news = newsFor(db, personId, now - NOTIFICATION_DAYS * DAY_MS, now)
    .reverse()
    .slice(0, NOTIFICATION_LIMIT);
  const read = readKeys(
    db,
    personId,
    news.map((n) => n.key),
  );
  return news.map(({ key, at, event, petition, reason }) => ({
    key,
    on: dayOf(at),
    words: plainWords(event.words),
    kind: event.kind,
    href: event.href?.startsWith("#") ? petitionPath(petition.slug, event.href.slice(1)) : event.href,
    petition: { slug: petition.slug, title: petition.title },
    reason,
    unread: !read.has(key),
  }));
}

/** How many of the list are unread: the header's count. */
export function unreadCount(personId: number, now = Date.now()): number {
  return notificationList(personId, now).filter((n) => n.unread).length;
}

/**
 * Marks notifications read: the keys given, or (none given) every one the list shows now. Keys not in
 * the person's list are ignored, so nothing can be planted. Returns how many were marked.
 */
export function markNotificationsRead(personId: number, keys: string[] | "all", now = Date.now()): number {
  const shown = notificationList(personId, now).filter((n) => n.unread);
  const wanted = keys === "all" ? shown : shown.filter((n) => keys.includes(n.key));
  if (!wanted.length) return 0;
  getDb()
    .insert(notificationReads)
    .values(wanted.map((n) => ({ personId, eventKey: n.key })))
    .onConflictDoNothing()
    .run();
  return wanted.length;
}
