import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { formatDate } from "../components/format";
import { Pagination } from "../components/pagination";
import { getConfig } from "../config.server";
import { listOutbox, retryMail } from "../platform/outbox.server";
import { MAIL_KINDS } from "../vocabulary/mail-kinds";
import { OUTBOX_STATUSES } from "../vocabulary/outbox";
import { redirectWithFlash } from "../web/flash.server";
import { pageParam, parseQuery, readForm } from "../web/request.server";
import { requirePermission } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction = () => [{ title: "Outbox · Admin · Undersigned" }];

const querySchema = z.object({ status: z.enum(OUTBOX_STATUSES).optional(), page: pageParam });

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "view:outbox");
  const query = parseQuery(request, querySchema);
  return json({ query, smtp: Boolean(getConfig().smtpUrl), ...listOutbox(query) });
}

const retrySchema = z.object({ id: z.coerce.number().int().min(1) });

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requirePermission(request, "retry:mail");
  const submission = parseWithZod(await readForm(request), { schema: retrySchema });
  if (submission.status !== "success") return json(submission.reply(), { status: 400 });
  const { id } = submission.value;
  if (!retryMail(id, { id: admin.id, email: admin.email })) {
    return redirectWithFlash("/admin/outbox?status=failed", {
      kind: "error",
      message: `Email ${id} is not failed.`,
    });
  }
  return redirectWithFlash("/admin/outbox?status=failed", {
    kind: "success",
    message: `Email ${id} queued again.`,
  });
}

export default function Outbox() {
  const { query, smtp, messages, totals, pageCount } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Outbox</h1>
      {smtp ? null : (
        <p className="flash flash-info">
          <code>SMTP_URL</code> is unset: emails stay queued here and can be read in the{" "}
          <Link to="/dev/mailbox">dev mailbox</Link>.
        </p>
      )}
      <nav aria-label="Filter by status">
        <ul className="nav-list">
          <li>
            <Link to="/admin/outbox" aria-current={query.status ? undefined : "page"}>
              All
            </Link>
          </li>
          {OUTBOX_STATUSES.map((status) => (
            <li key={status}>
              <Link
                to={`/admin/outbox?status=${status}`}
                aria-current={query.status === status ? "page" : undefined}
              >
                {status} ({totals[status]})
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Kind</th>
              <th scope="col">To</th>
              <th scope="col">Subject</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Last error</th>
              <th scope="col">Queued</th>
              <th scope="col">Sent / next try</th>
            </tr>
          </thead>
          <tbody>
            {messages.map((m) => (
              <tr key={m.id}>
                <td>{m.id}</td>
                <td>{MAIL_KINDS[m.kind].label}</td>
                <td>{m.toAddress}</td>
                <td>{m.subject}</td>
                <td>
                  <span
                    className={`badge ${m.status === "sent" ? "badge-ok" : m.status === "failed" ? "badge-bad" : "badge-warn"}`}
                  >
                    {m.status}
                  </span>
                  {m.status === "failed" ? (
                    <Form method="post" className="inline-form">
                      <input type="hidden" name="id" value={m.id} />
                      <button type="submit" className="button-link">
                        Retry
                      </button>
                    </Form>
                  ) : null}
                </td>
                <td>{m.attempts}</td>
                <td>{m.lastError ?? "—"}</td>
                <td>{formatDate(m.createdAt)}</td>
                <td>
                  {m.sentAt
                    ? formatDate(m.sentAt)
                    : m.status === "queued"
                      ? formatDate(m.nextAttemptAt)
                      : "—"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pagination page={query.page} pageCount={pageCount} />
    </>
  );
}
