import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { CommentItem } from "../components/comments/item";
import { formatDateTime, formatWaiting } from "../components/format";
import { reportedComments } from "../domain/discussion/queue.server";
import { REPORT_REASON_LABELS } from "../vocabulary/comments";
import { REPORT_URGENCY_LABELS } from "../vocabulary/moderation";
import { requirePermission } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction = () => [{ title: "Reported comments · Moderation · Undersigned" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const moderator = await requirePermission(request, "moderate:comment");
  return json({ queue: reportedComments(moderator) });
}

export default function ReportedComments() {
  const { queue } = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <p>
        <Link to="/moderation">← Moderation</Link>
      </p>
      <h1>Reported comments</h1>
      <p className="muted">
        Urgent first — comments reports hid, and popular ones reported as often but kept visible — then the
        longest waiting. Reporters are not shown to anyone. Hide (the author is told why by email), restore a
        hidden comment, or dismiss the reports.
      </p>
      {queue.length === 0 ? <p>No open reports. Well done.</p> : null}
      <ol className="comment-list">
        {queue.map(({ comment, thread, reports, urgency, waitingMs }) => (
          <li key={comment.id} className="card stack">
            {urgency === "waiting" ? null : (
              <p className="urgency">
                <strong>{REPORT_URGENCY_LABELS[urgency]}</strong>
              </p>
            )}
            <p className="meta">
              Waiting {formatWaiting(waitingMs)} · on{" "}
              <Link to={`${thread.path}#comments`}>{thread.title}</Link>
            </p>
            <CommentItem comment={comment} thread={thread} standalone />
            <h2 className="sr-only">Reports</h2>
            <ul>
              {reports.map((report) => (
                <li key={`${report.createdAt}-${report.reason}`}>
                  <strong>{REPORT_REASON_LABELS[report.reason]}</strong>
                  {report.note ? ` — “${report.note}”` : ""}{" "}
                  <span className="muted">{formatDateTime(report.createdAt)}</span>
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ol>
    </div>
  );
}
