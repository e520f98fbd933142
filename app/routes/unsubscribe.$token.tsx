import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { type Translate, useT } from "../i18n/translate";
import { parseUnsubscribeToken, setEmailPreference } from "../platform/mail/email-preferences.server";
import { EMAIL_TOPIC_LABELS } from "../vocabulary/email-topics";
import { wordsFor } from "../web/reader.server";
import { notFound } from "../web/refusal-reply.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

function topicOf(token: string | undefined, t: Translate) {
  const parsed = parseUnsubscribeToken(token ?? "");
  if (!parsed) notFound(t("identity.unsubscribe.invalid"));
  return parsed;
}

/** Opening the link only asks (mail scanners open links); the button POSTs. No sign-in needed. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { t } = await wordsFor(request);
  const { topic } = topicOf(params.token, t);
  return json({
    title: t("common.pageTitle", { page: t("identity.unsubscribe.title") }),
    topic: t(EMAIL_TOPIC_LABELS[topic].label),
  });
}

/** Also the RFC 8058 one-click target: mail clients POST `List-Unsubscribe=One-Click` here. */
export async function action({ request, params }: ActionFunctionArgs) {
  const { t } = await wordsFor(request);
  const { personId, topic } = topicOf(params.token, t);
  setEmailPreference(personId, topic, false);
  return json({ done: t(EMAIL_TOPIC_LABELS[topic].unsubscribed) });
}

export default function Unsubscribe() {
  const t = useT();
  const { topic } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <div className="narrow stack">
      <h1>{t("identity.unsubscribe.title")}</h1>
      {result ? (
        <p className="flash flash-success" role="status">
          {result.done}
        </p>
      ) : (
        <Form method="post" className="card stack">
          <p>
            {t.rich("identity.unsubscribe.question", {
              topic,
              strong: (chunks) => <strong>{chunks}</strong>,
            })}
          </p>
          <button type="submit">{t("identity.unsubscribe.button")}</button>
        </Form>
      )}
      <p>
        {t.rich("identity.unsubscribe.allSettings", {
          link: (chunks) => <Link to="/settings">{chunks}</Link>,
        })}
      </p>
    </div>
  );
}
