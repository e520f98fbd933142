import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { SanitizedHtml } from "../components/sanitized-html";
import { AnonymousFeedbackHeld } from "../components/wallet-views";
import { myFeedback } from "../domain/policies/feedback.server";
import { useFormat } from "../i18n/format";
import { useT } from "../i18n/translate";
import { wordsFor } from "../web/reader.server";
import { requireUser } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const { t } = await wordsFor(request);
  return json({ title: t("common.pageTitle", { page: t("policies.mine.title") }), items: myFeedback(user) });
}

export default function MyFeedback() {
  const { items } = useLoaderData<typeof loader>();
  const t = useT();
  const format = useFormat();
  return (
    <div className="stack">
      <h1>{t("policies.mine.title")}</h1>
      <p>{t("policies.mine.intro")}</p>
      {items.length ? (
        <ol className="updates">
          {items.map((item) => (
            <li key={item.id} className="card stack">
              <p className="meta">
                <Link to={`/policies/${item.policySlug}`}>{item.policyTitle}</Link>
                {item.version ? ` · ${t("policies.mine.version", { version: item.version })}` : ""} ·{" "}
                {format.dateTime(item.createdAt)} ·{" "}
                {item.anonymous ? t("policies.mine.sentAnonymously") : t("policies.mine.sentWithName")}
                {item.rating ? ` · ${t("policies.mine.rated", { rating: String(item.rating) })}` : ""} ·{" "}
                {t("policies.feedbackStatus", { status: item.status })}
              </p>
              <SanitizedHtml html={item.bodyHtml} />
              {item.replies.length ? (
                <div className="stack">
                  {item.replies.map((reply) => (
                    <div key={reply.id} className="reply">
                      <p className="meta">
                        {t("policies.mine.replyFrom", { by: reply.by })} · {format.dateTime(reply.createdAt)}
                      </p>
                      <SanitizedHtml html={reply.bodyHtml} />
                    </div>
                  ))}
                </div>
              ) : (
                <p className="muted">{t("policies.mine.noReply")}</p>
              )}
            </li>
          ))}
        </ol>
      ) : (
        <p>{t.rich("policies.mine.empty", { link: (chunks) => <Link to="/policies">{chunks}</Link> })}</p>
      )}
      <AnonymousFeedbackHeld />
    </div>
  );
}
