import type { SubmissionResult } from "@conform-to/react";
import { json } from "@remix-run/node";
import { CommentError } from "./models/comments.server";
import { type Flash, redirectWithFlash } from "./models/flash.server";
import { safeRedirect } from "./models/sign-in.server";

/**
 * How comment actions answer. A plain form (no JavaScript) gets a redirect back to the page it came
 * from, with a flash message; a fetcher (its forms carry `_fetcher`) gets the conform result as data
 * and Remix revalidates the page in place.
 */
export async function commentActionDone(
  formData: FormData,
  reply: (options?: { resetForm?: boolean }) => SubmissionResult<string[]>,
  flash: Flash,
  fallback: string,
  anchor?: string,
) {
  if (formData.get("_fetcher") === "1")
    return json({ ...reply({ resetForm: true }), message: flash.message });
  // Back where the person was, without a form the comment's page had opened for them.
  const back = new URL(safeRedirect(formData.get("returnTo"), fallback), "http://local");
  back.searchParams.delete("form");
  back.hash = anchor ?? back.hash;
  return redirectWithFlash(`${back.pathname}${back.search}${back.hash}`, flash);
}

/** A refused change (CommentError) becomes a 4xx with the reason on the form; anything else is a bug. */
export function commentActionRefused(
  error: unknown,
  reply: (options: { formErrors: string[] }) => SubmissionResult<string[]>,
) {
  if (error instanceof CommentError)
    return json(reply({ formErrors: [error.message] }), { status: error.status });
  throw error;
}
