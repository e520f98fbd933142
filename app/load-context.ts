/** What the production server (app/server/start.ts) hands every loader and action. */
declare module "@remix-run/node" {
  interface AppLoadContext {
    clientIp?: string;
    cspNonce?: string;
    /** Set by handleError when a write failed for want of space: the server answers 503. */
    storageFull?: boolean;
  }
}

export {};
