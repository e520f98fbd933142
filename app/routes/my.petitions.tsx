import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { formatDate } from "../components/format";
import { StateBadge } from "../components/petition-bits";
import { AnonymousSignaturesHeld } from "../components/wallet-views";
import { myPetitions } from "../domain/petitions/reads.server";
import { requireUser } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction = () => [{ title: "My petitions · Undersigned" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return json(myPetitions(user.id));
}

export default function MyPetitions() {
  const { created, coSponsored, coOrganized, signed } = useLoaderData<typeof loader>();
  const simpleList = (items: typeof created) =>
    items.length ? (
      <ul>
        {items.map((p) => (
          <li key={p.id}>
            <Link to={`/petitions/${p.slug}`}>{p.title}</Link> <StateBadge state={p.state} won={p.wonAt} />{" "}
            <span className="muted">{p.signatureCount.toLocaleString("en")} signatures</span>
            {["open", "closed"].includes(p.state) ? (
              <>
                {" "}
                ·{" "}
                <Link to={`/petitions/${p.slug}/dashboard`}>
                  dashboard<span className="sr-only"> of “{p.title}”</span>
                </Link>
              </>
            ) : null}
          </li>
        ))}
      </ul>
    ) : (
      <p className="muted">None yet.</p>
    );
  return (
    <>
      <h1>My petitions</h1>
      <section className="card" aria-labelledby="created-title">
        <h2 id="created-title">Created</h2>
        {simpleList(created)}
        <p>
          <Link to="/petitions/new">Start a petition</Link>
        </p>
      </section>
      <section className="card" aria-labelledby="sponsored-title">
        <h2 id="sponsored-title">Co-sponsored</h2>
        {simpleList(coSponsored)}
      </section>
      {coOrganized.length ? (
        <section className="card" aria-labelledby="organized-title">
          <h2 id="organized-title">Co-organized</h2>
          {simpleList(coOrganized)}
        </section>
      ) : null}
      <section className="card" aria-labelledby="signed-title">
        <h2 id="signed-title">My public signatures</h2>
        {signed.length ? (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Petition</th>
                  <th scope="col">Signed</th>
                  <th scope="col">Shown as</th>
                  <th scope="col">Receipt</th>
                </tr>
              </thead>
              <tbody>
                {signed.map((s) => (
                  <tr key={s.petition.id}>
                    <td>
                      <Link to={`/petitions/${s.petition.slug}`}>{s.petition.title}</Link>
                    </td>
                    <td>{formatDate(s.signedAt)}</td>
                    <td>{s.visibility === "anonymous" ? "Anonymous" : "Public"}</td>
                    <td className="receipt">
                      {s.invalidatedAt ? (
                        <span className="badge badge-bad">Invalidated</span>
                      ) : (
                        <>
                          #{s.receiptSeq} <code>{s.receiptHash}</code>
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="muted">You have not signed any petition publicly.</p>
        )}
      </section>
      <AnonymousSignaturesHeld />
    </>
  );
}
