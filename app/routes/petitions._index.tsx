import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { Pagination } from "../components/pagination";
import { PetitionList } from "../components/petition-bits";
import { listPetitions } from "../domain/petitions/reads.server";
import { PETITION_LISTS, PETITION_SORTS } from "../vocabulary/petitions";
import { pageParam, parseQuery } from "../web/request.server";
import { getUser } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction = () => [{ title: "Petitions · Undersigned" }];

const querySchema = z.object({
  list: z.enum(PETITION_LISTS).default("open"),
  sort: z.enum(PETITION_SORTS).default("signatures"),
  q: z.string().trim().max(200).optional(),
  page: pageParam,
});

const LIST_LABELS = {
  open: "Open",
  "awaiting-response": "Awaiting response",
  responded: "Responded",
  won: "Won",
  closed: "Closed",
  rejected: "Rejected",
};
const SORT_LABELS = { signatures: "Most signatures", newest: "Newest", closing: "Closing soon" };

export async function loader({ request }: LoaderFunctionArgs) {
  const query = parseQuery(request, querySchema);
  const user = await getUser(request);
  return json({ query, signedIn: Boolean(user), ...listPetitions(query) });
}

export default function Petitions() {
  const { query, signedIn, petitions, total, pageCount } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="page-head">
        <h1>Petitions</h1>
        {signedIn ? (
          <Link className="button" to="/petitions/new">
            Start a petition
          </Link>
        ) : null}
      </div>
      <nav aria-label="Petition lists">
        <ul className="tabs">
          {PETITION_LISTS.map((list) => (
            <li key={list}>
              <Link
                to={`/petitions?${new URLSearchParams({ list, sort: query.sort, ...(query.q ? { q: query.q } : {}) })}`}
                aria-current={query.list === list ? "page" : undefined}
              >
                {LIST_LABELS[list]}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <Form method="get" className="row card" role="search">
        <input type="hidden" name="list" value={query.list} />
        <div className="field">
          <label htmlFor="q">Search petitions</label>
          <input id="q" name="q" type="search" defaultValue={query.q ?? ""} />
        </div>
        <div className="field">
          <label htmlFor="sort">Sort by</label>
          <select id="sort" name="sort" defaultValue={query.sort}>
            {PETITION_SORTS.map((sort) => (
              <option key={sort} value={sort}>
                {SORT_LABELS[sort]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Show</button>
      </Form>
      <p className="muted" aria-live="polite">
        {total.toLocaleString("en")} {total === 1 ? "petition" : "petitions"}
      </p>
      <PetitionList petitions={petitions} />
      <Pagination page={query.page} pageCount={pageCount} />
    </>
  );
}
