import { type Said, saidFrom } from "../../platform/said";

/**
 * A wallet message in the reader's words: a catalog key and its values (this device's own, or a
 * server's refusal's `said`), worded by the page with its loaded catalog (wordsOfWalletError).
 */
export type WalletWords = Said;

/**
 * The wallet's one error type and its JSON requests. Its message is for people, in English: a server's
 * refusal (its `error`) or this device's own, with `words` for the page to say it in the reader's
 * language (the English message is shown when there are none, or the catalog lacks their key).
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

/**
 * The server's refusal: its English `error` with its words (`said`, ADR 0041) when it has them; else
 * this device's own fallback (English, and its words). The reader's language is the page's loaded
 * catalog, so the request says nothing about who reads.
 */
export const refusalOf = (data: Record<string, unknown>, fallback: string, words?: WalletWords) =>
  typeof data.error === "string"
    ? new WalletError(data.error, saidFrom(data.said) ?? undefined)
    : new WalletError(fallback, words);

/** A random wait of `min`–`max` ms, so that a request does not follow the page's others in a pattern. */
export const randomWait = (min: number, max: number) =>
  new Promise((resolve) => setTimeout(resolve, min + Math.random() * (max - min)));
