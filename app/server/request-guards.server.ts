import type { NextFunction, Request, Response } from "express";

/**
 * An action refused before it read its body (a 403 from requirePermission, say) leaves the rest of
 * the body unread on a keep-alive connection, and the client's next request on that connection is
 * reset. Once the response is sent, the remainder is read and dropped (Remix's body stream is done
 * with by then).
 */
export function drainUnreadBodies(req: Request, res: Response, next: NextFunction): void {
  res.on("finish", () => {
    if (req.complete) return;
    req.removeAllListeners("data");
    req.resume();
  });
  next();
}

/**
 * The request's address is built from its Host header (and the port of X-Forwarded-Host): one that
 * is not a host name ("a b", "[::1", a port past 65535) made building it throw, a 500. Why it is
 * refused, or null.
 */
export function hostProblem(host: string | undefined, forwardedHost: string | undefined): string | null {
  for (const [name, value] of [
    ["Host", host],
    ["X-Forwarded-Host", forwardedHost],
  ] as const) {
    if (value === undefined) continue;
    try {
      new URL(`http://${value}/`);
    } catch {
      return `its ${name} header is not a host name and port`;
    }
  }
  return null;
}

export function refuseMalformedHosts(req: Request, res: Response, next: NextFunction): void {
  const problem = hostProblem(req.get("Host"), req.get("X-Forwarded-Host"));
  if (!problem) {
    next();
    return;
  }
  res.status(400).type("text/plain").send(`This request was refused because ${problem}.\n`);
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export type SenderHeaders = { origin?: string; referer?: string; secFetchSite?: string };

/**
 * Why a request that could change data must be refused as cross-site, or null to let it through.
 * Browsers name the page that sent a form: Sec-Fetch-Site says whether it is this origin, Origin (or,
 * from older browsers, Referer) which origin it is; the opaque "null" origin (sandboxed frames, data:
 * pages) counts as another site. A request that names no sender at all is not a browser's
 * cross-site form — a mail client's one-click unsubscribe (RFC 8058), a script — and passes.
 */
export function crossSiteRefusal(method: string, sender: SenderHeaders, appOrigin: string): string | null {
  if (SAFE_METHODS.has(method.toUpperCase())) return null;
  const site = sender.secFetchSite?.toLowerCase();
  if (site === "cross-site" || site === "same-site")
    return `the browser says it came from another site (${site})`;
  if (sender.origin !== undefined) {
    return sender.origin === appOrigin
      ? null
      : `it came from ${sender.origin === "null" ? "an anonymous page" : sender.origin}`;
  }
  if (sender.referer !== undefined) {
    let from: string;
    try {
      from = new URL(sender.referer).origin;
    } catch {
      return "its Referer is not an address";
    }
    return from === appOrigin ? null : `it came from ${from}`;
  }
  return null;
}

/**
 * Refuses cross-site requests to anything but reading, with a 403, before any action runs. The app's
 * own origin is the configured public address (APP_URL): the one emailed links point to.
 */
export function refuseCrossSiteRequests(appUrl: string, crossSitePaths: readonly string[] = []) {
  const appOrigin = new URL(appUrl).origin;
  return (req: Request, res: Response, next: NextFunction): void => {
    // The SAML assertion consumer is posted to by the identity provider's page, from its origin:
    // there the signed assertion is the proof, not the sender.
    const refusal = crossSitePaths.includes(req.path)
      ? null
      : crossSiteRefusal(
          req.method,
          { origin: req.get("Origin"), referer: req.get("Referer"), secFetchSite: req.get("Sec-Fetch-Site") },
          appOrigin,
        );
    if (!refusal) {
      // Checked against the public address: Remix's own check compares Origin with the Host header
      // instead, and answers a mismatch (a proxy that does not pass Host on) with an empty 500.
      if (!SAFE_METHODS.has(req.method)) delete req.headers.origin;
      next();
      return;
    }
    res
      .status(403)
      .type("text/plain")
      .send(
        `This request was refused because ${refusal}. Forms of Undersigned are only accepted from its own pages at ${appOrigin}.\n`,
      );
  };
}
