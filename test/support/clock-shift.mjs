/**
 * Moves the wall clock of every process of a test run, to find tests that depend on the hour they run
 * at (a day turning in the middle of one). Not used by `npm test`; run by hand, e.g.
 *
 *   CLOCK_AT=00:10 NODE_OPTIONS="--import ./test/support/clock-shift.mjs" npx vitest run --project integration
 *
 * CLOCK_AT is today's UTC time to start from. The first process works out the offset and leaves it in
 * CLOCK_OFFSET_MS, so the workers and servers it starts share one clock.
 */
if (process.env.CLOCK_OFFSET_MS === undefined && process.env.CLOCK_AT) {
  const [hours, minutes] = process.env.CLOCK_AT.split(":").map(Number);
  const now = Date.now();
  const day = 24 * 60 * 60_000;
  const target = Math.floor(now / day) * day + ((hours ?? 0) * 60 + (minutes ?? 0)) * 60_000;
  process.env.CLOCK_OFFSET_MS = String(target - now);
}
const offset = Number(process.env.CLOCK_OFFSET_MS ?? 0);
const RealDate = Date;
class ShiftedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + offset);
    else super(...args);
  }
  static now() {
    return RealDate.now() + offset;
  }
}
globalThis.Date = ShiftedDate;
