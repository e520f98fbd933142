import type { MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { logKeyId } from "../browser/wallet/log-check";
import { formatDateTime } from "../components/format";
import { ThisDevicesLog } from "../components/wallet-views";
import { logOverview } from "../domain/transparency/log-reads.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction = () => [{ title: "The public log · Undersigned" }];

/** The public log and its independent witnesses: the same page for everyone, signed in or not. */
export function loader() {
  return json(logOverview(Date.now()), { headers: { "Cache-Control": "no-store" } });
}

export default function Transparency() {
  const log = useLoaderData<typeof loader>();
  const hours = log.freshnessMinutes % 60 === 0 ? log.freshnessMinutes / 60 : null;
  const freshness =
    hours === 1
      ? "an hour"
      : hours
        ? `${hours} hours`
        : `${log.freshnessMinutes.toLocaleString("en")} minutes`;
  return (
    <div className="stack">
      <h1>The public log</h1>
      <p>
        Every petition's signing key, each petition's count and the settings anonymous signatures are counted
        by are written to one public log that can only grow. Your browser signs anonymously only with a key it
        has found in this log, so the server cannot give you a key of your own to tell your signature apart —
        and it cannot quietly rewrite a petition's history afterwards.
      </p>
      <section className="card stack" aria-labelledby="log-title">
        <h2 id="log-title">The log</h2>
        <dl>
          <dt>Its name</dt>
          <dd>
            <code>{log.origin}</code>
          </dd>
          <dt>Its key ID</dt>
          <dd>{log.logKey ? <code>{logKeyId(log.logKey)}</code> : "Not made yet."}</dd>
          <dt>Its key</dt>
          <dd>{log.logKey ? <code className="long-code">{log.logKey}</code> : "Not made yet."}</dd>
          <dt>Entries</dt>
          <dd>{log.size.toLocaleString("en")}</dd>
        </dl>
        <p>
          A device takes the log's key and its witnesses as the server shows them the first time it checks the
          log, and holds the server to them from then on. That first time is taken on trust: compare the key
          ID and the witnesses your device shows (on My petitions, and here below once it has checked the log)
          with a colleague's.
        </p>
        <ThisDevicesLog />
      </section>
      <section className="card stack" aria-labelledby="witnesses-title">
        <h2 id="witnesses-title">Independent witnesses</h2>
        {log.witnesses.length ? (
          <>
            <p>
              A witness is a program someone outside the company runs on their own machine: it checks that the
              log only ever grows and confirms it. Browsers ask for nothing to sign with unless every witness
              below confirmed the log within the last {freshness}; otherwise anonymous signing pauses, for
              everyone, and public signing goes on.
            </p>
            <ul className="stack">
              {log.witnesses.map((witness) => (
                <li key={witness.key}>
                  <strong>{witness.name}</strong> —{" "}
                  {witness.newestTime
                    ? `last confirmed the log on ${formatDateTime(witness.newestTime)}, at ${witness.newestSize?.toLocaleString("en")} entries${witness.fresh ? "" : " (too long ago: anonymous signing is paused)"}`
                    : "has not confirmed the log yet (anonymous signing is paused until it does)"}
                  <br />
                  <span className="muted">
                    Its key: <code className="long-code">{witness.key}</code>
                  </span>
                </li>
              ))}
            </ul>
          </>
        ) : (
          <p>
            There is no independent witness. Browsers still check every key against the log, but nobody
            outside the company confirms it, so a server that showed one person a log of its own would not be
            caught.
          </p>
        )}
        <p>
          Anyone can run a witness: how to, and what to do when it refuses, is in <code>docs/witness.md</code>{" "}
          in Undersigned's source. Give its key to the platform's administrators to have it required here.
        </p>
      </section>
    </div>
  );
}
