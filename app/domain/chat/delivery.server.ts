import { eq } from "drizzle-orm";
import { getDb } from "../../../db/client";
import { petitions } from "../../../db/schema";
import { isPublic } from "../petitions/rights.server";
import { openWebhookUrl, parseWebhookUrl, sealedWebhookOf } from "./channels.server";

/**
 * How long one post may take before it counts as failed (and is retried with backoff). Short: the
 * sender's tick waits for it (see CHAT_TICK_BUDGET_MS), and Slack and Teams answer in well under a second.
 */
export const POST_TIMEOUT_MS = 5_000;

/**
 * What the admin outbox shows of a failed post: a refusal, an unreachable host and a timeout read the
 * same, so the outbox cannot be used to probe hosts and ports from the server. The log keeps the detail.
 */
export const CHAT_POST_REFUSED = "The channel did not accept the post";

/** Why a post about a petition was not sent: hidden (or withdrawn, rejected…) after it was queued. */
export const CHAT_POST_NOT_PUBLIC = "Not posted: the petition is no longer public";

/**
 * Whether a post may still go: one about a petition goes only while that petition is public — a
 * milestone's post waits up to an hour, and a moderator may hide the petition meanwhile.
 */
export function chatPostStillPublic(message: { petitionId: number | null }): boolean {
  if (message.petitionId === null) return true;
  const petition = getDb()
    .select({ state: petitions.state, hiddenAt: petitions.hiddenAt })
    .from(petitions)
    .where(eq(petitions.id, message.petitionId))
    .get();
  return petition !== undefined && isPublic(petition);
}

/**
 * Delivers one queued post: an HTTP POST of its JSON payload to its channel's webhook. Throws on any
 * failure — a non-2xx answer, a redirect (never followed: an address that moves is not the one the
 * admin gave), a timeout, a network error — with a message that never holds the address (a secret).
 * Slack answers 200 "ok", Teams Workflows 202 Accepted.
 */
export async function deliverChatPost(message: {
  id: number;
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
    refused(message, `could not be reached (${code})`);
  }
  // Not read beyond its start: the answer is the service's, and only its status matters.
  await response.body?.cancel();
  if (response.status < 200 || response.status >= 300) refused(message, `answered HTTP ${response.status}`);
}

/** Logs the detail (never the address) for the operator, and fails the post in words only. */
function refused(message: { id: number; chatChannelId: number | null }, detail: string): never {
  console.warn(`chat post #${message.id} to channel #${message.chatChannelId}: the service ${detail}`);
  throw new Error(CHAT_POST_REFUSED);
}
