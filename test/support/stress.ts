/**
 * The system suites' two lengths: short under `npm test`, long under `npm run test:stress` (STRESS=1),
 * and the number of worker processes serving (test/system/*-two-workers.test.ts set TEST_WORKERS=2
 * before importing the suite they rerun, so this is read when that suite first imports it).
 */
export const STRESS = process.env.STRESS === "1";

/** `short` under `npm test`, `long` under `npm run test:stress`. */
export const atScale = <T>(short: T, long: T): T => (STRESS ? long : short);

/** Worker processes serving the app under test. */
export const WORKERS = process.env.TEST_WORKERS ?? "1";

/** What a test's name adds when more than one worker serves, so the two runs' reports differ. */
export const ON_WORKERS = WORKERS === "1" ? "" : ` (${WORKERS} workers)`;
