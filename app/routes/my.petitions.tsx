import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { StateBadge } from "../components/petition-bits";
import { AnonymousSignaturesHeld } from "../components/wallet-views";
import { myPetitions } from "../domain/petitions/reads.server";
import { useFormat } from "../i18n/format";
import { useT } from "../i18n/translate";
import { wordsFor } from "../web/reader.server";
import { requireUser } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const { t } = await wordsFor(request);
  return json({ title: t("common.pageTitle", { page: t("petition.my.title") }), ...myPetitions(user.id) });
}

export default function MyPetitions() {
  const { created, coSponsored, coOrganized, signed } = useLoaderData<typeof loader>();
  const t = useT();
  const format = useFormat();
  const simpleList = (items: typeof created) =>
    items.length ? (
      <ul>
        {items.map((p) => (
          <li key={p.id}>
            <Link to={`/petitions/${p.slug}`}>{p.title}</Link> <StateBadge state={p.state} won={p.wonAt} />{" "}
            <span className="muted">{t("petition.my.signatures", { count: p.signatureCount })}</span>
            {["open", "closed"].includes(p.state) ? (
              <>
                {" "}
                ·{" "}
                <Link to={`/petitions/${p.slug}/dashboard`}>
                  {t.rich("petition.my.dashboard", {
                    title: p.title,
                    hidden: (chunks) => <span className="sr-only">{chunks}</span>,
                  })}
                </Link>
              </>
            ) : null}
          </li>
        ))}
      </ul>
    ) : (
      <p className="muted">{t("petition.my.none")}</p>
    );
  return (
    <>
      <h1>{t("petition.my.title")}</h1>
      <section className="card" aria-labelledby="created-title">
        <h2 id="created-title">{t("petition.my.created")}</h2>
        {simpleList(created)}
        <p>
          <Link to="/petitions/new">{t("petition.list.start")}</Link>
        </p>
      </section>
      <section className="card" aria-labelledby="sponsored-title">
        <h2 id="sponsored-title">{t("petition.my.coSponsored")}</h2>
        {simpleList(coSponsored)}
      </section>
      {coOrganized.length ? (
        <section className="card" aria-labelledby="organized-title">
          <h2 id="organized-title">{t("petition.my.coOrganized")}</h2>
          {simpleList(coOrganized)}
        </section>
      ) : null}
      <section className="card" aria-labelledby="signed-title">
        <h2 id="signed-title">{t("petition.my.publicSignatures")}</h2>
        {signed.length ? (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("petition.my.petition")}</th>
                  <th scope="col">{t("petition.signers.signed")}</th>
                  <th scope="col">{t("petition.my.shownAs")}</th>
                  <th scope="col">{t("petition.my.receipt")}</th>
                </tr>
              </thead>
              <tbody>
                {signed.map((s) => (
                  <tr key={s.petition.id}>
                    <td>
                      <Link to={`/petitions/${s.petition.slug}`}>{s.petition.title}</Link>
                    </td>
                    {/* Kept to the UTC day (myPetitions). */}
                    <td>{format.utcDay(s.signedAt)}</td>
                    <td>
                      {s.visibility === "anonymous" ? t("petition.my.anonymous") : t("petition.my.public")}
                    </td>
                    <td className="receipt">
                      {s.invalidatedAt ? (
                        <span className="badge badge-bad">{t("petition.my.invalidated")}</span>
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
          <p className="muted">{t("petition.my.noPublic")}</p>
        )}
      </section>
      <AnonymousSignaturesHeld />
    </>
  );
}
