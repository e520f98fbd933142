import type { MessageFormatElement } from "@formatjs/icu-messageformat-parser";
import type { ReactNode } from "react";
import { createIntl, createIntlCache, type IntlShape, useIntl } from "react-intl";
import type { MessageKey } from "./catalogs/en";
import type { AnyLocale } from "./locales";

export type { MessageKey };

type Plain = string | number | boolean | Date | null | undefined;
export type MessageValues = Record<string, Plain>;
export type RichValues = Record<string, Plain | ReactNode | ((chunks: ReactNode[]) => ReactNode)>;

/** The words of a key in the reader's language: `t(key, values)`, or `t.rich` when values hold elements. */
export type Translate = ((key: MessageKey, values?: MessageValues) => string) & {
  rich: (key: MessageKey, values: RichValues) => ReactNode;
};

export function translatorOf(intl: IntlShape): Translate {
  const t = (key: MessageKey, values?: MessageValues) => intl.formatMessage({ id: key }, values);
  return Object.assign(t, {
    rich: (key: MessageKey, values: RichValues) => intl.formatMessage({ id: key }, values) as ReactNode,
  });
}

/** In a component: the reader's words, from the root's IntlProvider. */
export function useT(): Translate {
  return translatorOf(useIntl());
}

/**
 * The conventions a language's times and numbers are written in: English as in Britain (day, month,
 * year, unambiguous everywhere). The pseudo-locales write theirs in non-Latin scripts (Japanese,
 * Arabic — right to left), so on their pages only a word that skipped the catalogs is plain Latin.
 */
const FORMATTING: Record<AnyLocale, string> = {
  en: "en-GB",
  de: "de",
  fr: "fr",
  ja: "ja",
  "en-XA": "ja",
  "en-XB": "ar",
};
export const formattingLocale = (locale: AnyLocale) => FORMATTING[locale];

const cache = createIntlCache();
/** Outside React (emails, refusals, feeds): the same words and formats for one locale and zone. */
export function intlFor(
  locale: AnyLocale,
  timeZone: string,
  messages: Record<string, string> | Record<string, MessageFormatElement[]>,
): IntlShape {
  return createIntl({ locale: formattingLocale(locale), timeZone, messages, onError: reportMissing }, cache);
}

/** A key missing from a catalog is a bug the catalog tests catch; in production the key shows. */
export function reportMissing(error: { code?: string; message: string }) {
  if (process.env.NODE_ENV !== "production") console.error(error.message);
}
