import { publishHeldComments } from "../../app/domain/discussion/batches.server";
import { DAY_MS, MINUTE_MS } from "../../app/platform/time";

let runs = 0;

/**
 * Runs the minute scheduler's comment batch job as its first run after the next midnight would:
 * every held anonymous comment is then a leftover of a day before, so every thread's batch is
 * published whatever its size (the rule itself is tested in test/integration/anonymity/anonymous-comments-move-in-batches.test.ts).
 * Each call is a run of a boundary of its own (a minute later than the last), as the scheduler's
 * runs on successive days are. For tests that post an anonymous comment and then look at it as
 * everyone else will.
 */
export const publishAnonymousComments = (now = Date.now()): number =>
  publishHeldComments(now + DAY_MS + ++runs * MINUTE_MS, { periodMs: MINUTE_MS, minSize: 1 });
