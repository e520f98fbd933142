import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { formatDateTime } from "../components/format";
import { listDevMailbox } from "../platform/outbox.server";
import { notFound } from "../web/refusal-reply.server";
import { devMailboxAvailable } from "../web/request.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction = () => [{ title: "Dev mailbox · Undersigned" }];

/** Exists only while SMTP_URL is unset: the embedded default for a local machine. */
export function loader({ context }: LoaderFunctionArgs) {
  if (!devMailboxAvailable(context)) notFound();
  return json({
    messages: listDevMailbox().map((m) => ({
      id: m.id,
      to: m.toAddress,
      subject: m.subject,
      createdAt: m.createdAt.toISOString(),
    })),
  });
}

export default function DevMailbox() {
  const { messages } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Dev mailbox</h1>
      <p className="muted">
        No SMTP server is configured (<code>SMTP_URL</code> is unset), so emails stay here. This page
        disappears as soon as <code>SMTP_URL</code> is set.
      </p>
      {messages.length === 0 ? (
        <p>No emails yet. Ask for a sign-in link and it will appear here.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="muted">The 50 newest emails</caption>
            <thead>
              <tr>
                <th scope="col">To</th>
                <th scope="col">Subject</th>
                <th scope="col">Queued</th>
              </tr>
            </thead>
            <tbody>
              {messages.map((m) => (
                <tr key={m.id}>
                  <td>{m.to}</td>
                  <td>
                    <Link to={`/dev/mailbox/${m.id}`}>{m.subject}</Link>
                  </td>
                  <td>{formatDateTime(m.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
