import { useIntl } from "react-intl";
import { readSaid, wordsOf } from "../platform/said";

/**
 * Writes a text that may be said words (app/platform/said.ts) — a refusal in a form's reply or a
 * thrown page answer, a zod message from the server or the browser — in the reader's language; any
 * other text (English from a part not yet in the catalogs, a person's own words) is shown as it is.
 */
export function useSaid(): (text: string) => string {
  const intl = useIntl();
  return (text) => {
    const said = readSaid(text, (key) => Object.hasOwn(intl.messages, key));
    return said ? wordsOf(said, intl) : text;
  };
}
