import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { directoryStats } from "../domain/people/directory.server";
import { useFormat } from "../i18n/format";
import { useT } from "../i18n/translate";
import { listOutbox } from "../platform/mail/outbox.server";
import { ROLES } from "../vocabulary/roles";
import { wordsFor } from "../web/reader.server";
import { requirePermission } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "view:admin");
  const { t } = await wordsFor(request);
  return json({
    title: t("common.pageTitle", { page: t("admin.overview.title") }),
    stats: directoryStats(),
    outbox: listOutbox({ page: 1 }).totals,
  });
}

export default function AdminOverview() {
  const { stats, outbox } = useLoaderData<typeof loader>();
  const t = useT();
  const format = useFormat();
  return (
    <>
      <h1>{t("admin.overview.heading")}</h1>
      <div className="grid">
        <section className="card" aria-labelledby="directory-title">
          <h2 id="directory-title">{t("admin.overview.directory")}</h2>
          <p>{t("admin.overview.people", { active: stats.active, inactive: stats.inactive })}</p>
          <p>
            <Link to="/admin/directory">{t("admin.overview.importCsv")}</Link>
          </p>
        </section>
        <section className="card" aria-labelledby="roles-title">
          <h2 id="roles-title">{t("admin.overview.roles")}</h2>
          <p className="muted">{t("admin.role.staffCan")}</p>
          <ul>
            {ROLES.map((role) => (
              <li key={role}>
                <Link to={`/admin/people?role=${role}`}>
                  {t("admin.overview.roleCount", {
                    role: t("admin.role", { role }),
                    count: format.number(stats.roles[role]),
                  })}
                </Link>{" "}
                <span className="muted">
                  {t("admin.overview.roleAdds", { adds: t("admin.role.adds", { role }) })}
                </span>
              </li>
            ))}
          </ul>
        </section>
        <section className="card" aria-labelledby="backups-title">
          <h2 id="backups-title">{t("admin.overview.backups")}</h2>
          <p>
            <Link to="/admin/backups">{t("admin.overview.backupsLink")}</Link>
          </p>
        </section>
        <section className="card" aria-labelledby="outbox-title">
          <h2 id="outbox-title">{t("admin.overview.outbox")}</h2>
          <p>
            {t("admin.overview.outboxTotals", {
              queued: format.number(outbox.queued),
              sending: format.number(outbox.sending),
              sent: format.number(outbox.sent),
              failed: format.number(outbox.failed),
            })}
          </p>
          <p>
            <Link to="/admin/outbox">{t("admin.overview.outboxLink")}</Link>
          </p>
        </section>
      </div>
    </>
  );
}
