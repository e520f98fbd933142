import { closeDb, getDb } from "../../db/client";
import { getConfig } from "../config.server";
import { renewFormerRulesAddresses } from "../domain/addresses/addresses.server";
import { publishDueAnnouncements } from "../domain/announcements/lifecycle.server";
import { queueAnnouncementEmails } from "../domain/announcements/mailing.server";
import { sendObligationReminders } from "../domain/announcements/obligations.server";
import { publishHeldComments } from "../domain/discussion/batches.server";
import { forgetAnonymousAuthors } from "../domain/discussion/forgetting.server";
import { deleteExpiredLinkRequests } from "../domain/identity/identity-linking.server";
import { deleteExpiredOidcState } from "../domain/identity/oidc.server";
import { deleteExpiredSamlState } from "../domain/identity/saml.server";
import { deleteExpiredSessions } from "../domain/identity/sessions.server";
import { deleteSpentSignInTokens, dropUndeliverableSignInLinks } from "../domain/identity/sign-in.server";
import { sendNotificationEmails } from "../domain/notifications/digests.server";
import { deleteExpiredDirectoryPreviews } from "../domain/people/directory-import.server";
import { commitAnonymousBatches } from "../domain/petitions/anonymous-signing.server";
import { renderMissingPetitionBodies } from "../domain/petitions/drafting.server";
import { closeExpiredPetitions } from "../domain/petitions/lifecycle.server";
import { ensurePetitionKeys } from "../domain/petitions/petition-keys.server";
import { queuePetitionUpdateEmails } from "../domain/petitions/updates.server";
import { commitAnonymousFeedback, retireOldFeedbackKeys } from "../domain/policies/anonymous-feedback.server";
import { ensureFeedbackKeys } from "../domain/policies/feedback-keys.server";
import { logCurrentState } from "../domain/transparency/log-writer.server";
import { clockOffset, serverNow } from "../platform/runtime/clock.server";
import { checkpointAfterForgetting, noteForgotten } from "../platform/runtime/forgetting.server";
import { errorForLog } from "../platform/runtime/log-text";
import { setRunsJobs } from "../platform/runtime/process-group.server";
import { startBackupSchedule } from "./backup-schedule.server";
import { startMailSender } from "./mail-sender.server";

/**
 * What a serving process owns besides HTTP: the database (migrated on open) and the background jobs.
 * app/server/worker.ts calls these through the server build's entry (so they run in the build's own
 * modules); entry.server boots everything itself under `npm run dev`.
 */
// Anonymous signatures and feedback held in memory are written in shuffled batches, and anonymous
// comments held in the database published in batches, at fixed boundaries: each job releases a
// period's batch on its first run in that period (platform/batches.server.ts), so a run at any other
// moment writes nothing. Their clock, and the forgetting jobs', is serverNow(): the wall clock, or a
// test's (UNDERSIGNED_TEST_CLOCK_FILE).
const BATCH_JOBS: Array<[string, () => unknown]> = [
  ["counting anonymous signatures", () => commitAnonymousBatches(serverNow())],
  ["storing anonymous feedback", () => commitAnonymousFeedback(serverNow())],
  // Held anonymous comments, by their threads' batches; before the forgetting job (which skips them).
  ["publishing anonymous comments", () => publishHeldComments(serverNow())],
];

// After the batches and the keys: the ledgers' heads and the published figures as a boundary leaves
// them (at the first run of each batch period or hour; otherwise nothing).
const LOG_JOB: [string, () => unknown] = ["writing the public log", () => logCurrentState(serverNow())];

const SCHEDULED_JOBS: Array<[string, () => unknown]> = [
  ...BATCH_JOBS,
  ["closing petitions", () => closeExpiredPetitions()],
  ["giving open petitions their keys", () => ensurePetitionKeys()],
  ["forgetting unconfirmed directory previews", () => deleteExpiredDirectoryPreviews()],
  ["making this week's feedback keys", () => ensureFeedbackKeys()],
  LOG_JOB,
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
  // After the anonymous batches (a milestone they cross is dated at their boundary, before this run).
  ["sending notification emails and digests", () => sendNotificationEmails(serverNow())],
  // Forgetting what is no longer needed, then emptying the WAL of it.
  ["forgetting anonymous comments' authors", () => noteForgotten(forgetAnonymousAuthors(serverNow()))],
  ["retiring old feedback keys", () => noteForgotten(retireOldFeedbackKeys(serverNow()))],
  ["checkpointing after forgetting", () => checkpointAfterForgetting()],
  // Sign-in links are queued for any address (the same work either way); those that may not sign in
  // are dropped here too, so without SMTP they leave the dev mailbox within a minute.
  ["dropping undeliverable sign-in links", () => dropUndeliverableSignInLinks()],
  // An expired link's row says who asked to sign in, when, and for which page: gone within a minute
  // (a used one is deleted as it is used).
  ["deleting expired sign-in links", () => deleteSpentSignInTokens()],
  // Likewise a request to connect a company account: an address and when it tried.
  ["deleting expired requests to connect accounts", () => deleteExpiredLinkRequests()],
];

