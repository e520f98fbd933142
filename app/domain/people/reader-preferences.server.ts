import { eq } from "drizzle-orm";
import { getDb } from "../../../db/client";
import { people } from "../../../db/schema";
import { isLocale, isTimeZone, type Locale } from "../../i18n/locales";
import { Refusal } from "../../platform/refusal";
import { say } from "../../platform/said";
import { startOfDay } from "../../platform/time";

/**
 * A person's own language and time zone for pages and emails (app/web/reader.server.ts reads them).
 * Null follows their browser (then the company default): what a new person has.
 */
export type ReaderPreferences = { locale: Locale | null; timeZone: string | null };

export class ReaderPreferenceError extends Refusal {}

/** The zones a person may choose: every one this runtime knows, UTC first. */
export function offeredTimeZones(): string[] {
  return ["UTC", ...Intl.supportedValuesOf("timeZone").filter((zone) => zone !== "UTC")];
}

/** Saves both at once; a language or zone the product does not know changes nothing. */
export function setReaderPreferences(personId: number, preferences: ReaderPreferences): void {
  const { locale, timeZone } = preferences;
  if (locale !== null && !isLocale(locale))
    throw new ReaderPreferenceError(say("admin.refusal.preferences.language"));
  if (timeZone !== null && !isTimeZone(timeZone))
    throw new ReaderPreferenceError(say("admin.refusal.preferences.timeZone"));
  getDb()
    .update(people)
    // The day only, like every change a person makes to their own row (no time to line up with acts).
    .set({ locale, timeZone, updatedAt: new Date(startOfDay(Date.now())) })
    .where(eq(people.id, personId))
    .run();
}
