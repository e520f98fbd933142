/** What the production server (app/server/start.ts) hands every loader and action. */
declare module "@remix-run/node" {
  interface AppLoadContext {
    clientIp?: string;
    cspNonce?: string;
    /** The request came through a proxy (TRUST_PROXY set, or a Forwarded / X-Forwarded-For header). */
    viaProxy?: boolean;
    /** Set by handleError when a write failed for want of space: the server answers 503. */
    storageFull?: boolean;
  }
}

export {};