/**
 * One run of the minute scheduler's jobs. Each is idempotent, so running them again (a restart, or a
 * test that wants the scheduler's pending work done now) repeats nothing.
 */
export async function runScheduledJobs(jobs = SCHEDULED_JOBS): Promise<void> {
  for (const [name, job] of jobs) {
    try {
      await job();
    } catch (error) {
      console.error(`${name}: ${errorForLog(error)}`);
    }
  }
}

const globalForBoot = globalThis as typeof globalThis & { __undersignedStop?: () => Promise<void> };

/**
 * Starts the background jobs: the outbox sender (emails with SMTP_URL, chat posts always), the hourly session sweeper, the minute
 * scheduler (petitions close on their date, scheduled announcements publish, signer emails of
 * published ones are queued in batches, leadership is reminded of due responses) and scheduled
 * backups (with BACKUP_DIR). Under `npm start` exactly one worker runs them, the one the primary
 * chose (ADR 25). Each job records what it did in the same transaction, so a restart or a new leader
 * neither skips nor repeats work. Returns a function that stops them at a safe point.
 */
export function startJobs(): () => Promise<void> {
  const config = getConfig();
  getDb();
  setRunsJobs(true);
  // Petitions saved before bodies were stored rendered (migration 0015) get theirs once, here.
  renderMissingPetitionBodies();
  // Records whose address the former rules made unreadable move once, here (ADR 40). A failure
  // changes no address (one transaction) and is tried again at the next start.
  try {
    const moved = renewFormerRulesAddresses(serverNow());
    if (moved) console.log(`Gave ${moved} petitions, policies and announcements readable addresses.`);
  } catch (error) {
    console.error(`renewing addresses: ${errorForLog(error)}`);
  }
  const stopMail = startMailSender(config.smtpUrl, config.chatPosts);
  const stopBackups = config.backups ? startBackupSchedule(config.backups) : async () => {};
  const sweep = setInterval(() => {
    deleteExpiredSessions();
    deleteExpiredSamlState();
    deleteExpiredOidcState();
  }, 60 * 60_000);
  sweep.unref();
  let running: Promise<void> | null = null;
  const tick = () => {
    // One run at a time: a slow run (a big batch) is not overlapped by the next minute's.
    running ??= runScheduledJobs().finally(() => {
      running = null;
    });
  };
  tick();
  const closer = setInterval(tick, 60_000);
  closer.unref();
  // Tests only (UNDERSIGNED_TEST_CLOCK_FILE): when a test moves the clock, the batch jobs run at once
  // rather than at the next minute, as the first run past the boundary would.
  let offset = clockOffset();
  const testClock = config.testClockFile
    ? setInterval(() => {
        if (clockOffset() === offset || running) return;
        offset = clockOffset();
        running ??= runScheduledJobs([...BATCH_JOBS, LOG_JOB]).finally(() => {
          running = null;
        });
      }, 250)
    : null;
  testClock?.unref();
  return async () => {
    clearInterval(sweep);
    clearInterval(closer);
    if (testClock) clearInterval(testClock);
    await running;
    await Promise.all([stopMail(), stopBackups()]);
    setRunsJobs(false);
  };
}

/** Opens (and migrates) the database a worker serves from. */
export function openForServing(): void {
  getConfig();
  getDb();
}

/** Closes this process's connection (the last one to close folds the WAL into the database). */
export function closeDatabase(): void {
  closeDb();
}

/** `npm run dev`: one process opens the database and runs the jobs itself. Returns a stop function. */
export function boot(): () => Promise<void> {
  // Idempotent: the dev server re-evaluates modules on every change.
  if (globalForBoot.__undersignedStop) return globalForBoot.__undersignedStop;
  openForServing();
  const stopJobs = startJobs();
  globalForBoot.__undersignedStop = async () => {
    await stopJobs();
    globalForBoot.__undersignedStop = undefined;
  };
  return globalForBoot.__undersignedStop;
}
