/** How long a stopping worker lets its requests in flight finish before it cuts them. */
export const SHUTDOWN_TIMEOUT_MS = 10_000;
