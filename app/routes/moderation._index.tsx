import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { formatDateTime, formatWaiting } from "../components/format";
import { countReportedComments } from "../domain/discussion/queue.server";
import { moderationQueue } from "../domain/petitions/reads.server";
import { requirePermission } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction = () => [{ title: "Moderation · Undersigned" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "moderate:petition");
  return json({ queue: moderationQueue(), reportedComments: countReportedComments() });
}

export default function Moderation() {
  const { queue, reportedComments } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Moderation</h1>
      <p className="card">
        <Link to="/moderation/comments">Reported comments</Link>:{" "}
        {reportedComments ? `${reportedComments.toLocaleString("en")} waiting` : "none waiting"}
      </p>
      <h2>Petitions awaiting moderation</h2>
      {queue.length ? (
        <ul className="petition-list">
          {queue.map((p) => (
            <li key={p.id} className="card">
              <h3 className="petition-title">
                <Link to={`/petitions/${p.slug}`}>{p.title}</Link>
              </h3>
              <p>{p.summary}</p>
              <p className="meta">
                {p.overdue ? <span className="badge badge-warn">Overdue</span> : null} Waiting{" "}
                {formatWaiting(p.waitingMs)}, since {formatDateTime(p.updatedAt)}
              </p>
            </li>
          ))}
        </ul>
      ) : (
        <p>Nothing is waiting. Well done.</p>
      )}
    </>
  );
}
