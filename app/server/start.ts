/**
 * `npm start`: validates the configuration, builds if the build is missing or stale, opens and
 * migrates the database, starts the mail sender and serves HTTP. `--build-only` stops after the build.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import express from "express";
import { type Config, ConfigError, loadConfig } from "../config.server";
import { ensureFreshBuild } from "./build-freshness";
import { drainUnreadBodies, refuseCrossSiteRequests, refuseMalformedHosts } from "./request-guards.server";

type BootableEntry = { boot: () => () => Promise<void> };

/**
 * Where this site's forms may lead: itself, and the company's identity provider, to which "Sign in
 * with …" and sign-out redirect (browsers hold form-action to a form's redirects too).
 */
function formTargets(config: Config): string {
  const origins = [config.oidc?.issuer, config.saml?.entryPoint]
    .filter((url): url is string => Boolean(url))
    .map((url) => new URL(url).origin);
  return ["'self'", ...new Set(origins)].join(" ");
}

function contentSecurityPolicy(nonce: string, formAction: string): string {
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
      // The nonce the headers middleware drew for this response (its CSP is already set).
      const cspNonce = String(res.locals.cspNonce);
      const result: unknown = await loader({
        request: new Request(`http://${req.get("host") ?? "localhost"}${req.originalUrl}`, { headers }),
        params: { idOrSlug: req.params.idOrSlug ?? "" },
        context: { clientIp: req.socket.remoteAddress ?? "unknown", cspNonce },
      });
      if (!(result instanceof Response)) throw new Error(`${COUNT_ROUTE} must answer with a Response`);
      await send(res, result);
    } catch (thrown) {
      if (thrown instanceof Response) await send(res, thrown);
      else next(thrown);
    }
  };
}

/**
 * Caching, set just before each response's head goes out (whatever answered it: Remix, the count
 * endpoint, a refusal). A signed-in response (the request carries the session cookie, or the
 * response sets one) is `private, no-store`: a shared cache must never serve one person's page (root
 * data holds their address) to another, nor a browser keep it after sign-out. Every page and `_data`
 * answer varies with the cookie. Under https, HSTS. The fingerprinted assets keep their own headers.
 */
function cacheHeaders(https: boolean): express.RequestHandler {
  return (req, res, next) => {
    if (req.path.startsWith("/assets/")) return next();
    const writeHead = res.writeHead;
    const signedIn = /(?:^|;\s*)__session=/.test(req.get("Cookie") ?? "");
    res.writeHead = function (this: express.Response, ...args: unknown[]) {
      const setCookie = [res.getHeader("Set-Cookie") ?? []].flat().map(String);
      if (signedIn || setCookie.some((c) => c.startsWith("__session="))) {
        res.setHeader("Cache-Control", "private, no-store");
      } else if (!res.getHeader("Cache-Control")) {
        res.setHeader("Cache-Control", "no-cache");
      }
      const vary = String(res.getHeader("Vary") ?? "");
      if (!/\bcookie\b/i.test(vary)) res.setHeader("Vary", vary ? `${vary}, Cookie` : "Cookie");
      if (https) res.setHeader("Strict-Transport-Security", "max-age=31536000");
      return (writeHead as (...a: unknown[]) => express.Response).apply(this, args);
    } as typeof res.writeHead;
    next();
  };
}

async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }

  ensureFreshBuild();
  if (process.argv.includes("--build-only")) return;

  const build = (await import(pathToFileURL(path.resolve("build/server/index.js")).href)) as ServerBuild;
  const stopBackground = (build.entry.module as unknown as BootableEntry).boot();

  const formAction = formTargets(config);
  const app = express();
  app.disable("x-powered-by");
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
  app.use(cacheHeaders(config.secureCookies));
  app.use(drainUnreadBodies);
  app.use(refuseMalformedHosts);
  // SameSite=Lax keeps the session cookie off cross-site form posts; this refuses them outright,
  // whatever the cookie (docs/decisions/0017-origin-check.md).
  app.use(refuseCrossSiteRequests(config.appUrl, ["/auth/saml/acs"]));
  // The build's only static files are its fingerprinted assets (there is no public/ folder; the
  // favicon is inline). A static handler at the root would look on disk for every page and API
  // request before Remix answers it — a stat per request — so only /assets is served from disk.
  app.use("/assets", express.static("build/client/assets", { immutable: true, maxAge: "1y" }));
  app.get("/api/petitions/:idOrSlug/count", countEndpoint(build));
  app.all(
    "*",
    createRequestHandler({
      build,
      mode: "production",
      getLoadContext(req, res) {
        return { clientIp: req.socket.remoteAddress ?? "unknown", cspNonce: String(res.locals.cspNonce) };
      },
    }),
  );
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
      if (status === 500) console.error(error);
      res
        .status(status)
        .type("text/plain")
        .send(status === 500 ? "Something went wrong.\n" : "Bad request.\n");
    },
  );

  const server = app.listen(config.port, () => {
    console.log(`Undersigned is listening on ${config.appUrl} (database: ${config.databasePath})`);
    if (!config.smtpUrl)
      console.log(`No SMTP_URL: emails stay in the dev mailbox at ${config.appUrl}/dev/mailbox`);
  });

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    server.close();
    server.closeIdleConnections();
    await stopBackground();
    process.exit(0);
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
