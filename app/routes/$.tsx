import { GeneralErrorBoundary } from "../components/error-boundary";

/** Every unknown URL: a real 404 page with the site's layout. */
export function loader() {
  throw new Response("Not found", { status: 404 });
}

export default function NotFound() {
  return null;
}

export const ErrorBoundary = GeneralErrorBoundary;
