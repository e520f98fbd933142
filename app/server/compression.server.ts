import compression from "compression";
import type express from "express";
import expressStaticGzip from "express-static-gzip";
import { hasSessionCookie } from "../web/cookie-names";

/**
 * What is sent compressed (ADR 27).
 *
 * - The fingerprinted assets: brotli and gzip copies are written at build time
 *   (app/server/precompress.ts), so serving them costs no CPU; express-static-gzip picks the copy the
 *   browser accepts and says `Vary: Accept-Encoding`.
 * - Pages and API answers only when nothing in them is a secret of the reader's: BREACH recovers a
 *   secret from the sizes of compressed responses that carry it next to text an attacker can put there
 *   (a search box, a query parameter, a comment). So nothing is compressed for a request that carries
 *   a session cookie (its pages hold the reader's name, their receipts and anonymous signatures, their
 *   own comments' controls), nor a response that sets a cookie, nor the pages whose address or body
 *   holds a one-time secret (the sign-in link's page, the page confirming a company sign-in, unsubscribe links; the dev mailbox is not served
 *   here, and its own server compresses nothing). What is left is what any signed-out visitor sees:
 *   the public pages, lists and API, which Lighthouse and every first visit load.
 */

const SECRET_PAGES = /^\/(sign-in\/(verify|link)|unsubscribe\/)/;

/** Whether a response may be compressed without BREACH exposing a secret (see above). */
export function safeToCompress(
  request: { path: string; headers: { cookie?: string } },
  setCookie: unknown,
): boolean {
  if (hasSessionCookie(request.headers.cookie ?? "")) return false;
  if (setCookie !== undefined) return false;
  return !SECRET_PAGES.test(request.path);
}

/**
 * Brotli at quality 4 and gzip at level 6 (compression's defaults) cost about a millisecond for a
 * 170 KiB page (docs/benchmarks.md, "Compression"); responses under 1 KiB go as they are.
 */
export function compressWhenSafe(): express.RequestHandler {
  return compression({
    filter: (req, res) =>
      safeToCompress(req as express.Request, res.getHeader("Set-Cookie")) && compression.filter(req, res),
  });
}

export function serveAssets(dir: string): express.RequestHandler {
  return expressStaticGzip(dir, {
    enableBrotli: true,
    orderPreference: ["br", "gzip"],
    serveStatic: { immutable: true, maxAge: "1y", index: false },
  });
}
