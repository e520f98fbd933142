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

/**
 * A language and zone's formatters, kept across requests: each keeps the messages it has formatted
 * parsed and its date and number formats built, which is most of what rendering a page's words costs.
 * At most INSTANCES of them (the least recently used goes), so readers naming ever more zones cannot
 * grow the server's memory; past that a page only costs what it did without this.
 */
const INSTANCES = 16;
const instances = new Map<string, IntlShape>();

/** The words and formats for one locale and zone: emails, refusals, feeds, and the server's render. */
export function intlFor(
  locale: AnyLocale,
  timeZone: string,
  messages: Record<string, string | MessageFormatElement[]>,
): IntlShape {
  const key = `${locale}\u0000${timeZone}`;
  const kept = instances.get(key);
  instances.delete(key);
  const intl =
    kept?.messages === messages
      ? kept
      : createIntl(
          {
            locale: formattingLocale(locale),
            timeZone,
            messages: asIntlMessages(messages),
            onError: reportMissing,
            textComponent: "span",
          },
          createIntlCache(),
        );
  instances.set(key, intl);
  const oldest = instances.keys().next().value;
  if (instances.size > INSTANCES && oldest !== undefined) instances.delete(oldest);
  return intl;
}

/**
 * react-intl's types take a catalog of all text or all parsed messages; at run time it takes each
 * message as it comes, and the server's catalog mixes them (serverCatalogFor).
 */
export const asIntlMessages = (messages: Record<string, string | MessageFormatElement[]>) =>
  messages as Record<string, string>;

/** A key missing from a catalog is a bug the catalog tests catch; in production the key shows. */
export function reportMissing(error: { code?: string; message: string }) {
  if (process.env.NODE_ENV !== "production") console.error(error.message);
}
