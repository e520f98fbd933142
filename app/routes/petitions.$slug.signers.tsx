import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { formatDate } from "../components/format";
import { Pagination } from "../components/pagination";
import { signersFor } from "../domain/petitions/counts.server";
import { findViewablePetition } from "../domain/petitions/reads.server";
import { say } from "../platform/said";
import { redirectFromFormerAddress } from "../web/former-addresses.server";
import { notFound } from "../web/refusal-reply.server";
import { pageParam, parseQuery } from "../web/request.server";
import { getUser } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Signers · ${data?.title ?? "Petition"} · Undersigned` },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await getUser(request);
  const petition = findViewablePetition(params.slug ?? "", user);
  if (!petition) notFound(say("server.notFound.petition"));
  redirectFromFormerAddress(request, "/petitions/", params.slug, petition.slug);
  const { page: pageNumber } = parseQuery(request, z.object({ page: pageParam }));
  return json({
    slug: petition.slug,
    title: petition.title,
    page: pageNumber,
    ...signersFor(petition.id, pageNumber, user),
  });
}

export default function Signers() {
  const data = useLoaderData<typeof loader>();
  return (
    <>
      <p>
        <Link to={`/petitions/${data.slug}`}>← {data.title}</Link>
      </p>
      <h1>Signers</h1>
      <p>
        {data.publicCount.toLocaleString("en")} signed publicly. {data.anonymousCount.toLocaleString("en")}{" "}
        signed anonymously: they are counted and verified, and listed nowhere.
      </p>
      {data.namesShown ? null : (
        <p>
          Who signed publicly is shown to colleagues:{" "}
          <Link to={`/sign-in?${new URLSearchParams({ redirectTo: `/petitions/${data.slug}/signers` })}`}>
            sign in
          </Link>{" "}
          to see their names.
        </p>
      )}
      {data.namesShown ? (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Department</th>
                <th scope="col">Signed</th>
              </tr>
            </thead>
            <tbody>
              {data.signers.map((s, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: rows of one page never reorder
                <tr key={i}>
                  <td>{s.name ?? "A colleague"}</td>
                  <td>{s.department ?? "—"}</td>
                  <td>{formatDate(s.signedOn)}</td>
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
