/** Lengths of time every module counts in, and the day a time falls on (UTC): stated once. */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** The start of the hour `ms` falls in: times kept no finer than that (sessions, the outbox, the ledger). */
export const startOfHour = (ms: number) => ms - (((ms % HOUR_MS) + HOUR_MS) % HOUR_MS);

/** Midnight UTC of the day `ms` falls on. */
export const startOfDay = (ms: number) => ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);

/** A time as the day it falls on: loader data for a page that shows a date carries no more than it. */
export const dayOf = (date: Date | null): Date | null => (date ? new Date(startOfDay(date.getTime())) : null);

/** A time to the minute: for pages that show hours and minutes. */
export const minuteOf = (date: Date | null): Date | null =>
  date ? new Date(date.getTime() - (date.getTime() % MINUTE_MS)) : null;
