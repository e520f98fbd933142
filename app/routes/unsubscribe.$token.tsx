import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { parseUnsubscribeToken, setEmailPreference } from "../platform/mail/email-preferences.server";
import { say } from "../platform/said";
import { EMAIL_TOPIC_LABELS } from "../vocabulary/email-topics";
import { notFound } from "../web/refusal-reply.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction = () => [{ title: "Unsubscribe · Undersigned" }];

function topicOf(token: string | undefined) {
  const parsed = parseUnsubscribeToken(token ?? "");
  if (!parsed) notFound(say("server.notFound.unsubscribe"));
  return parsed;
}

/** Opening the link only asks (mail scanners open links); the button POSTs. No sign-in needed. */
export async function loader({ params }: LoaderFunctionArgs) {
  const { topic } = topicOf(params.token);
  return json({ topic: EMAIL_TOPIC_LABELS[topic].label });
}

/** Also the RFC 8058 one-click target: mail clients POST `List-Unsubscribe=One-Click` here. */
export async function action({ params }: ActionFunctionArgs) {
  const { personId, topic } = topicOf(params.token);
  setEmailPreference(personId, topic, false);
  return json({ done: EMAIL_TOPIC_LABELS[topic].unsubscribed });
}

export default function Unsubscribe() {
  const { topic } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <div className="narrow stack">
      <h1>Unsubscribe</h1>
      {result ? (
        <p className="flash flash-success" role="status">
          {result.done}
        </p>
      ) : (
        <Form method="post" className="card stack">
          <p>
            Stop emails about: <strong>{topic}</strong>? Only this kind of email stops; everything else stays
            as it is.
          </p>
          <button type="submit">Unsubscribe</button>
        </Form>
      )}
      <p>
        <Link to="/settings">All email settings</Link> (after signing in)
      </p>
    </div>
  );
}
