import type { SubmissionResult } from "@conform-to/react";
import { json } from "@remix-run/node";
import { type Flash, flashCookie, redirectWithFlash } from "./flash.server";
import { safeRedirect } from "./safe-redirect";

/**
 * Where to show the person the result: back on the page they came from (optionally with changed
 * query parameters and an anchor), or another local path (a comment's own page).
 */
export type CommentDestination =
  | { back: true; anchor?: string; query?: Record<string, string | null> }
  | { path: string };

/** The local path for a destination, never anything a browser could read as another site. */
export function destinationPath(
  formData: FormData,
  destination: CommentDestination,
  fallback: string,
): string {
  if ("path" in destination) return safeRedirect(destination.path, fallback);
  const back = new URL(safeRedirect(formData.get("returnTo"), fallback), "http://local");
  // A form the comment's page opened for a plain-form visitor is done with.
  back.searchParams.delete("form");
  for (const [name, value] of Object.entries(destination.query ?? {})) {
    if (value === null) back.searchParams.delete(name);
    else back.searchParams.set(name, value);
  }
  if (destination.anchor) back.hash = destination.anchor;
  // URL parsing normalizes "/.//x" to "//x": check the result again.
  return safeRedirect(`${back.pathname}${back.search}${back.hash}`, fallback);
}

/**
 * How comment actions answer. A plain form (no JavaScript) gets a redirect to its destination with a
 * flash message. A fetcher (its forms carry `_fetcher`) gets the conform result as data, plus the
 * destination when the page should move to show the result; the flash cookie rides along and the
 * root loader, revalidated after the action, shows it — the same one flash mechanism.
 */
export async function commentActionDone(
  formData: FormData,
  reply: (options?: { resetForm?: boolean }) => SubmissionResult<string[]>,
  flash: Flash,
  options: {
    fallback: string;
    destination?: CommentDestination;
    /** With JavaScript too, move the page to the destination (a new comment it may not show). */
    move?: boolean;
    /** With JavaScript the result is visible in place (a vote): no message. */
    quietInPlace?: boolean;
  },
) {
  const to = destinationPath(formData, options.destination ?? { back: true }, options.fallback);
  if (formData.get("_fetcher") !== "1") return redirectWithFlash(to, flash);
  // `done` says it succeeded: conform's reset reply is only `{ initialValue: null }`, with no status.
  return json(
    { ...reply({ resetForm: true }), done: true, location: options.move ? to : null },
    options.quietInPlace ? undefined : { headers: { "Set-Cookie": await flashCookie(flash) } },
  );
}
