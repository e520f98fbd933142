import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { can } from "../domain/identity/permissions.server";
import { listPolicies } from "../domain/policies/registry.server";
import { useT } from "../i18n/translate";
import { wordsFor } from "../web/reader.server";
import { getUser } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getUser(request);
  const { t } = await wordsFor(request);
  return json({
    title: t("common.pageTitle", { page: t("policies.list.title") }),
    policies: listPolicies(),
    canPublish: Boolean(user && can(user, "publish:policy")),
  });
}

export default function Policies() {
  const data = useLoaderData<typeof loader>();
  const t = useT();
  return (
    <div className="stack">
      <div className="page-head">
        <h1>{t("policies.list.title")}</h1>
        {data.canPublish ? (
          <Link to="/policies/new" className="button">
            {t("policies.list.new")}
          </Link>
        ) : null}
      </div>
      {data.policies.length === 0 ? <p>{t("policies.list.empty")}</p> : null}
      <ul className="petition-list">
        {data.policies.map((p) => (
          <li key={p.id} className="card">
            <h2 className="petition-title">
              <Link to={`/policies/${p.slug}`}>{p.title}</Link>
            </h2>
            <p>{p.summary}</p>
            <p className="meta">
              {p.currentVersion
                ? t("policies.inForce", { version: p.currentVersion })
                : t("policies.notYetInForce")}{" "}
              · {t("policies.list.versions", { count: p.versions })}
              {p.ownerTeam ? ` · ${t("policies.ownedBy", { team: p.ownerTeam })}` : ""}
              {p.petitions ? ` · ${t("policies.list.petitionsAbout", { count: p.petitions })}` : ""}
            </p>
          </li>
        ))}
      </ul>
    </div>
  );
}
