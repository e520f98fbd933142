import Negotiator from "negotiator";
import type { IntlShape } from "react-intl";
import type { User } from "../domain/identity/sessions.server";
import { serverCatalogFor } from "../i18n/catalogs.server";
import { type Formatter, formatterOf } from "../i18n/format";
import {
  type AnyLocale,
  canonicalTimeZone,
  isLocale,
  isTimeZone,
  LOCALES,
  PSEUDO_LOCALES,
  TIME_ZONE_COOKIE,
} from "../i18n/locales";
import { intlFor, type Translate, translatorOf } from "../i18n/translate";
import { getSettings } from "../platform/site/settings.server";
import { getUser } from "./session.server";

/**
 * Whom a page is written for: their language (their setting, else their browser's, else the company
 * default) and time zone (their setting, else their browser's — reported by the root's script in the
 * `tz` cookie — else the company default). Nothing here is stored or logged: it shapes the answer only.
 */
export type Reader = { locale: AnyLocale; timeZone: string };

const TIME_ZONE_PATTERN = new RegExp(`(?:^|;\\s*)${TIME_ZONE_COOKIE}=([^;]*)`);
const OFFERED: readonly AnyLocale[] = [...LOCALES, ...PSEUDO_LOCALES];

export function browserLocale(request: Request): AnyLocale | null {
  const header = request.headers.get("accept-language");
  if (!header) return null;
  // Pseudo-locales answer only when asked for by name (tests); a browser asking for "en" gets English.
  const [best] = new Negotiator({ headers: { "accept-language": header.slice(0, 512) } }).languages([
    ...OFFERED,
  ]);
  return (OFFERED as readonly string[]).includes(best ?? "") ? (best as AnyLocale) : null;
}

export function browserTimeZone(request: Request): string | null {
  const match = TIME_ZONE_PATTERN.exec(request.headers.get("cookie") ?? "");
  if (!match?.[1]) return null;
  let zone: string;
  try {
    zone = decodeURIComponent(match[1]);
  } catch {
    return null;
  }
  return canonicalTimeZone(zone);
}

export function readerOf(request: Request, user: User | null): Reader {
  const chosenLocale = isLocale(user?.locale) ? user.locale : null;
  const chosenZone = isTimeZone(user?.timeZone) ? user.timeZone : null;
  const browser = chosenLocale ?? browserLocale(request);
  const zone = chosenZone ?? browserTimeZone(request);
  if (browser && zone) return { locale: browser, timeZone: zone };
  const settings = getSettings();
  return { locale: browser ?? settings.defaultLocale, timeZone: zone ?? settings.defaultTimeZone };
}

/** The reader's words and formats outside React (a refusal's message, a feed's fixed text). */
export const intlOf = (reader: Reader): IntlShape =>
  intlFor(reader.locale, reader.timeZone, serverCatalogFor(reader.locale));

export type Words = { reader: Reader; t: Translate; format: Formatter };

export function wordsOfReader(reader: Reader): Words {
  const intl = intlOf(reader);
  return { reader, t: translatorOf(intl), format: formatterOf(intl) };
}
const wordsOfRequest = new WeakMap<Request, Promise<Words>>();

/**
 * In a loader or action: the reader's words and formats, for what the server writes itself (a page
 * title for `meta`, a flash message, a refusal). Worked out once per request, however many loaders ask.
 */
export function wordsFor(request: Request): Promise<Words> {
  let words = wordsOfRequest.get(request);
  if (!words) {
    words = getUser(request).then((user) => wordsOfReader(readerOf(request, user)));
    wordsOfRequest.set(request, words);
  }
  return words;
}
