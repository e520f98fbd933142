import { getDb } from "../../db/client";
import { getConfig } from "../config.server";
import { publishDueAnnouncements } from "../domain/announcements/lifecycle.server";
import { queueAnnouncementEmails } from "../domain/announcements/mailing.server";
import { sendObligationReminders } from "../domain/announcements/obligations.server";
import { deleteExpiredSamlState } from "../domain/identity/saml.server";
import { deleteExpiredSessions } from "../domain/identity/sessions.server";
import { closeExpiredPetitions } from "../domain/petitions/lifecycle.server";
import { queuePetitionUpdateEmails } from "../domain/petitions/updates.server";
import { startMailSender } from "./mail-sender.server";

/**
 * Starts what the server process owns besides HTTP: the database (migrated on open) and the
 * background loops. Called by app/server/start.ts before it listens, and by entry.server under
 * `npm run dev`. Returns a stop function.
 */
const SCHEDULED_JOBS: Array<[string, () => unknown]> = [
  ["closing petitions", () => closeExpiredPetitions()],
  ["publishing scheduled announcements", () => publishDueAnnouncements()],
  // A few batches a minute: a company-wide petition's signers are emailed within minutes.
  [
    "queueing announcement emails",
    () => {
      for (let i = 0; i < 10 && queueAnnouncementEmails() > 0; i++);
    },
  ],
  [
    "queueing petition update emails",
    () => {
      for (let i = 0; i < 10 && queuePetitionUpdateEmails() > 0; i++);
    },
  ],
  ["reminding leadership", () => sendObligationReminders()],
];

/**
 * One run of the minute scheduler's jobs. Each is idempotent, so running them again (a restart, or a
 * test that wants the scheduler's pending work done now) repeats nothing.
 */
export function runScheduledJobs(): void {
  for (const [name, job] of SCHEDULED_JOBS) {
    try {
      job();
    } catch (error) {
      console.error(`${name}:`, error);
    }
  }
}

const globalForBoot = globalThis as typeof globalThis & { __undersignedStop?: () => Promise<void> };

export function boot(): () => Promise<void> {
  // Idempotent: the dev server re-evaluates modules on every change.
  if (globalForBoot.__undersignedStop) return globalForBoot.__undersignedStop;
  const config = getConfig();
  getDb();
  const stopMail = config.smtpUrl ? startMailSender(config.smtpUrl) : async () => {};
  const sweep = setInterval(() => {
    deleteExpiredSessions();
    deleteExpiredSamlState();
  }, 60 * 60_000);
  sweep.unref();
  // The minute scheduler: petitions close on their date, scheduled announcements publish, signer
  // emails of published ones are queued in batches, leadership is reminded of due responses. Each
  // job records what it did in the same transaction, so a restart neither skips nor repeats work.
  runScheduledJobs();
  const closer = setInterval(runScheduledJobs, 60_000);
  closer.unref();
  globalForBoot.__undersignedStop = async () => {
    clearInterval(sweep);
    clearInterval(closer);
    await stopMail();
    globalForBoot.__undersignedStop = undefined;
  };
  return globalForBoot.__undersignedStop;
}
