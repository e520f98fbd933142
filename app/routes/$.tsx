import type { LoaderFunctionArgs } from "@remix-run/node";
import { GeneralErrorBoundary } from "../components/error-boundary";
import { wordsFor } from "../web/reader.server";
import { notFound } from "../web/refusal-reply.server";

/** Every unknown URL: a real 404 page with the site's layout, in the reader's words. */
export async function loader({ request }: LoaderFunctionArgs) {
  notFound((await wordsFor(request)).t("identity.error.nothingHere"));
}

export default function NotFound() {
  return null;
}

export const ErrorBoundary = GeneralErrorBoundary;
