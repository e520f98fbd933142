import { isRouteErrorResponse, Link, useRouteError } from "@remix-run/react";
import { type MessageKey, useT } from "../i18n/translate";
import { useSaid } from "./said";

const TITLES: Record<number, MessageKey> = {
  400: "identity.error.title.400",
  403: "identity.error.title.403",
  404: "identity.error.title.404",
  405: "identity.error.title.405",
  413: "identity.error.title.413",
  429: "identity.error.title.429",
};

/**
 * The one error boundary: every route exports it (`export { GeneralErrorBoundary as ErrorBoundary }`).
 * It renders inside the root's IntlProvider, so its words are the reader's; a refusal's own message
 * (the response's text) arrives already written in their language.
 */
export function GeneralErrorBoundary() {
  const t = useT();
  const error = useRouteError();
  const said = useSaid();
  if (isRouteErrorResponse(error)) {
    const title = t(TITLES[error.status] ?? "identity.error.title.other");
    const detail =
      typeof error.data === "string" && error.data.length > 0 && error.status < 500
        ? said(error.data)
        : error.status === 404
          ? t("identity.error.notFound")
          : t("identity.error.tryAgain");
    return (
      <section className="error-page" aria-labelledby="error-title">
        <h1 id="error-title">{title}</h1>
        <p>{detail}</p>
        <p className="muted">{t("identity.error.status", { status: error.status })}</p>
        <p>
          <Link to="/">{t("identity.error.home")}</Link>
        </p>
      </section>
    );
  }
  console.error(error);
  return (
    <section className="error-page" aria-labelledby="error-title">
      <h1 id="error-title">{t("identity.error.title.other")}</h1>
      <p>{t("identity.error.unexpected")}</p>
      <p>
        <Link to="/">{t("identity.error.home")}</Link>
      </p>
    </section>
  );
}
