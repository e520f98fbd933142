import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { Pagination } from "../components/pagination";
import { signersFor } from "../domain/petitions/counts.server";
import { findViewablePetition } from "../domain/petitions/reads.server";
import { useFormat } from "../i18n/format";
import { useT } from "../i18n/translate";
import { redirectFromFormerAddress } from "../web/former-addresses.server";
import { wordsFor } from "../web/reader.server";
import { notFound } from "../web/refusal-reply.server";
import { pageParam, parseQuery } from "../web/request.server";
import { getUser } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "Undersigned" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await getUser(request);
  const { t } = await wordsFor(request);
  const petition = findViewablePetition(params.slug ?? "", user);
  if (!petition) notFound(t("petition.notFound"));
  redirectFromFormerAddress(request, "/petitions/", params.slug, petition.slug);
  const { page: pageNumber } = parseQuery(request, z.object({ page: pageParam }));
  return json({
    pageTitle: t("common.pageTitle", { page: t("petition.signers.pageTitle", { title: petition.title }) }),
    slug: petition.slug,
    title: petition.title,
    page: pageNumber,
    ...signersFor(petition.id, pageNumber, user),
  });
}

export default function Signers() {
  const data = useLoaderData<typeof loader>();
  const t = useT();
  const format = useFormat();
  return (
    <>
      <p>
        <Link to={`/petitions/${data.slug}`}>{t("petition.backTo", { title: data.title })}</Link>
      </p>
      <h1>{t("petition.signers.title")}</h1>
      <p>
        {t("petition.signers.counts", { publicCount: data.publicCount, anonymousCount: data.anonymousCount })}
      </p>
      {data.namesShown ? null : (
        <p>
          {t.rich("petition.signers.signIn", {
            link: (chunks) => (
              <Link to={`/sign-in?${new URLSearchParams({ redirectTo: `/petitions/${data.slug}/signers` })}`}>
                {chunks}
              </Link>
            ),
          })}
        </p>
      )}
      {data.namesShown ? (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t("petition.signers.name")}</th>
                <th scope="col">{t("petition.signers.department")}</th>
                <th scope="col">{t("petition.signers.signed")}</th>
              </tr>
            </thead>
            <tbody>
              {data.signers.map((s, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: rows of one page never reorder
                <tr key={i}>
                  <td>{s.former ? t("my-data.formerColleague") : (s.name ?? t("petition.aColleague"))}</td>
                  <td>{s.department ?? t("common.time.none")}</td>
                  {/* Kept to the UTC day it was signed on: a time would say more than a signer chose to. */}
                  <td>{format.utcDay(s.signedOn)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pagination page={data.page} pageCount={data.pageCount} />
    </>
  );
}
