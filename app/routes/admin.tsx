import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { NavLink, Outlet } from "@remix-run/react";
import { useT } from "../i18n/translate";
import { requirePermission } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "view:admin");
  return json({});
}

export default function AdminLayout() {
  const t = useT();
  return (
    <>
      <nav aria-label={t("admin.nav.label")} className="card">
        <ul className="nav-list">
          <li>
            <NavLink to="/admin" end>
              {t("admin.nav.overview")}
            </NavLink>
          </li>
          <li>
            <NavLink to="/admin/people">{t("admin.nav.people")}</NavLink>
          </li>
          <li>
            <NavLink to="/admin/directory">{t("admin.nav.directory")}</NavLink>
          </li>
          <li>
            <NavLink to="/admin/audit">{t("admin.nav.audit")}</NavLink>
          </li>
          <li>
            <NavLink to="/admin/outbox">{t("admin.nav.outbox")}</NavLink>
          </li>
          <li>
            <NavLink to="/admin/chat">{t("chat.admin.nav")}</NavLink>
          </li>
          <li>
            <NavLink to="/admin/erasures">{t("my-data.admin.nav")}</NavLink>
          </li>
          <li>
            <NavLink to="/admin/backups">{t("admin.nav.backups")}</NavLink>
          </li>
          <li>
            <NavLink to="/admin/settings">{t("admin.nav.settings")}</NavLink>
          </li>
        </ul>
      </nav>
      <Outlet />
    </>
  );
}
