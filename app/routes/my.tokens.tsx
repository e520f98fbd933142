import type { MetaFunction } from "@remix-run/node";
import { Link } from "@remix-run/react";
import { useEffect, useState } from "react";
import { anonymityAvailable, forgetBackgroundRun } from "../browser/background-tokens";
import { exportWallet, forgetWallet, importWallet, WalletError, walletEntries } from "../browser/wallet";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction = () => [{ title: "My tokens · Undersigned" }];

/**
 * The tokens this browser holds (docs/anonymity.md): moved to another device as a code, or forgotten
 * here. All of it happens in the browser; the server has no loader or action to offer for it.
 */
export default function MyTokens() {
  const [ready, setReady] = useState(false);
  const [available, setAvailable] = useState(false);
  const [held, setHeld] = useState(0);
  const [code, setCode] = useState<string | null>(null);
  const [status, setStatus] = useState<{ kind: "success" | "error"; message: string } | null>(null);
  const count = async () => setHeld((await walletEntries()).length);

  useEffect(() => {
    setReady(true);
    setAvailable(anonymityAvailable());
    if (anonymityAvailable()) void walletEntries().then((all) => setHeld(all.length));
  }, []);

  const act = async (step: () => Promise<string>) => {
    try {
      setStatus({ kind: "success", message: await step() });
    } catch (error) {
      setStatus({
        kind: "error",
        message: error instanceof WalletError ? error.message : "That did not work on this device.",
      });
    }
    await count();
  };

  return (
    <>
      <h1>My tokens</h1>
      <p>
        Your anonymous signatures and feedback are known only to this browser: it holds the tokens that made
        them and the keys that can withdraw them. The platform cannot show them to you on another device,
        restore them, or issue them again — a second token would allow a second signature.
      </p>
      {!ready ? (
        <p className="card">
          This page needs JavaScript: your tokens live in your browser, not on the server.
        </p>
      ) : !available ? (
        <p className="card">Tokens need a secure connection (https): this page was not loaded over one.</p>
      ) : (
        <>
          {status ? (
            <p className={`flash flash-${status.kind}`} role={status.kind === "error" ? "alert" : "status"}>
              {status.message}
            </p>
          ) : null}
          <section className="card" aria-labelledby="export-title">
            <h2 id="export-title">Move them to another device</h2>
            <p>
              This browser holds {held.toLocaleString("en")} {held === 1 ? "item" : "items"}. The code below
              can withdraw your anonymous signatures and read replies to your feedback: keep it like a
              password, and paste it on the other device's My tokens page.
            </p>
            <button
              type="button"
              onClick={() =>
                void act(async () => {
                  setCode(await exportWallet());
                  return "Your export code is below.";
                })
              }
            >
              Show my export code
            </button>
            {code ? (
              <>
                <label htmlFor="export-code">Export code</label>
                <textarea id="export-code" readOnly rows={4} value={code} />
                <p>
                  <a
                    download="undersigned-tokens.txt"
                    href={`data:text/plain;charset=utf-8,${encodeURIComponent(code)}`}
                  >
                    Save it as a file
                  </a>
                </p>
              </>
            ) : null}
          </section>
          <section className="card" aria-labelledby="import-title">
            <h2 id="import-title">Bring them from another device</h2>
            <form
              onSubmit={(event) => {
                event.preventDefault();
                const field = event.currentTarget.elements.namedItem("import-code");
                const value = field instanceof HTMLTextAreaElement ? field.value : "";
                void act(async () => {
                  const added = await importWallet(value);
                  return `${added.toLocaleString("en")} ${added === 1 ? "item" : "items"} added to this browser.`;
                });
              }}
            >
              <label htmlFor="import-code">Code from the other device</label>
              <textarea id="import-code" name="import-code" rows={4} required />
              <button type="submit">Import</button>
            </form>
          </section>
          <section className="card" aria-labelledby="forget-title">
            <h2 id="forget-title">Forget them on this device</h2>
            <p>
              On a shared computer, or if someone demands to see your receipts: forgetting removes every
              token, key and receipt from this browser. Your signatures stay counted; without a copy
              elsewhere, you can no longer withdraw them, and no new token is issued for the same petitions.
            </p>
            <button
              type="button"
              className="danger"
              onClick={() =>
                void act(async () => {
                  await forgetWallet();
                  forgetBackgroundRun();
                  setCode(null);
                  return "This browser holds no tokens any more.";
                })
              }
            >
              Forget my tokens on this device
            </button>
          </section>
        </>
      )}
      <p>
        See also <Link to="/my/petitions">My petitions</Link> and <Link to="/my/feedback">My feedback</Link>.
      </p>
    </>
  );
}
