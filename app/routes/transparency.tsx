import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { logKeyId } from "../browser/wallet/log-check";
import { ThisDevicesLog } from "../components/wallet-views";
import { logOverview } from "../domain/transparency/log-reads.server";
import { useFormat } from "../i18n/format";
import { useT } from "../i18n/translate";
import { wordsFor } from "../web/reader.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

/** The public log and its independent witnesses: the same page for everyone, signed in or not. */
export async function loader({ request }: LoaderFunctionArgs) {
  const { t } = await wordsFor(request);
  return json(
    { ...logOverview(Date.now()), title: t("common.pageTitle", { page: t("signing.log.title") }) },
    { headers: { "Cache-Control": "no-store" } },
  );
}

export default function Transparency() {
  const t = useT();
  const format = useFormat();
  const log = useLoaderData<typeof loader>();
  const hours = log.freshnessMinutes % 60 === 0 ? log.freshnessMinutes / 60 : null;
  const freshness = hours
    ? t("signing.log.freshness", { unit: "hours", count: hours })
    : t("signing.log.freshness", { unit: "minutes", count: log.freshnessMinutes });
  return (
    <div className="stack">
      <h1>{t("signing.log.title")}</h1>
      <p>{t("signing.log.intro")}</p>
      <section className="card stack" aria-labelledby="log-title">
        <h2 id="log-title">{t("signing.log.theLog")}</h2>
        <dl>
          <dt>{t("signing.log.name")}</dt>
          <dd>
            <code>{log.origin}</code>
          </dd>
          <dt>{t("signing.log.keyId")}</dt>
          <dd>{log.logKey ? <code>{logKeyId(log.logKey)}</code> : t("signing.log.notYet")}</dd>
          <dt>{t("signing.log.key")}</dt>
          <dd>{log.logKey ? <code className="long-code">{log.logKey}</code> : t("signing.log.notYet")}</dd>
          <dt>{t("signing.log.entries")}</dt>
          <dd>{format.number(log.size)}</dd>
        </dl>
        <p>{t("signing.log.firstSight")}</p>
        <ThisDevicesLog />
      </section>
      <section className="card stack" aria-labelledby="witnesses-title">
        <h2 id="witnesses-title">{t("signing.log.witnessesTitle")}</h2>
        {log.witnesses.length ? (
          <>
            <p>{t("signing.log.witnessesText", { freshness })}</p>
            <ul className="stack">
              {log.witnesses.map((witness) => (
                <li key={witness.key}>
                  <strong>{witness.name}</strong> —{" "}
                  {witness.newestTime
                    ? t(witness.fresh ? "signing.log.confirmed" : "signing.log.confirmedStale", {
                        when: format.dateTime(witness.newestTime),
                        size: witness.newestSize ?? 0,
                      })
                    : t("signing.log.neverConfirmed")}
                  <br />
                  <span className="muted">
                    {t.rich("signing.log.witnessKey", {
                      key: <code className="long-code">{witness.key}</code>,
                    })}
                  </span>
                </li>
              ))}
            </ul>
          </>
        ) : (
          <p>{t("signing.log.noWitness")}</p>
        )}
        <p>{t.rich("signing.log.runOne", { file: <code>docs/witness.md</code> })}</p>
      </section>
    </div>
  );
}
