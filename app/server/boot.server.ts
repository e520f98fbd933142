import { getDb } from "../../db/client";
import { getConfig } from "../config.server";
import { startMailSender } from "../models/mail.server";
import { closeExpiredPetitions } from "../models/petitions.server";
import { deleteExpiredSessions } from "../models/sessions.server";

/**
 * Starts what the server process owns besides HTTP: the database (migrated on open) and the
 * background loops. Called by app/server/start.ts before it listens, and by entry.server under
 * `npm run dev`. Returns a stop function.
 */
const globalForBoot = globalThis as typeof globalThis & { __undersignedStop?: () => Promise<void> };

export function boot(): () => Promise<void> {
  // Idempotent: the dev server re-evaluates modules on every change.
  if (globalForBoot.__undersignedStop) return globalForBoot.__undersignedStop;
  const config = getConfig();
  getDb();
  const stopMail = config.smtpUrl ? startMailSender(config.smtpUrl) : async () => {};
  const sweep = setInterval(() => deleteExpiredSessions(), 60 * 60_000);
  sweep.unref();
  // Petitions close on their closing date even when nobody looks at them.
  closeExpiredPetitions();
  const closer = setInterval(() => {
    try {
      closeExpiredPetitions();
    } catch (error) {
      console.error("closing petitions:", error);
    }
  }, 60_000);
  closer.unref();
  globalForBoot.__undersignedStop = async () => {
    clearInterval(sweep);
    clearInterval(closer);
    await stopMail();
    globalForBoot.__undersignedStop = undefined;
  };
  return globalForBoot.__undersignedStop;
}
