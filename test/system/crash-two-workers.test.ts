/**
 * The crash suite against a server with two worker processes over the one database (ADR 25): the same
 * tests, the same guarantees.
 */
process.env.TEST_WORKERS = "2";
await import("./crash.test");

export {};
