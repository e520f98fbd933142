import { eq, ne, or, sql } from "drizzle-orm";
import { type Executor, getDb } from "../../../db/client";
import { notificationSettings, people } from "../../../db/schema";
import { isTimeZone } from "../../i18n/locales";
import { renderEmail } from "../../platform/mail/email-layout.server";
import { isTurnedOff } from "../../platform/mail/email-preferences.server";
import { enqueueMail } from "../../platform/mail/outbox.server";
import { wordsForRecipient } from "../../platform/mail/recipient-words.server";
import { absoluteUrl, petitionUrl } from "../../platform/site/addresses.server";
import { getSettings } from "../../platform/site/settings.server";
import { dayNumberIn } from "../../platform/time";
import type { EmailCadence } from "../../vocabulary/notifications";
import { eventInWords } from "../petitions/timeline.server";
import { type Notification, newsFor, topicOf } from "./inbox.server";

/**
 * The notification emails, run by the minute scheduler with its clock (docs/notifications.md):
 *
 * - a daily digest at the first run after midnight in the person's zone, a weekly one at the first run
 *   of their week (Monday), each listing the news of what they follow since the last one; the emails
 *   signers and organizers get at once for those kinds are then not sent (isOptedOut);
 * - with "each", an email per event of the petitions a person follows by choice and does not sign or
 *   organize (signers and organizers get the platform's usual emails at once).
 *
 * A topic turned off is in neither. Each person's window and their emails commit together, so a restart
 * neither skips nor repeats one. Recipients are hidden in the outbox: what one follows tells what one
 * signed.
 */

/** The Monday-based week a day number falls in (1970-01-01 was a Thursday). */
const weekOf = (day: number) => Math.floor((day + 3) / 7);

function digestDue(cadence: EmailCadence, from: number, now: number, zone: string): boolean {
  const [a, b] = [dayNumberIn(from, zone), dayNumberIn(now, zone)];
  return cadence === "daily" ? b > a : weekOf(b) > weekOf(a);
}

type Person = {
  personId: number;
  cadence: EmailCadence;
  mailedThrough: Date;
  email: string;
  locale: string | null;
  timeZone: string | null;
};

export function sendNotificationEmails(now = Date.now()): number {
  const db = getDb();
  const due = db
    .select({
      personId: notificationSettings.personId,
      cadence: notificationSettings.cadence,
      mailedThrough: notificationSettings.mailedThrough,
      email: people.email,
      locale: people.locale,
      timeZone: people.timeZone,
    })
    .from(notificationSettings)
    .innerJoin(people, eq(people.id, notificationSettings.personId))
    .where(
      or(
        ne(notificationSettings.cadence, "each"),
        sql`exists (select 1 from petition_follows f where f.person_id = ${notificationSettings.personId})`,
      ),
    )
    .all();
  const fallbackZone = getSettings().defaultTimeZone;
  let sent = 0;
  for (const person of due) {
    const zone = isTimeZone(person.timeZone) ? person.timeZone : fallbackZone;
    const from = person.mailedThrough.getTime();
    if (person.cadence !== "each" && !digestDue(person.cadence, from, now, zone)) continue;
    db.transaction(
      (tx) => {
        // Read again under the lock: another run may have sent this window already.
        const current = tx
          .select({ mailedThrough: notificationSettings.mailedThrough })
          .from(notificationSettings)
          .where(eq(notificationSettings.personId, person.personId))
          .get();
        if (current?.mailedThrough.getTime() !== from) return;
        const active = tx
          .select({ active: people.active })
          .from(people)
          .where(eq(people.id, person.personId))
          .get();
        const news = active?.active ? wanted(tx, person, newsFor(tx, person.personId, from, now)) : [];
        sent +=
          person.cadence === "each" ? mailEach(tx, person, news, now) : mailDigest(tx, person, news, now);
        tx.update(notificationSettings)
          .set({ mailedThrough: new Date(now) })
          .where(eq(notificationSettings.personId, person.personId))
          .run();
      },
      { behavior: "immediate" },
    );
  }
  return sent;
}

/** Less the topics turned off; with "each", only what no usual email already tells them. */
function wanted(exec: Executor, person: Person, news: Notification[]): Notification[] {
  return news.filter((n) => {
    const topic = topicOf(n);
    if (topic && isTurnedOff(exec, person.personId, topic)) return false;
    return person.cadence !== "each" || n.reason === "follow";
  });
}

const settingsUrl = () => absoluteUrl("/settings#notifications");

function mailEach(tx: Executor, person: Person, news: Notification[], now: number): number {
  const words = wordsForRecipient(person);
  const { t } = words;
  for (const n of news) {
    const line = eventInWords(n.event, words);
    enqueueMail(
      tx,
      {
        kind: "notification.event",
        to: person.email,
        subject: t("notifications.email.event.subject", { title: n.petition.title }),
        recipient: { hidden: true, personId: person.personId },
        ...renderEmail({
          paragraphs: [t("notifications.email.event.body", { title: n.petition.title, event: line })],
          action: { label: t("notifications.email.seePetition"), url: petitionUrl(n.petition.slug) },
          footer: t("notifications.email.footer", { url: settingsUrl() }),
          t,
        }),
      },
      now,
    );
  }
  return news.length;
}

function mailDigest(tx: Executor, person: Person, news: Notification[], now: number): number {
  if (!news.length) return 0;
  const words = wordsForRecipient(person);
  const { t, format } = words;
  const lines = news.map((n) =>
    t("notifications.email.digest.line", {
      day: format.date(n.at),
      title: n.petition.title,
      event: eventInWords(n.event, words),
    }),
  );
  const count = { count: news.length };
  enqueueMail(
    tx,
    {
      kind: "notification.digest",
      to: person.email,
      subject: t(
        person.cadence === "daily"
          ? "notifications.email.digest.dailySubject"
          : "notifications.email.digest.weeklySubject",
        count,
      ),
      recipient: { hidden: true, personId: person.personId },
      ...renderEmail({
        paragraphs: [t("notifications.email.digest.intro", count), lines.join("\n")],
        action: { label: t("notifications.email.digest.action"), url: absoluteUrl("/notifications") },
        footer: t("notifications.email.footer", { url: settingsUrl() }),
        t,
      }),
    },
    now,
  );
  return 1;
}
