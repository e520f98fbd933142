import { json } from "@remix-run/node";
import { tokenTargets } from "../domain/petitions/petition-keys.server";

/**
 * GET /api/tokens — what a signed-in browser fetches blind tokens for in the background: the newest
 * open petitions (up to 50) with their public keys, and the policies (a feedback token each a week).
 * Public: the keys are published anyway. See docs/anonymity.md.
 */
export function loader() {
  return json(tokenTargets(), { headers: { "Cache-Control": "no-store" } });
}
