import { GeneralErrorBoundary } from "../components/error-boundary";
import { notFound } from "../web/refusal-reply.server";

/** Every unknown URL: a real 404 page with the site's layout. */
export function loader() {
  notFound();
}

export default function NotFound() {
  return null;
}

export const ErrorBoundary = GeneralErrorBoundary;
