/**
 * The Express app every worker serves: security headers, request guards, the fingerprinted assets
 * (precompressed), the count endpoint, Remix, and the answers Remix cannot give (a full disk's 503,
 * Express's own errors). The bare Remix app of the benchmarks is served by the same function.
 */
import { randomBytes } from "node:crypto";
// Not re-exported by the package index, but its own adapter functions: the same request and response.
import { createRemixRequest, sendRemixResponse } from "@remix-run/express/dist/server.js";
import { type AppLoadContext, createRequestHandler, type ServerBuild } from "@remix-run/node";
import express from "express";
import type { Config } from "../config.server";
import { errorForLog } from "../platform/runtime/log-text";
import { hasSessionCookie } from "../web/cookie-names";
import { compressWhenSafe, safeToCompress, serveAssets } from "./compression.server";
import { drainUnreadBodies, refuseCrossSiteRequests, refuseMalformedHosts } from "./request-guards.server";

/**
 * Where this site's forms may lead: itself, and the company's identity provider, to which "Sign in
 * with …" and sign-out redirect (browsers hold form-action to a form's redirects too).
 */
export function formTargets(config: Partial<Pick<Config, "oidc" | "saml">>): string {
  const origins = [config.oidc?.issuer, config.saml?.entryPoint]
    .filter((url): url is string => Boolean(url))
    .map((url) => new URL(url).origin);
  return ["'self'", ...new Set(origins)].join(" ");
}

/**
 * Caching, set just before each response's head goes out (whatever answered it: Remix, the count
 * endpoint, a refusal). A signed-in response (the request carries the session cookie, or the
 * response sets one) is `private, no-store`: a shared cache must never serve one person's page (root
 * data holds their address) to another, nor a browser keep it after sign-out. Every page and `_data`
 * answer varies with the cookie and the language asked for. Under https, HSTS. The fingerprinted assets keep their own headers.
 */
function cacheHeaders(https: boolean): express.RequestHandler {
  return (req, res, next) => {
    if (req.path.startsWith("/assets/")) return next();
    const writeHead = res.writeHead;
    const signedIn = hasSessionCookie(req.get("Cookie") ?? "");
    res.writeHead = function (this: express.Response, ...args: unknown[]) {
      const setCookie = [res.getHeader("Set-Cookie") ?? []].flat().map(String);
      if (signedIn || setCookie.some(hasSessionCookie)) {
        res.setHeader("Cache-Control", "private, no-store");
      } else if (!res.getHeader("Cache-Control")) {
        res.setHeader("Cache-Control", "no-cache");
      }
      // Pages speak the reader's language (Accept-Language) in their time zone (a cookie).
      let vary = String(res.getHeader("Vary") ?? "");
      for (const header of ["Cookie", "Accept-Language"])
        if (!new RegExp(`\\b${header}\\b`, "i").test(vary)) vary = vary ? `${vary}, ${header}` : header;
      res.setHeader("Vary", vary);
      if (https) res.setHeader("Strict-Transport-Security", "max-age=31536000");
      return (writeHead as (...a: unknown[]) => express.Response).apply(this, args);
    } as typeof res.writeHead;
    next();
  };
}

export function contentSecurityPolicy(nonce: string, formAction = "'self'"): string {
  // Everything from this origin only: no CDNs, no analytics, no third-party requests from any page.
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    `form-action ${formAction}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "object-src 'none'",
  ].join("; ");
}

const COUNT_ROUTE = "routes/api.petitions.$idOrSlug.count";

function loadContext(req: express.Request, res: express.Response): AppLoadContext {
  return {
    // With TRUST_PROXY, Express takes the client's address from X-Forwarded-For as far as it trusts
    // the hops; without it, the socket's.
    clientIp: req.ip ?? req.socket.remoteAddress ?? "unknown",
    cspNonce: String(res.locals.cspNonce),
  };
}

/**
 * Every open petition page polls the count endpoint. Remix's pipeline for it (matching the path
 * against every route twice, adapting Express's request to a Fetch Request and back) cost five times
 * the endpoint's own work, so the server calls that route module's loader directly: the same code
 * answers, with the same headers (ADR 20, docs/benchmarks.md). Under `npm run dev` Remix routes it.
 */
function countEndpoint(build: ServerBuild): express.RequestHandler {
  const loader = build.routes[COUNT_ROUTE]?.module.loader;
  if (!loader) throw new Error(`${COUNT_ROUTE} is missing from the build`);
  const send = async (res: express.Response, response: Response) => {
    res.status(response.status);
    response.headers.forEach((value, name) => {
      res.setHeader(name, value);
    });
    res.end(await response.text());
  };
  return async (req, res, next) => {
    try {
      const headers = new Headers();
      const ifNoneMatch = req.get("If-None-Match");
      if (ifNoneMatch) headers.set("If-None-Match", ifNoneMatch);
      const result: unknown = await loader({
        request: new Request(`http://${req.get("host") ?? "localhost"}${req.originalUrl}`, { headers }),
        params: { idOrSlug: req.params.idOrSlug ?? "" },
        context: loadContext(req, res),
      });
      if (!(result instanceof Response)) throw new Error(`${COUNT_ROUTE} must answer with a Response`);
      await send(res, result);
    } catch (thrown) {
      if (thrown instanceof Response) await send(res, thrown);
      else next(thrown);
    }
  };
}

