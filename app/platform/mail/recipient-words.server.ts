import type { IntlShape } from "react-intl";
import { serverCatalogFor } from "../../i18n/catalogs.server";
import { type Formatter, formatterOf } from "../../i18n/format";
import { isLocale, isPseudoLocale, isTimeZone } from "../../i18n/locales";
import { intlFor, type Translate, translatorOf } from "../../i18n/translate";
import { getSettings } from "../site/settings.server";

/**
 * The words and times of an email, for the person it goes to (ADR 0041): their language and time zone
 * (people.locale, people.time_zone), else the company's defaults. An email is written when it is queued
 * and read later, away from any page: nothing of the request that caused it decides its language.
 * A pseudo-locale is honoured only as a page's is, when named: no form stores one, a test may (to
 * check that every word of every email comes from a catalog).
 */
export type Recipient = { locale: string | null; timeZone: string | null };
export type MailWords = { intl: IntlShape; t: Translate; format: Formatter };

export function wordsForRecipient(recipient: Recipient | null): MailWords {
  const settings = getSettings();
  const chosen = recipient?.locale;
  const locale = isLocale(chosen) || isPseudoLocale(chosen) ? chosen : settings.defaultLocale;
  const timeZone = isTimeZone(recipient?.timeZone) ? recipient.timeZone : settings.defaultTimeZone;
  const intl = intlFor(locale, timeZone, serverCatalogFor(locale));
  return { intl, t: translatorOf(intl), format: formatterOf(intl) };
}

/** The company's default language and zone: for what is read by no one person (a feed). */
export const companyWords = (): MailWords => wordsForRecipient(null);
