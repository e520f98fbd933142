import type { MetaFunction } from "@remix-run/node";
import { useEffect, useState } from "react";
import { FeedbackReplies, useRepliesDigest } from "../components/wallet-views";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction = () => [{ title: "Anonymous feedback receipt · Undersigned" }];

/**
 * Replies to anonymous feedback, read with its receipt code from any browser. The code never leaves
 * the browser: every view of this page downloads the same public digest of replies, without cookies,
 * and the code finds and opens its own entry here. The server has no loader here.
 */
export default function FeedbackReceipt() {
  const [ready, setReady] = useState(false);
  const digest = useRepliesDigest();
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
        <p className="card">
          This page needs JavaScript: your browser reads the replies with the code, which it never sends.
        </p>
      )}
      {secret ? (
        <section className="card" aria-labelledby="replies-title">
          <h2 id="replies-title">Replies</h2>
          <FeedbackReplies key={secret} digest={digest} code={secret} withFeedback />
        </section>
      ) : null}
    </>
  );
}
