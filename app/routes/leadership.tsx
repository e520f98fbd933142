import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { openObligations } from "../domain/announcements/obligations.server";
import { useFormat } from "../i18n/format";
import { useT } from "../i18n/translate";
import { wordsFor } from "../web/reader.server";
import { requirePermission } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "view:obligations");
  const { t } = await wordsFor(request);
  return json({
    title: t("common.pageTitle", { page: t("policies.awaiting.title") }),
    obligations: openObligations(),
  });
}

export default function Leadership() {
  const { obligations } = useLoaderData<typeof loader>();
  const t = useT();
  const format = useFormat();
  return (
    <div className="stack">
      <h1>{t("policies.awaiting.title")}</h1>
      <p className="muted">{t("policies.awaiting.intro")}</p>
      {obligations.length === 0 ? <p>{t("policies.awaiting.empty")}</p> : null}
      <ul className="petition-list">
        {obligations.map((o) => (
          <li key={o.milestoneId} className="card">
            <h2 className="petition-title">
              <Link to={`/petitions/${o.petition.slug}`}>{o.petition.title}</Link>
            </h2>
            <p className="meta">
              <span className={o.overdue ? "badge badge-bad" : "badge badge-warn"}>
                {o.overdue
                  ? t("policies.awaiting.overdue", { due: format.dateTime(o.dueAt) })
                  : t("policies.awaiting.due", { due: format.dateTime(o.dueAt) })}
              </span>{" "}
              {t("policies.awaiting.reached", {
                threshold: o.threshold,
                day: format.date(o.reachedAt),
                count: o.petition.signatureCount,
              })}
            </p>
            <p>
              <Link to={`/announcements/new?petition=${o.petition.id}`}>{t("policies.awaiting.write")}</Link>
            </p>
          </li>
        ))}
      </ul>
    </div>
  );
}
