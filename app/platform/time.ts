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

const WALL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** The parts of a `YYYY-MM-DDTHH:MM[:SS]` wall-clock time (a datetime-local field's value), if it is a real one. */
function wallTimeParts(value: string): number | null {
  const m = WALL_TIME.exec(value);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((part) => Number(part ?? 0)) as number[];
  const asUtc = Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 0, h ?? 0, mi ?? 0, s ?? 0);
  const back = new Date(asUtc);
  // Date.UTC rolls 31 February over into March: such a time is not on any clock.
  return back.getUTCFullYear() === y &&
    back.getUTCMonth() + 1 === mo &&
    back.getUTCDate() === d &&
    (h ?? 0) < 24
    ? asUtc
    : null;
}

/** Whether a datetime-local value names a real date and time. */
export const isWallTime = (value: string) => wallTimeParts(value) !== null;

const zoneClocks = new Map<string, Intl.DateTimeFormat>();
/** How far `zone`'s clocks are ahead of UTC at the instant `ms`. */
function zoneOffset(ms: number, zone: string): number {
  let clock = zoneClocks.get(zone);
  if (!clock) {
    clock = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    zoneClocks.set(zone, clock);
  }
  const part = (parts: Intl.DateTimeFormatPart[], type: string) =>
    Number(parts.find((p) => p.type === type)?.value ?? 0);
  const parts = clock.formatToParts(new Date(ms));
  const wall = Date.UTC(
    part(parts, "year"),
    part(parts, "month") - 1,
    part(parts, "day"),
    part(parts, "hour"),
    part(parts, "minute"),
    part(parts, "second"),
  );
  return wall - (ms - (((ms % 1000) + 1000) % 1000));
}

/** The number of the day (since 1970-01-01) that the instant `ms` falls on in `zone`. */
export const dayNumberIn = (ms: number, zone: string) => Math.floor((ms + zoneOffset(ms, zone)) / DAY_MS);

/**
 * The instant a wall-clock time (a datetime-local field's value, which carries no zone) means in an
 * IANA time zone: "2027-01-07T09:00" in America/New_York is 14:00 UTC. A time the clocks pass twice
 * when they fall back is its first passing; one they skip when they spring forward is read with the
 * offset before the change (an hour later on the clock). Null when the value is no real time.
 */
export function wallTimeIn(value: string, zone: string): Date | null {
  const wall = wallTimeParts(value);
  if (wall === null) return null;
  // The zone's offsets a day either side: a change of offset (at most one a day) lies between them.
  const before = wall - zoneOffset(wall - DAY_MS, zone);
  const after = wall - zoneOffset(wall + DAY_MS, zone);
  const shows = (ms: number) => ms + zoneOffset(ms, zone) === wall;
  const readings = [before, after].filter(shows);
  return new Date(readings.length ? Math.min(...readings) : before);
}
