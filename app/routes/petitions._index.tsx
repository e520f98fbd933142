import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { Pagination } from "../components/pagination";
import { PetitionList } from "../components/petition-bits";
import { listPetitions } from "../domain/petitions/reads.server";
import { useFormat } from "../i18n/format";
import { useT } from "../i18n/translate";
import { type PetitionList as ListName, PETITION_LISTS, PETITION_SORTS } from "../vocabulary/petitions";
import { wordsFor } from "../web/reader.server";
import { pageParam, parseQuery } from "../web/request.server";
import { getUser } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

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

export async function loader({ request }: LoaderFunctionArgs) {
  const query = parseQuery(request, querySchema);
  const user = await getUser(request);
  const { t } = await wordsFor(request);
  return json({
    title: t("common.pageTitle", { page: t("petition.list.title") }),
    query,
    signedIn: Boolean(user),
    ...listPetitions(query),
  });
}

export default function Petitions() {
  const { query, signedIn, petitions, total, pageCount, found } = useLoaderData<typeof loader>();
  const t = useT();
  const format = useFormat();
  const listLink = (list: ListName) =>
    `/petitions?${new URLSearchParams({ list, sort: query.sort, ...(query.q ? { q: query.q } : {}) })}`;
  return (
    <>
      <div className="page-head">
        <h1>{t("petition.list.title")}</h1>
        {signedIn ? (
          <Link className="button" to="/petitions/new">
            {t("petition.list.start")}
          </Link>
        ) : null}
      </div>
      <Form method="get" className="row card" role="search">
        <div className="field">
          <label htmlFor="q">{t("petition.list.search")}</label>
          <input id="q" name="q" type="search" defaultValue={query.q ?? ""} />
        </div>
        <div className="field">
          <label htmlFor="sort">{t("petition.list.sortBy")}</label>
          <select id="sort" name="sort" defaultValue={query.sort}>
            {PETITION_SORTS.map((sort) => (
              <option key={sort} value={sort}>
                {t(`petition.list.sort.${sort}`)}
              </option>
            ))}
          </select>
        </div>
        {query.q ? null : <input type="hidden" name="tab" value={query.list} />}
        <button type="submit">{t("petition.list.show")}</button>
      </Form>
      <nav aria-label={query.q ? t("petition.list.narrow") : t("petition.list.lists")}>
        <ul className="tabs">
          {PETITION_LISTS.map((list) => (
            <li key={list}>
              <Link to={listLink(list)} aria-current={query.list === list ? "page" : undefined}>
                {t(`petition.list.tab.${list}`)}
                {found ? <span> ({format.number(found[list])})</span> : null}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <p className="muted" aria-live="polite">
        {query.q
          ? t("petition.list.matches", { count: total, q: query.q, list: query.list.replace("-", "_") })
          : t("petition.list.count", { count: total })}
      </p>
      {petitions.length || !query.q ? (
        <PetitionList petitions={petitions} />
      ) : (
        <p>
          {query.list === "all"
            ? t("petition.list.noMatch")
            : t.rich("petition.list.noMatchInList", {
                link: (chunks) => <Link to={listLink("all")}>{chunks}</Link>,
              })}
        </p>
      )}
      <Pagination page={query.page} pageCount={pageCount} />
    </>
  );
}
