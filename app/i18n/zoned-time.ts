import { fromZonedTime } from "date-fns-tz";
import { isTimeZone } from "./locales";

/**
 * A date-time input (`<input type="datetime-local">`: "2026-12-10T09:00", no zone) read in the zone
 * the form showed it in (a hidden field beside it says which): the instant the person meant. A time
 * that does not exist there (a spring-forward gap) moves forward by the gap, as clocks do.
 */
export function instantIn(localDateTime: string, timeZone: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(localDateTime) || !isTimeZone(timeZone)) return null;
  const instant = fromZonedTime(localDateTime, timeZone);
  return Number.isNaN(instant.getTime()) ? null : instant;
}
