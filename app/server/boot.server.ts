import { getDb } from "../../db/client";
import { getConfig } from "../config.server";
import { startMailSender } from "../models/mail.server";
import { deleteExpiredSessions } from "../models/sessions.server";

/**
 * Starts what the server process owns besides HTTP: the database (migrated on open) and the
 * background loops. Called by app/server/start.ts before it listens. Returns a stop function.
 */
export function boot(): () => Promise<void> {
  const config = getConfig();
  getDb();
  const stopMail = config.smtpUrl ? startMailSender(config.smtpUrl) : async () => {};
  const sweep = setInterval(() => deleteExpiredSessions(), 60 * 60_000);
  sweep.unref();
  return async () => {
    clearInterval(sweep);
    await stopMail();
  };
}
