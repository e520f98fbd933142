import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { formatDate } from "../components/format";
import { openObligations } from "../domain/announcements/obligations.server";
import { requirePermission } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction = () => [{ title: "Awaiting your response · Undersigned" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "view:obligations");
  return json({ obligations: openObligations() });
}

export default function Leadership() {
  const { obligations } = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <h1>Awaiting your response</h1>
      <p className="muted">
        Petitions that reached a milestone requiring leadership to respond, soonest due first. An announcement
        that answers the petition clears it.
      </p>
      {obligations.length === 0 ? <p>Nothing is waiting for a response.</p> : null}
      <ul className="petition-list">
        {obligations.map((o) => (
          <li key={o.milestoneId} className="card">
            <h2 className="petition-title">
              <Link to={`/petitions/${o.petition.slug}`}>{o.petition.title}</Link>
            </h2>
            <p className="meta">
              <span className={o.overdue ? "badge badge-bad" : "badge badge-warn"}>
                {o.overdue ? `Overdue — was due ${formatDate(o.dueAt)}` : `Due ${formatDate(o.dueAt)}`}
              </span>{" "}
              Reached {o.threshold.toLocaleString("en")} signatures on {formatDate(o.reachedAt)} ·{" "}
              {o.petition.signatureCount.toLocaleString("en")} now
            </p>
            <p>
              <Link to={`/announcements/new?petition=${o.petition.id}`}>Write a response</Link>
            </p>
          </li>
        ))}
      </ul>
    </div>
  );
}
