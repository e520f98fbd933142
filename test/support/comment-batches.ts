import { publishHeldComments } from "../../app/domain/discussion/batches.server";
import { DAY_MS } from "../../app/platform/time";

/**
 * Runs the minute scheduler's comment batch job as it would run a day after now: every held anonymous
 * comment has then waited 24 hours, so every thread's batch is published whatever its size (the rule
 * itself is tested in test/integration/comment-batches.test.ts). For tests that post an anonymous
 * comment and then look at it as everyone else will.
 */
export const publishAnonymousComments = (now = Date.now()): number => publishHeldComments(now + DAY_MS);
