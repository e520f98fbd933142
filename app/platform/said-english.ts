import { en } from "../i18n/catalogs/en";
import { intlFor } from "../i18n/translate";
import { readSaid, type Said, wordsOf } from "./said";

/**
 * Said words in English, from the English catalog: a refusal's `.message` — what the JSON API, SCIM,
 * the CLI and logs answer with — and any said text reaching one of them (a zod message in an API 400).
 */
const english = intlFor("en", "UTC", en);

export const inEnglish = (said: Said): string => wordsOf(said, english);

/** A text in English: said text written out, any other text as it is. */
export const textInEnglish = (text: string): string => {
  const said = readSaid(text, (key) => key in en);
  return said ? inEnglish(said) : text;
};
