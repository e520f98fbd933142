import { json } from "@remix-run/node";
import { logTrust } from "../domain/transparency/log-reads.server";
import { apiRefusal } from "../web/refusal-reply.server";

/**
 * GET /api/log/trust — the log's name and key and the witnesses browsers require (docs/api.md):
 * browsers pin them on first sight and never accept fewer witnesses or another log key.
 */
export function loader() {
  try {
    return json(logTrust(), { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return apiRefusal(error);
  }
}
