import type { MetaFunction } from "@remix-run/node";
import { useEffect, useState } from "react";
import { FeedbackReplies } from "../components/wallet-views";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction = () => [{ title: "Anonymous feedback receipt · Undersigned" }];

/**
 * Replies to anonymous feedback, read with its receipt code from any browser. The code is sent in a
 * request body without cookies (never in an address a log keeps); the server has no loader here.
 */
export default function FeedbackReceipt() {
  const [ready, setReady] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  useEffect(() => setReady(true), []);
  return (
    <>
      <h1>Replies to anonymous feedback</h1>
      <p>
        Feedback sent anonymously is stored with no author, so nobody can email you a reply. Paste its receipt
        code to read what the policy's owners answered.
      </p>
      {ready ? (
        <form
          className="card"
          onSubmit={(event) => {
            event.preventDefault();
            const field = event.currentTarget.elements.namedItem("code");
            setSecret(field instanceof HTMLInputElement ? field.value.trim() : null);
          }}
        >
          <label htmlFor="code">Receipt code</label>
          <input id="code" name="code" required autoComplete="off" spellCheck={false} />
          <button type="submit">Read replies</button>
        </form>
      ) : (
        <p className="card">This page needs JavaScript: the code is sent without your session.</p>
      )}
      {secret ? (
        <section className="card" aria-labelledby="replies-title">
          <h2 id="replies-title">Replies</h2>
          <FeedbackReplies key={secret} secret={secret} />
        </section>
      ) : null}
    </>
  );
}
