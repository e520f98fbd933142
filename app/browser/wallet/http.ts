import type { MessageKey, MessageValues } from "../../i18n/translate";

/** A wallet message in the reader's words: a catalog key and its values, worded by the page (`t`). */
export type WalletWords = { key: MessageKey; values?: MessageValues };

/**
 * The wallet's one error type and its JSON requests. Its message is for people: a server's refusal
 * (already in the reader's words), or this device's own in English, with `words` for the page to say
 * it in the reader's language (pages not yet speaking it show the English message).
 */
export class WalletError extends Error {
  constructor(
    message: string,
    readonly words?: WalletWords,
  ) {
    super(message);
  }
}

export async function postJson(
  url: string,
  body: unknown,
  credentials: RequestCredentials,
): Promise<{ status: number; data: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: "POST",
    credentials,
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
  });
  const data = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  return { status: response.status, data };
}

export const errorOf = (data: Record<string, unknown>, fallback: string) =>
  typeof data.error === "string" ? data.error : fallback;

/** The server's refusal as it worded it, else this device's own fallback (English, and its words). */
export const refusalOf = (data: Record<string, unknown>, fallback: string, words: WalletWords) =>
  typeof data.error === "string" ? new WalletError(data.error) : new WalletError(fallback, words);

/** A random wait of `min`–`max` ms, so that a request does not follow the page's others in a pattern. */
export const randomWait = (min: number, max: number) =>
  new Promise((resolve) => setTimeout(resolve, min + Math.random() * (max - min)));
