import { catalogFor } from "../../app/i18n/catalogs.server";
import { formatterOf } from "../../app/i18n/format";
import type { AnyLocale } from "../../app/i18n/locales";
import { intlFor, translatorOf } from "../../app/i18n/translate";

const escapeForPattern = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * What a page says in `locale` where the English page says `english` (a catalog message, written as
 * in the English catalog, `{arguments}` included): a pattern matching each catalog key that says it,
 * so a browser test walks a German or Japanese page with the English test's words. Fails when no
 * catalog message says it — that text is not from the catalogs.
 */
export function say(
  locale: AnyLocale,
  english: string,
  values: Record<string, string | number> = {},
): RegExp {
  const source = catalogFor("en");
  const keys = Object.keys(source).filter((key) => source[key] === english);
  if (!keys.length) throw new Error(`No catalog message says “${english}”`);
  const intl = intlFor(locale, "UTC", catalogFor(locale));
  const said = [...new Set(keys.map((key) => String(intl.formatMessage({ id: key }, values))))];
  return new RegExp(`^\\s*(?:${said.map(escapeForPattern).join("|")})\\s*$`);
}

/** The same, as a fragment anywhere in a longer text. */
export function sayWithin(
  locale: AnyLocale,
  english: string,
  values: Record<string, string | number> = {},
): RegExp {
  return new RegExp(say(locale, english, values).source.replace(/^\^\\s\*|\\s\*\$$/g, ""));
}

/** A reader's words and formats in `locale` and `timeZone`, as a loader or an email has them. */
export function wordsIn(locale: AnyLocale, timeZone = "UTC") {
  const intl = intlFor(locale, timeZone, catalogFor(locale));
  return { t: translatorOf(intl), format: formatterOf(intl) };
}
