import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { NavLink, Outlet } from "@remix-run/react";
import { requirePermission } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "view:admin");
  return json({});
}

export default function AdminLayout() {
  return (
    <>
      <nav aria-label="Administration" className="card">
        <ul className="nav-list">
          <li>
            <NavLink to="/admin" end>
              Overview
            </NavLink>
          </li>
          <li>
            <NavLink to="/admin/people">People and roles</NavLink>
          </li>
          <li>
            <NavLink to="/admin/directory">Import directory</NavLink>
          </li>
          <li>
            <NavLink to="/admin/audit">Audit log</NavLink>
          </li>
          <li>
            <NavLink to="/admin/outbox">Outbox</NavLink>
          </li>
          <li>
            <NavLink to="/admin/backups">Backups</NavLink>
          </li>
          <li>
            <NavLink to="/admin/settings">Settings</NavLink>
          </li>
        </ul>
      </nav>
      <Outlet />
    </>
  );
}
