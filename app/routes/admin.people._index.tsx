import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { Pagination } from "../components/pagination";
import { listPeople } from "../domain/people/directory.server";
import { ROLES } from "../vocabulary/roles";
import { pageParam, parseQuery } from "../web/request.server";
import { requirePermission } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction = () => [{ title: "People and roles · Admin · Undersigned" }];

const querySchema = z.object({
  q: z.string().trim().max(200).optional(),
  role: z.enum(ROLES).optional(),
  page: pageParam,
});

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "view:admin");
  const query = parseQuery(request, querySchema);
  return json({ query, ...listPeople({ query: query.q, role: query.role, page: query.page }) });
}

export default function AdminPeople() {
  const { query, people, total, pageCount } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>People and roles</h1>
      <Form method="get" className="row card" role="search">
        <div className="field">
          <label htmlFor="q">Search by name, email or department</label>
          <input id="q" name="q" type="search" defaultValue={query.q ?? ""} />
        </div>
        <div className="field">
          <label htmlFor="role">Role</label>
          <select id="role" name="role" defaultValue={query.role ?? ""}>
            <option value="">Any</option>
            {ROLES.map((role) => (
              <option key={role} value={role}>
                {role}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Search</button>
      </Form>
      <p className="muted">{total.toLocaleString("en")} people</p>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Department</th>
              <th scope="col">Location</th>
              <th scope="col">Roles</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {people.map((person) => (
              <tr key={person.id}>
                <td>
                  <Link to={`/admin/people/${person.id}`}>{person.name ?? "(no name yet)"}</Link>
                </td>
                <td>{person.email}</td>
                <td>{person.department ?? "—"}</td>
                <td>{person.location ?? "—"}</td>
                <td>
                  {person.roles.length
                    ? person.roles.map((role) => (
                        <span key={role} className="badge">
                          {role}
                        </span>
                      ))
                    : "staff"}
                </td>
                <td>
                  {person.active ? (
                    <span className="badge badge-ok">active</span>
                  ) : (
                    <span className="badge badge-bad">inactive</span>
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
