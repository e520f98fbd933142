import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { Pagination } from "../components/pagination";
import { listPeople } from "../domain/people/directory.server";
import { useT } from "../i18n/translate";
import { ROLES } from "../vocabulary/roles";
import { wordsFor } from "../web/reader.server";
import { pageParam, parseQuery } from "../web/request.server";
import { requirePermission } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

const querySchema = z.object({
  q: z.string().trim().max(200).optional(),
  role: z.enum(ROLES).optional(),
  page: pageParam,
});

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "view:admin");
  const query = parseQuery(request, querySchema);
  const { t } = await wordsFor(request);
  return json({
    title: t("common.pageTitle", { page: t("admin.pageTitle", { page: t("admin.people.title") }) }),
    query,
    ...listPeople({ query: query.q, role: query.role, page: query.page }),
  });
}

export default function AdminPeople() {
  const { query, people, total, pageCount } = useLoaderData<typeof loader>();
  const t = useT();
  return (
    <>
      <h1>{t("admin.people.title")}</h1>
      <Form method="get" className="row card" role="search">
        <div className="field">
          <label htmlFor="q">{t("admin.people.search")}</label>
          <input id="q" name="q" type="search" defaultValue={query.q ?? ""} />
        </div>
        <div className="field">
          <label htmlFor="role">{t("admin.people.role")}</label>
          <select id="role" name="role" defaultValue={query.role ?? ""}>
            <option value="">{t("admin.people.anyRole")}</option>
            {ROLES.map((role) => (
              <option key={role} value={role}>
                {t("admin.role", { role })}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">{t("admin.people.searchButton")}</button>
      </Form>
      <p className="muted">{t("admin.people.total", { total })}</p>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t("admin.people.name")}</th>
              <th scope="col">{t("admin.people.email")}</th>
              <th scope="col">{t("admin.people.department")}</th>
              <th scope="col">{t("admin.people.location")}</th>
              <th scope="col">{t("admin.people.roles")}</th>
              <th scope="col">{t("admin.people.status")}</th>
            </tr>
          </thead>
          <tbody>
            {people.map((person) => (
              <tr key={person.id}>
                <td>
                  <Link to={`/admin/people/${person.id}`}>{person.name ?? t("admin.people.noName")}</Link>
                </td>
                <td>{person.email}</td>
                <td>{person.department ?? t("admin.people.none")}</td>
                <td>{person.location ?? t("admin.people.none")}</td>
                <td>
                  {person.roles.length
                    ? person.roles.map((role) => (
                        <span key={role} className="badge">
                          {t("admin.role", { role })}
                        </span>
                      ))
                    : t("admin.role.staff")}
                </td>
                <td>
                  {person.active ? (
                    <span className="badge badge-ok">{t("admin.people.active")}</span>
                  ) : (
                    <span className="badge badge-bad">{t("admin.people.inactive")}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pagination page={query.page} pageCount={pageCount} />
    </>
  );
}
