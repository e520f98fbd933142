/**
 * Dates a test means as "in the future" or "in the past", computed from now: a literal date is right
 * on the day it is written and wrong from the day it passes (test/unit/test-dates.test.ts refuses them).
 */
const DAY_MS = 24 * 60 * 60_000;

/** `YYYY-MM-DD` (UTC) this many days from now; negative for the past. */
export function dayFromNow(days: number): string {
  return new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);
}

/** `YYYY-MM-DDTHH:MM`, as a datetime-local field takes it, this many days from now. */
export function dateTimeFromNow(days: number): string {
  return new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 16);
}

/** The start of the current hour (ms): a `now` to hand the code under test, on the hour, never ahead. */
export function thisHour(): number {
  return Date.now() - (Date.now() % (60 * 60_000));
}

/**
 * thisHour(), or the hour before it during the day's first hour (UTC): a `now` whose last half hour
 * falls on the same UTC day, for tests that post "today" before it and compare by day.
 */
export function anHourOfToday(): number {
  const hour = thisHour();
  return new Date(hour).getUTCHours() === 0 ? hour - 60 * 60_000 : hour;
}
