/** How long a stopping worker lets its requests in flight finish before it cuts them. */
export const SHUTDOWN_TIMEOUT_MS = 10_000;

/** How long an idle keep-alive connection stays open (longer than proxies keep theirs). */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;
