import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useEffect, useState } from "react";
import { FeedbackReplies, useRepliesDigest } from "../components/wallet-views";
import { useT } from "../i18n/translate";
import { wordsFor } from "../web/reader.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

/** The page's title in the reader's words, and nothing else: the code is never sent here. */
export async function loader({ request }: LoaderFunctionArgs) {
  const { t } = await wordsFor(request);
  return json({ title: t("common.pageTitle", { page: t("policies.receipt.pageTitle") }) });
}

/**
 * Replies to anonymous feedback, read with its receipt code from any browser. The code never leaves
 * the browser: every view of this page downloads the same public digest of replies, without cookies,
 * and the code finds and opens its own entry here. The server's loader gives the title only.
 */
export default function FeedbackReceipt() {
  const [ready, setReady] = useState(false);
  const digest = useRepliesDigest();
  const [secret, setSecret] = useState<string | null>(null);
  const t = useT();
  useEffect(() => setReady(true), []);
  return (
    <>
      <h1>{t("policies.receipt.title")}</h1>
      <p>{t("policies.receipt.intro")}</p>
      {ready ? (
        <form
          className="card"
          onSubmit={(event) => {
            event.preventDefault();
            const field = event.currentTarget.elements.namedItem("code");
            setSecret(field instanceof HTMLInputElement ? field.value.trim() : null);
          }}
        >
          <label htmlFor="code">{t("policies.receipt.code")}</label>
          <input id="code" name="code" required autoComplete="off" spellCheck={false} />
          <button type="submit">{t("policies.receipt.read")}</button>
        </form>
      ) : (
        <p className="card">{t("policies.receipt.needsScript")}</p>
      )}
      {secret ? (
        <section className="card" aria-labelledby="replies-title">
          <h2 id="replies-title">{t("policies.inbox.replies")}</h2>
          <FeedbackReplies key={secret} digest={digest} code={secret} withFeedback />
        </section>
      ) : null}
    </>
  );
}
