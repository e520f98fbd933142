import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { can } from "../domain/identity/permissions.server";
import { listPolicies } from "../domain/policies/registry.server";
import { getUser } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction = () => [{ title: "Policies · Undersigned" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getUser(request);
  return json({ policies: listPolicies(), canPublish: Boolean(user && can(user, "publish:policy")) });
}

export default function Policies() {
  const data = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <div className="page-head">
        <h1>Policies</h1>
        {data.canPublish ? (
          <Link to="/policies/new" className="button">
            New policy
          </Link>
        ) : null}
      </div>
      {data.policies.length === 0 ? <p>No policies in the registry yet.</p> : null}
      <ul className="petition-list">
        {data.policies.map((p) => (
          <li key={p.id} className="card">
            <h2 className="petition-title">
              <Link to={`/policies/${p.slug}`}>{p.title}</Link>
            </h2>
            <p>{p.summary}</p>
            <p className="meta">
              {p.currentVersion ? `Version ${p.currentVersion} in force` : "Not yet in force"} · {p.versions}{" "}
              {p.versions === 1 ? "version" : "versions"}
              {p.ownerTeam ? ` · owned by ${p.ownerTeam}` : ""}
              {p.petitions
                ? ` · ${p.petitions} ${p.petitions === 1 ? "petition" : "petitions"} about it`
                : ""}
            </p>
          </li>
        ))}
      </ul>
    </div>
  );
}
