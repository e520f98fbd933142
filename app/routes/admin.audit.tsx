import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData, useLocation } from "@remix-run/react";
import { z } from "zod";
import { formatDateTime } from "../components/format";
import { listAuditActions, listAuditEntries } from "../platform/security/audit.server";
import { parseQuery } from "../web/request.server";
import { requirePermission } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction = () => [{ title: "Audit log · Admin · Undersigned" }];

const querySchema = z.object({
  actor: z.string().trim().max(254).optional(),
  action: z.string().trim().max(100).optional(),
  before: z.coerce.number().int().min(1).optional(),
});

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "view:audit-log");
  const query = parseQuery(request, querySchema);
  const { entries, nextBeforeId } = listAuditEntries({
    actorEmail: query.actor,
    action: query.action,
    beforeId: query.before,
  });
  return json({ query, entries, nextBeforeId, actions: listAuditActions() });
}

export default function AuditLog() {
  const { query, entries, nextBeforeId, actions } = useLoaderData<typeof loader>();
  const location = useLocation();
  const olderLink = () => {
    const params = new URLSearchParams(location.search);
    params.set("before", String(nextBeforeId));
    return `?${params}`;
  };
  return (
    <>
      <h1>Audit log</h1>
      <p className="muted">
        Every privileged action, newest first. Entries cannot be changed or deleted. A person reactivated soon
        after a deactivation is flagged: deactivating someone to see whether emails still reach them is how
        one would test who wrote something anonymous (it no longer shows).
      </p>
      <Form method="get" className="row card" role="search">
        <div className="field">
          <label htmlFor="actor">Actor email (or cli, system)</label>
          <input id="actor" name="actor" type="search" defaultValue={query.actor ?? ""} />
        </div>
        <div className="field">
          <label htmlFor="action">Action</label>
          <select id="action" name="action" defaultValue={query.action ?? ""}>
            <option value="">Any</option>
            {actions.map((action) => (
              <option key={action} value={action}>
                {action}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Filter</button>
      </Form>
      {entries.length === 0 ? (
        <p>No entries match.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.id}>
                  <td>{formatDateTime(entry.createdAt)}</td>
                  <td>{entry.actorName ? `${entry.actorName} (${entry.actorLabel})` : entry.actorLabel}</td>
                  <td>
                    <code>{entry.action}</code>
                    {entry.details?.flagged === true ? (
                      <>
                        {" "}
                        <span className="badge badge-bad">
                          Reactivated {String(entry.details.reactivatedAfter ?? "")} after a deactivation
                        </span>
                      </>
                    ) : null}
                  </td>
                  <td>
                    {entry.targetType === "person" && entry.targetId ? (
                      <Link to={`/admin/people/${entry.targetId}`}>person {entry.targetId}</Link>
                    ) : entry.targetType ? (
                      `${entry.targetType} ${entry.targetId ?? ""}`
                    ) : (
                      "—"
                    )}
                  </td>
                  <td>
                    {entry.details
                      ? Object.entries(entry.details)
                          .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`)
                          .join(", ")
                      : "—"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {nextBeforeId ? (
        <nav className="pagination" aria-label="Pages">
          <span />
          <Link to={olderLink()}>Older entries →</Link>
        </nav>
      ) : null}
    </>
  );
}
