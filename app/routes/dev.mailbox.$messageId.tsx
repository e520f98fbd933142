import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { formatDateTime } from "../components/format";
import { LinkifiedText } from "../components/linkified-text";
import { getConfig } from "../config.server";
import { getDevMailboxMessage } from "../platform/outbox.server";
import { notFound } from "../web/refusal-reply.server";
import { devMailboxAvailable, parseId } from "../web/request.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.message.subject ?? "Email"} · Dev mailbox · Undersigned` },
];

export function loader({ params, context }: LoaderFunctionArgs) {
  if (!devMailboxAvailable(context)) notFound();
  const message = getDevMailboxMessage(parseId(params.messageId));
  if (!message) notFound();
  return json({
    message: {
      to: message.toAddress,
      from: getConfig().mailFrom,
      subject: message.subject,
      text: message.textBody,
      createdAt: message.createdAt.toISOString(),
    },
  });
}

export default function DevMailboxMessage() {
  const { message } = useLoaderData<typeof loader>();
  return (
    <>
      <p>
        <Link to="/dev/mailbox">← Dev mailbox</Link>
      </p>
      <h1>{message.subject}</h1>
      <dl className="card">
        <dt className="label">From</dt>
        <dd>{message.from}</dd>
        <dt className="label">To</dt>
        <dd>{message.to}</dd>
        <dt className="label">Queued</dt>
        <dd>{formatDateTime(message.createdAt)}</dd>
      </dl>
      <pre className="mail-body">
        <LinkifiedText text={message.text} />
      </pre>
    </>
  );
}
