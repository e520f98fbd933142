import { type MessageFormatElement, parse, TYPE } from "@formatjs/icu-messageformat-parser";
import { de } from "./catalogs/de";
import { en } from "./catalogs/en";
import { fr } from "./catalogs/fr";
import { ja } from "./catalogs/ja";
import type { AnyLocale } from "./locales";
import { pseudoLocalize } from "./pseudo";

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

export type ServerCatalog = Record<string, string | MessageFormatElement[]>;
const forServer = new Map<AnyLocale, ServerCatalog>();

/**
 * The catalog the server formats from: a message that is plain text (most labels and headings) is
 * handed over already parsed, which react-intl returns as it is, without building formats and a
 * cache key for it on every call; every other message stays text, whose cache key is cheap.
 */
export function serverCatalogFor(locale: AnyLocale): ServerCatalog {
  let catalog = forServer.get(locale);
  if (!catalog) {
    catalog = Object.fromEntries(
      Object.entries(catalogs[locale]).map(([key, message]) => {
        const parsed = parse(message);
        const literal = parsed.length === 1 && parsed[0]?.type === TYPE.literal;
        return [key, literal ? parsed : message];
      }),
    );
    forServer.set(locale, catalog);
  }
  return catalog;
}
