import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { Pagination } from "../components/pagination";
import { PetitionList } from "../components/petition-bits";
import { listPetitions } from "../domain/petitions/reads.server";
import { type PetitionList as ListName, PETITION_LISTS, PETITION_SORTS } from "../vocabulary/petitions";
import { pageParam, parseQuery } from "../web/request.server";
import { getUser } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction = () => [{ title: "Petitions · Undersigned" }];

/**
 * Without a search, a tab (Open unless another is chosen). A search looks through every state unless
 * narrowed to a list by a tab's link: the form sends the tab it was browsing as `tab`, which only a
 * browse without words keeps (re-sorting the Closed tab stays on it); words look everywhere.
 */
const querySchema = z
  .object({
    list: z.enum(PETITION_LISTS).optional(),
    tab: z.enum(PETITION_LISTS).optional(),
    sort: z.enum(PETITION_SORTS).default("signatures"),
    q: z.string().trim().max(200).optional(),
    page: pageParam,
  })
  .transform(({ tab, ...query }) => ({
    ...query,
    list: query.list ?? (query.q ? "all" : (tab ?? "open")),
  }));

const LIST_LABELS: Record<ListName, string> = {
  all: "All",
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
  const { query, signedIn, petitions, total, pageCount, found } = useLoaderData<typeof loader>();
  const listLink = (list: ListName) =>
    `/petitions?${new URLSearchParams({ list, sort: query.sort, ...(query.q ? { q: query.q } : {}) })}`;
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
      <Form method="get" className="row card" role="search">
        <div className="field">
          <label htmlFor="q">Search every petition</label>
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
        {query.q ? null : <input type="hidden" name="tab" value={query.list} />}
        <button type="submit">Show</button>
      </Form>
      <nav aria-label={query.q ? "Narrow the search to one list" : "Petition lists"}>
        <ul className="tabs">
          {PETITION_LISTS.map((list) => (
            <li key={list}>
              <Link to={listLink(list)} aria-current={query.list === list ? "page" : undefined}>
                {LIST_LABELS[list]}
                {found ? <span> ({found[list].toLocaleString("en")})</span> : null}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <p className="muted" aria-live="polite">
        {query.q
          ? `${total.toLocaleString("en")} ${total === 1 ? "petition matches" : "petitions match"} “${query.q}”${
              query.list === "all" ? " in every state" : ` in ${LIST_LABELS[query.list]}`
            }`
          : `${total.toLocaleString("en")} ${total === 1 ? "petition" : "petitions"}`}
      </p>
      {petitions.length || !query.q ? (
        <PetitionList petitions={petitions} />
      ) : (
        <p>
          No petition matches these words{query.list === "all" ? "" : " in this list"}. Try fewer or other
          words
          {query.list === "all" ? (
            ""
          ) : (
            <>
              , or <Link to={listLink("all")}>search every state</Link>
            </>
          )}
          .
        </p>
      )}
      <Pagination page={query.page} pageCount={pageCount} />
    </>
  );
}
