import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { formatDate } from "../components/format";
import { Pagination } from "../components/pagination";
import { announcementView, listAnnouncements } from "../domain/announcements/reads.server";
import { can } from "../domain/identity/permissions.server";
import { pageParam, parseQuery } from "../web/request.server";
import { getUser } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction = () => [{ title: "Announcements · Undersigned" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getUser(request);
  const { page } = parseQuery(request, z.object({ page: pageParam }));
  const canWrite = Boolean(user && can(user, "publish:announcement"));
  const { announcements, pageCount } = listAnnouncements({ page, includeUnpublished: canWrite });
  return json({ announcements: announcements.map(announcementView), pageCount, page, canWrite });
}

export default function Announcements() {
  const data = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <div className="page-head">
        <h1>Announcements</h1>
        {data.canWrite ? (
          <Link to="/announcements/new" className="button">
            New announcement
          </Link>
        ) : null}
      </div>
      <p className="muted">
        Leadership&apos;s memos: answers to petitions, policy changes and commitments.{" "}
        <a href="/announcements.atom">Atom feed</a>
      </p>
      {data.announcements.length === 0 ? <p>No announcements yet.</p> : null}
      <ul className="petition-list">
        {data.announcements.map((a) => (
          <li key={a.id} className="card">
            <h2 className="petition-title">
              <Link to={`/announcements/${a.slug}`}>{a.title}</Link>
            </h2>
            <p className="meta">
              {a.state === "published" && a.publishedAt ? (
                `Published ${formatDate(a.publishedAt)}`
              ) : (
                <span className="badge badge-warn">{a.state === "scheduled" ? "Scheduled" : "Draft"}</span>
              )}
              {a.updatedAfterPublishingAt ? ` · updated ${formatDate(a.updatedAfterPublishingAt)}` : ""}
            </p>
          </li>
        ))}
      </ul>
      <Pagination page={data.page} pageCount={data.pageCount} />
    </div>
  );
}
