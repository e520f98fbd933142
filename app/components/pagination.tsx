import { Link, useLocation } from "@remix-run/react";
import { useT } from "../i18n/translate";

/** Previous / next links that keep the other query parameters. */
export function Pagination({ page, pageCount, hash }: { page: number; pageCount: number; hash?: string }) {
  const location = useLocation();
  const t = useT();
  if (pageCount <= 1) return null;
  const to = (target: number) => {
    const params = new URLSearchParams(location.search);
    params.set("page", String(target));
    return `${location.pathname}?${params}${hash ? `#${hash}` : ""}`;
  };
  return (
    <nav className="pagination" aria-label={t("petition.pages.label")}>
      {page > 1 ? <Link to={to(page - 1)}>{t("petition.pages.previous")}</Link> : <span />}
      <span>{t("petition.pages.page", { page, pageCount })}</span>
      {page < pageCount ? <Link to={to(page + 1)}>{t("petition.pages.next")}</Link> : <span />}
    </nav>
  );
}
