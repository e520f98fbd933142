import type { IntlShape } from "react-intl";
import { wordsOf } from "../../platform/said";
import { WalletError, type WalletWords } from "./http";

/**
 * Wallet words in the language of `intl` (the page's loaded catalog, as `useSaid` writes said text);
 * the English `message` when there are none or the catalog does not know their key.
 */
export const walletWordsIn = (words: WalletWords | null | undefined, message: string, intl: IntlShape) =>
  words && Object.hasOwn(intl.messages, words.key) ? wordsOf(words, intl) : message;

/**
 * A wallet error in the reader's words: this device's own and a server's refusal (its `said`) from
 * the catalogs, else its English message; null for any other error (the page says what went wrong in
 * its own words).
 */
export function wordsOfWalletError(error: unknown, intl: IntlShape): string | null {
  return error instanceof WalletError ? walletWordsIn(error.words, error.message, intl) : null;
}
