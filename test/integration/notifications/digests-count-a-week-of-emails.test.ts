import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendNotificationEmails } from "../../../app/domain/notifications/digests.server";
import { setFollowing } from "../../../app/domain/notifications/follows.server";
import { signPetition } from "../../../app/domain/petitions/signing.server";
import { postPetitionUpdate, queuePetitionUpdateEmails } from "../../../app/domain/petitions/updates.server";
import { setEmailCadence } from "../../../app/platform/mail/email-preferences.server";
import { CLI_ACTOR } from "../../../app/platform/security/audit.server";
import { resetRateLimits } from "../../../app/platform/security/rate-limits.server";
import { DEFAULT_SETTINGS, updateSettings } from "../../../app/platform/site/settings.server";
import { createSmtpTransport, deliverDueMail } from "../../../app/server/mail-sender.server";
import { getDb } from "../../../db/client";
import { people } from "../../../db/schema";
import { signPublicly } from "../../support/anonymous";
import { makeCompany, openPetition } from "../../support/petition-fixtures";
import { startSmtpServer } from "../../support/smtp";

/**
 * A simulated week, the scheduler run every hour on an injected clock and every email delivered to a
 * real SMTP server: four colleagues follow one petition (six organizers' updates, two milestones) and
 * each receives as many emails as their choice says — one per event, a daily digest on each day with
 * news in their own zone, or one weekly digest, in their language.
 */
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
beforeAll(async () => {
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await smtp.close();
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Monday 7 Dec 2026, 00:30 UTC: the week's first hour. // fixed clock
const T0 = Date.UTC(2026, 11, 7, 0, 30); // fixed clock

// The company's milestones for new petitions: 5 and 10 signatures.
updateSettings(
  DEFAULT_SETTINGS,
  [5, 10].map((threshold) => ({ threshold, responseRequired: false, responseDays: null })),
  CLI_ACTOR,
);
const company = makeCompany(20);
const staff = company.staff;
const [creator, , , , each, daily, weekly, follower] = staff;
if (!creator || !each || !daily || !weekly || !follower) throw new Error("company too small");
const setPerson = (id: number, values: { locale: string | null; timeZone: string | null }) =>
  getDb().update(people).set(values).where(eq(people.id, id)).run();

describe("notification emails over a simulated week", () => {
  it("reach one person once per event, once per day with news, or once a week, as they chose", async () => {
    resetRateLimits();
    const petition = openPetition(company, "Quiet rooms on every floor", { at: T0 - 2 * HOUR });
    // Signed with their names, asking for news (milestones come to signers who ask).
    for (const user of [each, daily, weekly]) {
      await signPetition(
        { noAnonymousSignature: true, petitionId: petition.id, user, ip: null, wantsUpdates: true },
        T0 - HOUR,
      );
    }
    setPerson(daily.id, { locale: null, timeZone: "Asia/Tokyo" });
    setPerson(weekly.id, { locale: "de", timeZone: "Europe/Berlin" });
    const db = getDb();
    setEmailCadence(db, daily.id, "daily", T0);
    setEmailCadence(db, weekly.id, "weekly", T0);
    setFollowing(follower.id, petition.id, true, T0);

    const transport = createSmtpTransport(smtp.url);
    // Updates at 20:00 UTC every day but Thursday; on Tuesday at 12:00 seven colleagues sign, crossing both milestones.
    for (let now = T0; now < T0 + 8 * DAY; now += HOUR) {
      const day = Math.floor((now - T0) / DAY);
      const hour = new Date(now).getUTCHours();
      if (day === 1 && hour === 12) {
        for (const signer of staff.slice(8, 15)) await signPublicly(petition.id, signer, now);
      }
      if (day < 7 && day !== 3 && hour === 20)
        postPetitionUpdate(petition.id, `News of day ${day}`, creator, now);
      queuePetitionUpdateEmails(now);
      sendNotificationEmails(now);
      while ((await deliverDueMail(transport, { limit: 50, now: () => now })).sent > 0) {
        /* drain */
      }
    }
    transport.close();

    const received = (person: { email: string }) =>
      smtp.received.filter((m) => m.to.includes(person.email)).map((m) => m.parsed);
    // Each event at once: six updates and two milestones, as the platform always sent them.
    expect(received(each)).toHaveLength(8);
    // Tokyo's days with news: 8, 9, 10, 12, 13 and 14 Dec (Thursday's update skipped; 20:00 UTC is the next morning there).
    const dailies = received(daily);
    expect(dailies).toHaveLength(6);
    expect(dailies[0]?.subject).toBe("Today on the petitions you follow: 3 pieces of news");
    expect(dailies[0]?.text).toContain(
      "8 Dec 2026 — “Quiet rooms on every floor”: Update from the organizers", // fixed clock
    );
    expect(dailies[0]?.text).toContain("“Quiet rooms on every floor”: Reached 10 signatures");
    // One digest, on Monday, in German: the whole week.
    const weeklies = received(weekly);
    expect(weeklies).toHaveLength(1);
    expect(weeklies[0]?.subject).toBe("Diese Woche bei den Petitionen, denen Sie folgen: 8 Neuigkeiten");
    expect((weeklies[0]?.text ?? "").match(/„Quiet rooms on every floor“/g)).toHaveLength(8);
    // Following by choice (neither signer nor organizer): an email per event from the notifications.
    const followed = received(follower);
    expect(followed).toHaveLength(8);
    expect(followed.every((m) => m.subject === "News on “Quiet rooms on every floor”")).toBe(true);
  });
});
