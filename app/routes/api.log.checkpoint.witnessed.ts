import { witnessedCheckpointNote } from "../domain/transparency/log-reads.server";
import { logText } from "../web/log-answers.server";

/**
 * GET /api/log/checkpoint/witnessed — the newest checkpoint cosigned by every required witness (with
 * none required, the newest): the one browsers check keys against.
 */
export const loader = () => logText(witnessedCheckpointNote);
