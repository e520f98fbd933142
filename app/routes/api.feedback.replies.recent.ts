import { json } from "@remix-run/node";
import { feedbackRepliesDigest } from "../domain/policies/feedback-replies-digest.server";
import { serverNow } from "../platform/runtime/clock.server";

/**
 * GET /api/feedback/replies/recent — the owners' replies to anonymous feedback of the last 90 days,
 * each entry readable only with its item's receipt code: `{ entries: [[lookup, ciphertext]] }`. No
 * cookie is read or set and the answer is the same for everyone: every view of My feedback and of the
 * receipt page downloads it, and the author's device opens its own entry (no request names an item).
 */
export function loader() {
  return json(feedbackRepliesDigest(serverNow()), { headers: { "Cache-Control": "no-store" } });
}
