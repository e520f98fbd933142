import type { IntlShape } from "react-intl";
import type { MessageKey } from "../i18n/catalogs/en";
import { formatterOf } from "../i18n/format";

/**
 * Words the server or a schema says to a person, kept as a catalog key and its values until they are
 * shown (ADR 0041, "Refusals, emails and feeds"): a refusal, a form's error, a zod message. A page
 * writes them in its reader's language; the JSON API, SCIM, the CLI and logs write them in English.
 * Values are plain strings and numbers, so the words survive a trip as text (a form's reply, a zod
 * issue, a thrown Response's body) to the browser and back; a moment (`{ moment: ms }`) is written
 * where it is shown, in that reader's zone, the zone named.
 */
export type SaidValue = string | number | { readonly moment: number };
export type SaidValues = Readonly<Record<string, SaidValue>>;
export type Said = { readonly key: MessageKey; readonly values?: SaidValues };

export const say = (key: MessageKey, values?: SaidValues): Said => (values ? { key, values } : { key });

/** Said as text: the key, then its values as JSON after a space ("server.form.max {\"max\":120}"). */
export const saidText = ({ key, values }: Said): string =>
  values && Object.keys(values).length ? `${key} ${JSON.stringify(values)}` : key;

/** `say` straight to text, for where only a string fits (a zod message, a form's field error). */
export const sayText = (key: MessageKey, values?: SaidValues): string => saidText(say(key, values));

const SAID_TEXT = /^([a-z][\w-]*(?:\.[\w-]+)+)(?: (\{.*\}))?$/s;
const SAID_KEY = /^[a-z][\w-]*(?:\.[\w-]+)+$/;

// Only what `say` makes: a string, a finite number, or a moment; anything else is shown as text.
const isValue = (value: unknown) =>
  typeof value === "string" ||
  (typeof value === "number" && Number.isFinite(value)) ||
  (typeof value === "object" &&
    value !== null &&
    Object.keys(value).length === 1 &&
    Number.isFinite((value as { moment?: unknown }).moment));

const isValues = (values: unknown): values is SaidValues =>
  Boolean(values) &&
  typeof values === "object" &&
  !Array.isArray(values) &&
  Object.values(values as object).every(isValue);

/**
 * The words in a text, when it is said text whose key `isKey` knows; null for any other text (a
 * message written in English, a person's own words), which is shown as it is.
 */
export function readSaid(text: string, isKey: (key: string) => boolean): Said | null {
  const match = SAID_TEXT.exec(text);
  if (!match?.[1] || !isKey(match[1])) return null;
  if (!match[2]) return { key: match[1] as MessageKey };
  try {
    const values: unknown = JSON.parse(match[2]);
    return isValues(values) ? { key: match[1] as MessageKey, values } : null;
  } catch {
    return null;
  }
}

/**
 * Said words as they arrived in JSON (an API refusal's `said`), when they have the shape `say` makes;
 * null otherwise. Whether the reader's catalog knows the key is for the writer to check.
 */
export function saidFrom(value: unknown): Said | null {
  if (!value || typeof value !== "object") return null;
  const { key, values } = value as { key?: unknown; values?: unknown };
  if (typeof key !== "string" || !SAID_KEY.test(key)) return null;
  if (values === undefined) return { key: key as MessageKey };
  return isValues(values) ? { key: key as MessageKey, values } : null;
}

/** The words in the language, and the moments in the zone, of `intl`. */
export function wordsOf({ key, values }: Said, intl: IntlShape): string {
  if (!values) return intl.formatMessage({ id: key });
  const format = formatterOf(intl);
  const written = Object.fromEntries(
    Object.entries(values).map(([name, value]) => [
      name,
      typeof value === "object" ? format.dateTime(value.moment) : value,
    ]),
  );
  return intl.formatMessage({ id: key }, written);
}
