import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { directoryStats } from "../domain/people/directory.server";
import { listOutbox } from "../platform/mail/outbox.server";
import { ROLE_DESCRIPTIONS, ROLES, STAFF_CAN } from "../vocabulary/roles";
import { requirePermission } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction = () => [{ title: "Admin · Undersigned" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "view:admin");
  return json({ stats: directoryStats(), outbox: listOutbox({ page: 1 }).totals });
}

export default function AdminOverview() {
  const { stats, outbox } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Administration</h1>
      <div className="grid">
        <section className="card" aria-labelledby="directory-title">
          <h2 id="directory-title">Staff directory</h2>
          <p>
            {stats.active.toLocaleString("en")} active people, {stats.inactive.toLocaleString("en")} inactive.
          </p>
          <p>
            <Link to="/admin/directory">Import a CSV</Link>
          </p>
        </section>
        <section className="card" aria-labelledby="roles-title">
          <h2 id="roles-title">Roles</h2>
          <p className="muted">{STAFF_CAN}</p>
          <ul>
            {ROLES.map((role) => (
              <li key={role}>
                <Link to={`/admin/people?role=${role}`}>
                  {role}: {stats.roles[role]}
                </Link>{" "}
                <span className="muted">— {ROLE_DESCRIPTIONS[role]}</span>
              </li>
            ))}
          </ul>
        </section>
        <section className="card" aria-labelledby="backups-title">
          <h2 id="backups-title">Backups</h2>
          <p>
            <Link to="/admin/backups">The last backup, and take one now</Link>
          </p>
        </section>
        <section className="card" aria-labelledby="outbox-title">
          <h2 id="outbox-title">Outbox</h2>
          <p>
            {outbox.queued} queued, {outbox.sending} sending, {outbox.sent} sent, {outbox.failed} failed.
          </p>
          <p>
            <Link to="/admin/outbox">See the outbox</Link>
          </p>
        </section>
      </div>
    </>
  );
}
