import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData, useLocation } from "@remix-run/react";
import { z } from "zod";
import { formatDate, formatDateTime } from "../components/format";
import { type AuditLink, type AuditValue, auditLogInWords } from "../domain/audit/audit-entries.server";
import { parseQuery } from "../web/request.server";
import { requirePermission } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction = () => [{ title: "Audit log · Admin · Undersigned" }];

const querySchema = z.object({
  who: z.string().trim().max(254).optional(),
  action: z.string().trim().max(100).optional(),
  before: z.coerce.number().int().min(1).optional(),
});

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "view:audit-log");
  const query = parseQuery(request, querySchema);
  return json({
    query,
    ...auditLogInWords({ who: query.who, action: query.action, beforeId: query.before }),
  });
}

function Named({ link }: { link: AuditLink }) {
  return link.to ? <Link to={link.to}>{link.text}</Link> : link.text;
}

function Value({ value }: { value: AuditValue }) {
  if ("date" in value)
    return <>{value.date.length > 10 ? formatDateTime(value.date) : formatDate(`${value.date}T00:00:00Z`)}</>;
  if ("links" in value)
    return (
      <>
        {value.links.map((link, i) => (
          <span key={`${link.to}-${link.text}`}>
            {i > 0 ? ", " : ""}
            <Named link={link} />
          </span>
        ))}
      </>
    );
  if ("items" in value)
    return (
      <ul className="audit-items">
        {value.items.map((item, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list, rendered once
          <li key={i}>{item}</li>
        ))}
      </ul>
    );
  return <>{value.text}</>;
}

export default function AuditLog() {
  const { query, entries, nextBeforeId, actions, actors } = useLoaderData<typeof loader>();
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
          <label htmlFor="who">Who (an email address)</label>
          <input id="who" name="who" type="search" list="audit-actors" defaultValue={query.who ?? ""} />
          <datalist id="audit-actors">
            {actors.map((actor) => (
              <option key={actor} value={actor} />
            ))}
          </datalist>
        </div>
        <div className="field">
          <label htmlFor="action">What happened</label>
          <select id="action" name="action" defaultValue={query.action ?? ""}>
            <option value="">Anything</option>
            {actions.map((action) => (
              <option key={action.value} value={action.value}>
                {action.name}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Filter</button>
      </Form>
      {entries.length === 0 ? (
        <p>No entries match.</p>
      ) : (
        <ol className="audit-log">
          {entries.map((entry) => (
            <li key={entry.id} className="card">
              <p className="audit-sentence">
                <strong>{entry.actor.text}</strong> {entry.did}
                {entry.target ? (
                  <>
                    {" "}
                    <Named link={entry.target} />
                  </>
                ) : null}
                .
                {entry.flagged ? (
                  <>
                    {" "}
                    <span className="badge badge-bad">{entry.flagged}</span>
                  </>
                ) : null}
              </p>
              <p className="meta">
                <time dateTime={String(entry.at)}>{formatDateTime(entry.at)}</time>
                {entry.actor.email ? ` · ${entry.actor.email}` : ""}
              </p>
              {entry.details.length ? (
                <dl className="audit-details">
                  {entry.details.map((detail) => (
                    <div key={detail.label}>
                      <dt>{detail.label}</dt>
                      <dd>
                        <Value value={detail.value} />
                      </dd>
                    </div>
                  ))}
                </dl>
              ) : null}
            </li>
          ))}
        </ol>
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
