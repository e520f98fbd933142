import { type IntlShape, useIntl } from "react-intl";
import { translatorOf } from "./translate";

/**
 * The one way the product writes a time or a number (ADR 0041): in the reader's language and time
 * zone (the root's IntlProvider, or `intlFor` for an email), so one screen never mixes formats.
 * A moment that matters (a due date, a closing time, a scheduled memo) names its zone. A value the
 * product keeps only to the day or the hour on purpose (anonymous acts, comments, ledger entries)
 * is written as that UTC day or hour, labelled UTC: shifting it into a zone would claim a precision
 * it does not have, or show the wrong day.
 */
type When = string | number | Date | null | undefined;

const MOMENT = {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  timeZoneName: "short",
} as const;
const DAY = { day: "numeric", month: "short", year: "numeric" } as const;
const SHORT_DAY = { day: "numeric", month: "short" } as const;
const CLOCK = { hour: "2-digit", minute: "2-digit" } as const;

export function formatterOf(intl: IntlShape) {
  const t = translatorOf(intl);
  const none = (value: When): value is null | undefined => value === null || value === undefined;
  return {
    /** "7 Dec 2026, 22:10 GMT+8": a moment, in the reader's zone, the zone named. */
    dateTime: (value: When) =>
      none(value) ? t("common.time.none") : intl.formatDate(new Date(value), MOMENT),
    /** "7 Dec 2026": the day a moment falls on in the reader's zone. */
    date: (value: When) => (none(value) ? t("common.time.none") : intl.formatDate(new Date(value), DAY)),
    /** "7 Dec 2026 (UTC)": a value kept to the UTC day. */
    utcDay: (value: When) =>
      none(value)
        ? t("common.time.none")
        : t("common.time.utcDay", { day: intl.formatDate(new Date(value), { ...DAY, timeZone: "UTC" }) }),
    /** "7 Dec 2026, 22:00 UTC": a value kept to the UTC hour. */
    utcHour: (value: When) =>
      none(value) ? t("common.time.none") : intl.formatDate(new Date(value), { ...MOMENT, timeZone: "UTC" }),
    /** "22:10": the clock in the reader's zone, for a moment within the day the reader is looking at. */
    time: (value: When) => (none(value) ? t("common.time.none") : intl.formatTime(new Date(value), CLOCK)),
    /** Whether a moment is midnight on the reader's clock (a UTC midnight need not be named UTC then). */
    isMidnight: (value: string | number | Date) =>
      intl
        .formatDateToParts(new Date(value), { hour: "numeric", minute: "numeric", hourCycle: "h23" })
        .every((part) => (part.type !== "hour" && part.type !== "minute") || Number(part.value) === 0),
    /** "Asia/Singapore": the reader's zone, as a form beside a wall time names it. */
    zoneName: () => intl.timeZone ?? "UTC",
    /**
     * A period of a series kept by UTC day or hour (a chart's bucket), written as that UTC day or hour:
     * "6 Dec 2026" / "6 Dec 2026, 14:00"; `short` leaves out the year (an axis). Whoever shows it says UTC once.
     */
    utcPeriod: (value: string | number | Date, { hourly, short }: { hourly: boolean; short?: boolean }) =>
      intl.formatDate(new Date(value), {
        ...(short ? SHORT_DAY : DAY),
        ...(hourly ? CLOCK : {}),
        timeZone: "UTC",
      }),
    /** "A, B and C" / "A, B und C" / "A、B、C". */
    list: (items: string[]) => intl.formatList(items),
    /** "1,500" / "1.500" / "1 500". */
    number: (value: number) => intl.formatNumber(value),
    /** "1st" / "1." / "1er" / "1番目". */
    ordinal: (n: number) => t("common.ordinal", { n }),
    /** How long something has waited, in the largest whole unit: "under an hour", "5 hours", "3 days". */
    waiting: (ms: number) => {
      const hours = Math.floor(ms / 3_600_000);
      if (hours < 1) return t("common.wait.underAnHour");
      if (hours < 48) return t("common.wait.hours", { hours });
      return t("common.wait.days", { days: Math.floor(hours / 24) });
    },
  };
}
export type Formatter = ReturnType<typeof formatterOf>;

/** In a component: times and numbers for the reader. */
export function useFormat(): Formatter {
  return formatterOf(useIntl());
}

/** A size in its largest binary unit, and the decimals worth showing (the pages write the number). */
export function sizeInUnits(bytes: number): { n: number; unit: "B" | "KiB" | "MiB" | "GiB"; digits: number } {
  if (bytes < 1024) return { n: bytes, unit: "B", digits: 0 };
  if (bytes < 1024 ** 2) return { n: bytes / 1024, unit: "KiB", digits: 1 };
  if (bytes < 1024 ** 3) return { n: bytes / 1024 ** 2, unit: "MiB", digits: 1 };
  return { n: bytes / 1024 ** 3, unit: "GiB", digits: 2 };
}
