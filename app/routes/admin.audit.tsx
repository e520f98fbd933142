import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData, useLocation } from "@remix-run/react";
import { z } from "zod";
import { type AuditLink, type AuditValue, auditLogInWords } from "../domain/audit/audit-entries.server";
import { useFormat } from "../i18n/format";
import { useT } from "../i18n/translate";
import { wordsFor } from "../web/reader.server";
import { parseQuery } from "../web/request.server";
import { requirePermission } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

const querySchema = z.object({
  who: z.string().trim().max(254).optional(),
  action: z.string().trim().max(100).optional(),
  before: z.coerce.number().int().min(1).optional(),
});

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "view:audit-log");
  const query = parseQuery(request, querySchema);
  const words = await wordsFor(request);
  const { t } = words;
  return json({
    title: t("common.pageTitle", { page: t("admin.pageTitle", { page: t("admin.audit.title") }) }),
    query,
    ...auditLogInWords({ who: query.who, action: query.action, beforeId: query.before }, words),
  });
}

function Named({ link }: { link: AuditLink }) {
  return link.to ? <Link to={link.to}>{link.text}</Link> : link.text;
}

function Value({ value }: { value: AuditValue }) {
  const format = useFormat();
  // A day alone (a retried email's day) is a UTC day; a full time is a moment, in the reader's zone.
  if ("date" in value)
    return (
      <>{value.date.length > 10 ? format.dateTime(value.date) : format.utcDay(`${value.date}T00:00:00Z`)}</>
    );
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
  const t = useT();
  const format = useFormat();
  const olderLink = () => {
    const params = new URLSearchParams(location.search);
    params.set("before", String(nextBeforeId));
    return `?${params}`;
  };
  return (
    <>
      <h1>{t("admin.audit.title")}</h1>
      <p className="muted">{t("admin.audit.intro")}</p>
      <Form method="get" className="row card" role="search">
        <div className="field">
          <label htmlFor="who">{t("admin.audit.who")}</label>
          <input id="who" name="who" type="search" list="audit-actors" defaultValue={query.who ?? ""} />
          <datalist id="audit-actors">
            {actors.map((actor) => (
              <option key={actor} value={actor} />
            ))}
          </datalist>
        </div>
        <div className="field">
          <label htmlFor="action">{t("admin.audit.what")}</label>
          <select id="action" name="action" defaultValue={query.action ?? ""}>
            <option value="">{t("admin.audit.anything")}</option>
            {actions.map((action) => (
              <option key={action.value} value={action.value}>
                {action.name}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">{t("admin.audit.filter")}</button>
      </Form>
      {entries.length === 0 ? (
        <p>{t("admin.audit.noEntries")}</p>
      ) : (
        <ol className="audit-log">
          {entries.map((entry) => (
            <li key={entry.id} className="card">
              <p className="audit-sentence">
                {t.rich(entry.said, {
                  who: <strong>{entry.actor.text}</strong>,
                  target: entry.target ? <Named link={entry.target} /> : "",
                  action: entry.actionInWords,
                })}
                {entry.flagged ? (
                  <>
                    {" "}
                    <span className="badge badge-bad">{entry.flagged}</span>
                  </>
                ) : null}
              </p>
              <p className="meta">
                {entry.actor.email ? (
                  t.rich("admin.audit.when", {
                    at: <time dateTime={String(entry.at)}>{format.dateTime(entry.at)}</time>,
                    email: entry.actor.email,
                  })
                ) : (
                  <time dateTime={String(entry.at)}>{format.dateTime(entry.at)}</time>
                )}
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
        <nav className="pagination" aria-label={t("admin.audit.pages")}>
          <span />
          <Link to={olderLink()}>{t("admin.audit.older")}</Link>
        </nav>
      ) : null}
    </>
  );
}
