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
