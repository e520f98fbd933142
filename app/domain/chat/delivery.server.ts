import { openWebhookUrl, parseWebhookUrl, sealedWebhookOf } from "./channels.server";

/** How long one post may take before it counts as failed (and is retried with backoff). */
export const POST_TIMEOUT_MS = 10_000;

/**
 * Delivers one queued post: an HTTP POST of its JSON payload to its channel's webhook. Throws on any
 * failure — a non-2xx answer, a redirect (never followed: an address that moves is not the one the
 * admin gave), a timeout, a network error — with a message that never holds the address (a secret).
 * Slack answers 200 "ok", Teams Workflows 202 Accepted.
 */
export async function deliverChatPost(message: {
  chatChannelId: number | null;
  textBody: string;
}): Promise<void> {
  const sealed = message.chatChannelId === null ? null : sealedWebhookOf(message.chatChannelId);
  if (!sealed) throw new Error("The channel was removed");
  const address = openWebhookUrl(sealed);
  if (!address)
    throw new Error("The webhook address cannot be read (the session secret changed): enter it again");
  // Checked again at send time: the rules may be stricter now than when the address was saved.
  const url = parseWebhookUrl(address);
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      body: message.textBody,
      redirect: "manual",
      signal: AbortSignal.timeout(POST_TIMEOUT_MS),
    });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : null;
    const code =
      cause && "code" in cause ? String(cause.code) : error instanceof Error ? error.name : "error";
    throw new Error(`The chat service could not be reached (${code})`);
  }
  // Not read beyond its start: the answer is the service's, and only its status matters.
  await response.body?.cancel();
  if (response.status < 200 || response.status >= 300)
    throw new Error(`The chat service answered HTTP ${response.status}`);
}
