import { newestCheckpointNote } from "../domain/transparency/log-reads.server";
import { logText } from "../web/log-answers.server";

/** GET /api/log/checkpoint — the newest checkpoint, a C2SP signed note with every cosignature it has. */
export const loader = () => logText(newestCheckpointNote);
