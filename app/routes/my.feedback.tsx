import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { formatDateTime } from "../components/format";
import { SanitizedHtml } from "../components/sanitized-html";
import { AnonymousFeedbackHeld } from "../components/wallet-views";
import { myFeedback } from "../domain/policies/feedback.server";
import { FEEDBACK_STATUS_LABELS, RATING_LABELS } from "../vocabulary/feedback";
import { requireUser } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction = () => [{ title: "My feedback · Undersigned" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return json({ items: myFeedback(user) });
}

export default function MyFeedback() {
  const { items } = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <h1>My feedback</h1>
      <p>
        The private feedback you sent to policy owners with your name, and their replies. Feedback you sent
        anonymously is stored with no author: only your devices know it is yours (below).
      </p>
      {items.length ? (
        <ol className="updates">
          {items.map((item) => (
            <li key={item.id} className="card stack">
              <p className="meta">
                <Link to={`/policies/${item.policySlug}`}>{item.policyTitle}</Link>
                {item.version ? ` · version ${item.version}` : ""} · {formatDateTime(item.createdAt)} ·{" "}
                {item.anonymous ? "sent anonymously" : "sent with your name"}
                {item.rating ? ` · you rated it ${item.rating} of 5 (${RATING_LABELS[item.rating]})` : ""} ·{" "}
                {FEEDBACK_STATUS_LABELS[item.status]}
              </p>
              <SanitizedHtml html={item.bodyHtml} />
              {item.replies.length ? (
                <div className="stack">
                  {item.replies.map((reply) => (
                    <div key={reply.id} className="reply">
                      <p className="meta">
                        Reply from {reply.by}, an owner of the policy · {formatDateTime(reply.createdAt)}
                      </p>
                      <SanitizedHtml html={reply.bodyHtml} />
                    </div>
                  ))}
                </div>
              ) : (
                <p className="muted">No reply yet.</p>
              )}
            </li>
          ))}
        </ol>
      ) : (
        <p>
          You have not sent any feedback with your name. Every <Link to="/policies">policy</Link> page has a
          form for it.
        </p>
      )}
      <AnonymousFeedbackHeld />
    </div>
  );
}
