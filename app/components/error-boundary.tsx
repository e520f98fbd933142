import { isRouteErrorResponse, Link, useRouteError } from "@remix-run/react";
import { useSaid } from "./said";

const TITLES: Record<number, string> = {
  400: "That request was not understood",
  403: "You do not have access to this page",
  404: "Page not found",
  405: "That is not allowed here",
  413: "That upload is too large",
  429: "Too many requests",
};

/** The one error boundary: every route exports it (`export { GeneralErrorBoundary as ErrorBoundary }`). */
export function GeneralErrorBoundary() {
  const error = useRouteError();
  const said = useSaid();
  if (isRouteErrorResponse(error)) {
    const title = TITLES[error.status] ?? "Something went wrong";
    const detail =
      typeof error.data === "string" && error.data.length > 0 && error.status < 500
        ? said(error.data)
        : error.status === 404
          ? "There is nothing at this address. Check the link, or start from the home page."
          : "Please try again in a moment.";
    return (
      <section className="error-page" aria-labelledby="error-title">
        <h1 id="error-title">{title}</h1>
        <p>{detail}</p>
        <p className="muted">Error {error.status}</p>
        <p>
          <Link to="/">Go to the home page</Link>
        </p>
      </section>
    );
  }
  console.error(error);
  return (
    <section className="error-page" aria-labelledby="error-title">
      <h1 id="error-title">Something went wrong</h1>
      <p>An unexpected error happened on our side. Nothing you entered was lost; please try again.</p>
      <p>
        <Link to="/">Go to the home page</Link>
      </p>
    </section>
  );
}
