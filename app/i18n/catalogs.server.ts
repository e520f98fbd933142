import { type MessageFormatElement, parse } from "@formatjs/icu-messageformat-parser";
import { de } from "./catalogs/de";
import { en } from "./catalogs/en";
import { fr } from "./catalogs/fr";
import { ja } from "./catalogs/ja";
import type { AnyLocale } from "./locales";
import { pseudoLocalize } from "./pseudo";
import { formattingLocale } from "./translate";

/** Every catalog, in the server's memory: pages are rendered and emails written in any of them. */
const catalogs: Record<AnyLocale, Record<string, string>> = {
  en,
  de,
  fr,
  ja,
  "en-XA": pseudoLocalize(en, "en-XA"),
  "en-XB": pseudoLocalize(en, "en-XB"),
};

export const catalogFor = (locale: AnyLocale): Record<string, string> => catalogs[locale];

export type ParsedCatalog = Record<string, MessageFormatElement[]>;
const parsed = new Map<AnyLocale, ParsedCatalog>();

/**
 * A catalog with every message parsed once, for what the server renders and writes: a page says a
 * few hundred messages, and parsing each of them anew for every request was most of what the
 * languages added to a page's cost. Parsed, not cached per time zone, so memory stays one copy per
 * language however many zones readers have.
 */
export function parsedCatalogFor(locale: AnyLocale): ParsedCatalog {
  let catalog = parsed.get(locale);
  if (!catalog) {
    const options = { locale: new Intl.Locale(formattingLocale(locale)) };
    catalog = Object.fromEntries(
      Object.entries(catalogs[locale]).map(([key, message]) => [key, parse(message, options)]),
    );
    parsed.set(locale, catalog);
  }
  return catalog;
}
