import { PassThrough } from "node:stream";
import type { AppLoadContext, EntryContext } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { isRouteErrorResponse, RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import "./load-context";
import { NonceProvider } from "./components/nonce";
import { CatalogProvider } from "./i18n/catalog-context";
import { serverCatalogFor } from "./i18n/catalogs.server";
import { type AnyLocale, isLocale, isPseudoLocale, isTimeZone, SOURCE_LOCALE } from "./i18n/locales";
import { intlFor } from "./i18n/translate";
import { errorForLog } from "./platform/runtime/log-text";
import { isStorageFull, noteStorageFull } from "./platform/runtime/storage.server";
import { boot, closeDatabase, openForServing, startJobs } from "./server/boot.server";

export { closeDatabase, openForServing, startJobs };

/**
 * Remix calls this for every error a loader, action or render throws. A full disk is noted (the log
 * says it once) and marked on the request's context, so the server answers 503 with Retry-After
 * (app/server/http-app.ts) rather than a bare 500. A request Remix itself refuses with a 4xx (a
 * `?_data=` naming no route of the page, a POST to a page without a form) is the client's mistake,
 * answered as such: it logged an 11-line stack trace quoting the request, so anyone could fill the
 * log. Everything else is logged as Remix would, through errorForLog (no request text verbatim).
 */
export function handleError(
  error: unknown,
  { request, context }: { request: Request; context: AppLoadContext },
) {
  if (isStorageFull(error)) {
    noteStorageFull();
    context.storageFull = true;
    return;
  }
  if (request.signal.aborted) return;
  if (isRouteErrorResponse(error) && error.status < 500) return;
  // As Remix's own handler: an internal error response is logged as its cause.
  const cause = (error as { error?: unknown } | null)?.error;
  console.error(errorForLog(error instanceof Error || !cause ? error : cause));
}

// `npm start` boots from app/server/start.ts; the dev server has no such hook, so boot here.
if (process.env.NODE_ENV === "development") boot();

const ABORT_DELAY = 5_000;

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = loadContext.cspNonce ?? "";
  // The root loader chose the reader's language; without its data (it failed), the source language.
  const root = remixContext.staticHandlerContext.loaderData.root as
    | { locale?: unknown; timeZone?: unknown }
    | undefined;
  const chosen = root?.locale;
  const locale: AnyLocale = isLocale(chosen) || isPseudoLocale(chosen) ? chosen : SOURCE_LOCALE;
  const timeZone = isTimeZone(root?.timeZone) ? root.timeZone : "UTC";
  const messages = serverCatalogFor(locale);
  // Bots and no-JS clients get the whole document at once; browsers get the shell as soon as it is ready.
  const readyEvent = isbot(request.headers.get("user-agent") ?? "") ? "onAllReady" : "onShellReady";
  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    let abortTimer: NodeJS.Timeout | undefined;
    const { pipe, abort } = renderToPipeableStream(
      <NonceProvider value={nonce}>
        <CatalogProvider value={{ locale, messages, intl: intlFor(locale, timeZone, messages) }}>
          <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
        </CatalogProvider>
      </NonceProvider>,
      {
        nonce,
        [readyEvent]() {
          shellRendered = true;
          const body = new PassThrough();
          // The render is done when the body is: then nothing is left to abort (aborting an ended
          // stream made and threw away an error, with its stack trace, for every page).
          body.once("close", () => clearTimeout(abortTimer));
          responseHeaders.set("Content-Type", "text/html; charset=utf-8");
          resolve(
            new Response(createReadableStreamFromReadable(body), {
              headers: responseHeaders,
              status: responseStatusCode,
            }),
          );
          pipe(body);
        },
        onShellError(error: unknown) {
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          if (shellRendered) console.error(errorForLog(error));
        },
      },
    );
    abortTimer = setTimeout(abort, ABORT_DELAY);
  });
}
