/**
 * The languages the interface speaks (ADR 0041). English is the source every other catalog is
 * translated from; the pseudo-locales exist for tests only: en-XA shows every catalog word accented and
 * bracketed (so a word that did not come from a catalog stands out), en-XB the same written right to
 * left (so a layout that breaks in Arabic or Hebrew breaks here first).
 */
export const LOCALES = ["en", "de", "fr", "ja"] as const;
export type Locale = (typeof LOCALES)[number];
export const PSEUDO_LOCALES = ["en-XA", "en-XB"] as const;
export type PseudoLocale = (typeof PSEUDO_LOCALES)[number];
export type AnyLocale = Locale | PseudoLocale;

export const SOURCE_LOCALE: Locale = "en";

/** Each language named in itself, as a chooser lists it. */
export const LOCALE_NAMES: Record<Locale, string> = {
  en: "English",
  de: "Deutsch",
  fr: "Français",
  ja: "日本語",
};

export const isLocale = (value: unknown): value is Locale => LOCALES.includes(value as Locale);
export const isPseudoLocale = (value: unknown): value is PseudoLocale =>
  PSEUDO_LOCALES.includes(value as PseudoLocale);

/** The writing direction of a locale's pages. */
export const directionOf = (locale: AnyLocale): "ltr" | "rtl" => (locale === "en-XB" ? "rtl" : "ltr");

/**
 * A time zone's one spelling, or null: what a browser (or a form) sent, canonicalized by the runtime
 * ("america/new_york" is "America/New_York"). Only the few hundred real zones pass, so nothing a
 * client sends can make the server build and keep formatters for new spellings without end.
 */
export function canonicalTimeZone(value: unknown): string | null {
  if (typeof value !== "string" || value.length === 0 || value.length > 64) return null;
  try {
    const zone = new Intl.DateTimeFormat("en", { timeZone: value }).resolvedOptions().timeZone;
    return zone === "UTC" || knownZones().has(zone) ? zone : null;
  } catch {
    return null;
  }
}

let zones: Set<string> | null = null;
const knownZones = () => {
  zones ??= new Set(Intl.supportedValuesOf("timeZone"));
  return zones;
};

/** Whether a name is a time zone this runtime knows, spelled as it spells it (IANA, as browsers report it). */
export const isTimeZone = (value: unknown): value is string =>
  typeof value === "string" && canonicalTimeZone(value) === value;

/** The cookie the root's script sets to the browser's time zone (app/root.tsx, app/web/reader.server.ts). */
export const TIME_ZONE_COOKIE = "tz";
