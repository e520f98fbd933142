import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { countReportedComments } from "../domain/discussion/queue.server";
import { moderationQueue } from "../domain/petitions/reads.server";
import { useFormat } from "../i18n/format";
import { useT } from "../i18n/translate";
import { wordsFor } from "../web/reader.server";
import { requirePermission } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "moderate:petition");
  const { t } = await wordsFor(request);
  return json({
    queue: moderationQueue(),
    reportedComments: countReportedComments(),
    title: t("common.pageTitle", { page: t("discussion.moderation.title") }),
  });
}

export default function Moderation() {
  const t = useT();
  const format = useFormat();
  const { queue, reportedComments } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>{t("discussion.moderation.title")}</h1>
      <p className="card">
        {t.rich("discussion.moderation.reportedCount", {
          count: reportedComments,
          link: (chunks) => <Link to="/moderation/comments">{chunks}</Link>,
        })}
      </p>
      <h2>{t("discussion.moderation.petitions")}</h2>
      {queue.length ? (
        <ul className="petition-list">
          {queue.map((p) => (
            <li key={p.id} className="card">
              <h3 className="petition-title">
                <Link to={`/petitions/${p.slug}`}>{p.title}</Link>
              </h3>
              <p>{p.summary}</p>
              <p className="meta">
                {p.overdue ? (
                  <span className="badge badge-warn">{t("discussion.moderation.overdue")}</span>
                ) : null}{" "}
                {t("discussion.moderation.waitingSince", {
                  waiting: format.waiting(p.waitingMs),
                  since: format.dateTime(p.updatedAt),
                })}
              </p>
            </li>
          ))}
        </ul>
      ) : (
        <p>{t("discussion.moderation.nothing")}</p>
      )}
    </>
  );
}
