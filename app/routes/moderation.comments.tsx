import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { CommentItem } from "../components/comments/item";
import { reportedComments } from "../domain/discussion/queue.server";
import { useFormat } from "../i18n/format";
import { useT } from "../i18n/translate";
import { REPORT_REASON_KEYS } from "../vocabulary/comments";
import { REPORT_URGENCY_KEYS } from "../vocabulary/moderation";
import { wordsFor } from "../web/reader.server";
import { requirePermission } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const moderator = await requirePermission(request, "moderate:comment");
  const { t } = await wordsFor(request);
  return json({
    queue: reportedComments(moderator),
    title: t("common.pageTitle", { page: t("discussion.moderation.commentsTitle") }),
  });
}

export default function ReportedComments() {
  const t = useT();
  const format = useFormat();
  const { queue } = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <p>
        <Link to="/moderation">{t("discussion.moderation.back")}</Link>
      </p>
      <h1>{t("discussion.moderation.reportedComments")}</h1>
      <p className="muted">{t("discussion.moderation.commentsIntro")}</p>
      {queue.length === 0 ? <p>{t("discussion.moderation.noReports")}</p> : null}
      <ol className="comment-list">
        {queue.map(({ comment, thread, reports, urgency, waitingMs }) => (
          <li key={comment.id} className="card stack">
            {urgency === "waiting" ? null : (
              <p className="urgency">
                <strong>{t(REPORT_URGENCY_KEYS[urgency])}</strong>
              </p>
            )}
            <p className="meta">
              {t.rich("discussion.moderation.waitingOn", {
                waiting: format.waiting(waitingMs),
                title: thread.title,
                link: (chunks) => <Link to={`${thread.path}#comments`}>{chunks}</Link>,
              })}
            </p>
            <CommentItem comment={comment} thread={thread} standalone />
            <h2 className="sr-only">{t("discussion.moderation.reports")}</h2>
            <ul>
              {reports.map((report) => (
                <li key={`${report.createdAt}-${report.reason}`}>
                  <strong>{t(REPORT_REASON_KEYS[report.reason])}</strong>
                  {report.note ? t("discussion.moderation.reportNote", { note: report.note }) : ""}{" "}
                  <span className="muted">{format.dateTime(report.createdAt)}</span>
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ol>
    </div>
  );
}
