import { json } from "@remix-run/node";
import { publicNews } from "../domain/notifications/public-news.server";
import { serverNow } from "../platform/runtime/clock.server";

/**
 * GET /api/news — every readable petition's news of the last 30 days, by UTC day. No cookie is read
 * or set and the answer is the same for everyone: every browser fetches it alike from the header, and
 * one that follows petitions on its own finds their news there (docs/notifications.md).
 */
export function loader() {
  return json(publicNews(serverNow()), { headers: { "Cache-Control": "no-store" } });
}