export const STORAGE_FULL_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Nothing could be stored · Undersigned</title></head>
<body><main><h1>Nothing could be stored</h1>
<p>Undersigned cannot store anything right now: the disk that holds its data is full.
Nothing you sent was stored: if you were signing a petition, your signature was not recorded.</p>
<p>Please try again in a few minutes.</p></main></body></html>
`;

/**
 * Remix's handler, as @remix-run/express's but for a full disk: when a loader, action or render
 * failed for want of space (handleError in entry.server marks the context), a document is answered
 * with a 503 page saying nothing was stored, and a data request keeps Remix's answer at 503; both
 * with Retry-After.
 */
function remixHandler(build: ServerBuild, retryAfterSeconds: number): express.RequestHandler {
  const handle = createRequestHandler(build, "production");
  return async (req, res, next) => {
    try {
      const request = createRemixRequest(req, res);
      const context = loadContext(req, res);
      let response = await handle(request, context);
      if (context.storageFull && response.status >= 500) {
        const headers = new Headers(response.headers);
        headers.set("Retry-After", String(retryAfterSeconds));
        const isData =
          new URL(request.url).pathname.endsWith(".data") || response.headers.has("X-Remix-Response");
        if (isData) response = new Response(response.body, { status: 503, headers });
        else {
          await response.body?.cancel();
          headers.set("Content-Type", "text/html; charset=utf-8");
          headers.delete("Content-Length");
          response = new Response(STORAGE_FULL_PAGE, { status: 503, headers });
        }
      }
      if (response.body && compressible(req, response)) response = await inOnePiece(response);
      await sendRemixResponse(res, response);
    } catch (error) {
      next(error);
    }
  };
}

/** Whether compressWhenSafe will compress this answer: a page or data, without a secret (ADR 27). */
function compressible(req: express.Request, response: Response): boolean {
  return (
    /^(text\/html|application\/json|text\/x-script)/.test(response.headers.get("Content-Type") ?? "") &&
    safeToCompress(req, response.headers.get("Set-Cookie") ?? undefined)
  );
}

/**
 * The answer read whole, to be written (and compressed) in one piece. Streamed, a page reaches the
 * compressor in many small writes, each a round trip through zlib's thread pool: 17 ms of server CPU
 * for the signed-out MCI petition page with brotli against 10 ms without, where compressing it in
 * one call costs 0.6 ms (docs/benchmarks.md, "Compression"). No page here streams (no `defer`),
 * so nothing arrives later for it.
 */
async function inOnePiece(response: Response): Promise<Response> {
  const body = await response.arrayBuffer();
  const headers = new Headers(response.headers);
  headers.set("Content-Length", String(body.byteLength));
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}

export function createHttpApp(
  build: ServerBuild,
  config: Pick<Config, "appUrl" | "trustProxy"> & Partial<Pick<Config, "oidc" | "saml" | "secureCookies">>,
  options: { assetsDir: string; retryAfterSeconds?: number; countEndpoint?: boolean },
): express.Express {
  const app = express();
  app.disable("x-powered-by");
  // Express's trust proxy: req.ip (the client address rate limits count) comes from X-Forwarded-For
  // only through the hops TRUST_PROXY trusts.
  app.set("trust proxy", config.trustProxy);
  const formAction = formTargets(config);
  app.use((_req, res, next) => {
    // On every response, pages or not (assets, refusals, errors): a nonce per response, which the
    // inline script Remix writes carries, so nothing else inline runs.
    const cspNonce = randomBytes(16).toString("base64");
    res.locals.cspNonce = cspNonce;
    res.setHeader("Content-Security-Policy", contentSecurityPolicy(cspNonce, formAction));
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Referrer-Policy", "same-origin");
    res.setHeader("X-Frame-Options", "DENY");
    next();
  });
  app.use(drainUnreadBodies);
  app.use(refuseMalformedHosts);
  // SameSite=Lax keeps the session cookie off cross-site form posts; this refuses them outright,
  // whatever the cookie (docs/decisions/0017-origin-check.md).
  app.use(cacheHeaders(config.secureCookies ?? false));
  // The identity provider's page posts SAML answers to the assertion consumer from its own origin.
  app.use(refuseCrossSiteRequests(config.appUrl, ["/auth/saml/acs"]));
  // The build's only static files are its fingerprinted assets (there is no public/ folder; the
  // favicon is inline). A static handler at the root would look on disk for every page and API
  // request before Remix answers it — a stat per request — so only /assets is served from disk,
  // with the brotli and gzip copies made at build time.
  app.use("/assets", serveAssets(options.assetsDir));
  app.use(compressWhenSafe());
  if (options.countEndpoint !== false) app.get("/api/petitions/:idOrSlug/count", countEndpoint(build));
  app.all("*", remixHandler(build, options.retryAfterSeconds ?? 60));
  // Express's own error page (a path it cannot decode, say) would replace the headers above.
  app.use(
    (
      error: { status?: number },
      _req: express.Request,
      res: express.Response,
      next: express.NextFunction,
    ) => {
      if (res.headersSent) return next(error);
      const status =
        typeof error.status === "number" && error.status >= 400 && error.status < 500 ? error.status : 500;
      if (status === 500) console.error(errorForLog(error));
      res
        .status(status)
        .type("text/plain")
        .send(status === 500 ? "Something went wrong.\n" : "Bad request.\n");
    },
  );
  return app;
}
