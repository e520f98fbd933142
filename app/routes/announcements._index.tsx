import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { Pagination } from "../components/pagination";
import { announcementView, listAnnouncements } from "../domain/announcements/reads.server";
import { can } from "../domain/identity/permissions.server";
import { useFormat } from "../i18n/format";
import { useT } from "../i18n/translate";
import { wordsFor } from "../web/reader.server";
import { pageParam, parseQuery } from "../web/request.server";
import { getUser } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getUser(request);
  const { page } = parseQuery(request, z.object({ page: pageParam }));
  const canWrite = Boolean(user && can(user, "publish:announcement"));
  const { announcements, pageCount } = listAnnouncements({ page, includeUnpublished: canWrite });
  const { t } = await wordsFor(request);
  return json({
    title: t("common.pageTitle", { page: t("policies.memos.title") }),
    announcements: announcements.map(announcementView),
    pageCount,
    page,
    canWrite,
  });
}

export default function Announcements() {
  const data = useLoaderData<typeof loader>();
  const t = useT();
  const format = useFormat();
  return (
    <div className="stack">
      <div className="page-head">
        <h1>{t("policies.memos.title")}</h1>
        {data.canWrite ? (
          <Link to="/announcements/new" className="button">
            {t("policies.memos.new")}
          </Link>
        ) : null}
      </div>
      <p className="muted">
        {t("policies.memos.intro")} <a href="/announcements.atom">{t("policies.memos.feed")}</a>
      </p>
      {data.announcements.length === 0 ? <p>{t("policies.memos.empty")}</p> : null}
      <ul className="petition-list">
        {data.announcements.map((a) => (
          <li key={a.id} className="card">
            <h2 className="petition-title">
              <Link to={`/announcements/${a.slug}`}>{a.title}</Link>
            </h2>
            <p className="meta">
              {/* Publishing and later edits are kept to their UTC day for these pages: said as that day. */}
              {a.state === "published" && a.publishedAt ? (
                t("policies.memos.published", { day: format.utcDay(a.publishedAt) })
              ) : (
                <span className="badge badge-warn">
                  {a.state === "scheduled" ? t("policies.memos.scheduled") : t("policies.memos.draft")}
                </span>
              )}
              {a.updatedAfterPublishingAt
                ? ` · ${t("policies.memos.updated", { day: format.utcDay(a.updatedAfterPublishingAt) })}`
                : ""}
            </p>
          </li>
        ))}
      </ul>
      <Pagination page={data.page} pageCount={data.pageCount} />
    </div>
  );
}
