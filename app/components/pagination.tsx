import { Link, useLocation } from "@remix-run/react";

/** Previous / next links that keep the other query parameters. */
export function Pagination({ page, pageCount, hash }: { page: number; pageCount: number; hash?: string }) {
  const location = useLocation();
  if (pageCount <= 1) return null;
  const to = (target: number) => {
    const params = new URLSearchParams(location.search);
    params.set("page", String(target));
    return `${location.pathname}?${params}${hash ? `#${hash}` : ""}`;
  };
  return (
    <nav className="pagination" aria-label="Pages">
      {page > 1 ? <Link to={to(page - 1)}>← Previous</Link> : <span />}
      <span>
        Page {page} of {pageCount}
      </span>
      {page < pageCount ? <Link to={to(page + 1)}>Next →</Link> : <span />}
    </nav>
  );
}
