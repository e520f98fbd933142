import { liveKeysWithProofs } from "../domain/transparency/log-reads.server";
import { logJson } from "../web/log-answers.server";

/**
 * GET /api/log/keys — every key a device may ask a signature of now, each with its first logged entry
 * and an inclusion proof in the newest witnessed checkpoint. Fetched without a cookie by every
 * device's background run: one answer for everyone.
 */
export const loader = () => logJson(() => liveKeysWithProofs());
