import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { formatDate } from "../components/format";
import { Pagination } from "../components/pagination";
import { getConfig } from "../config.server";
import { HIDDEN_MAIL_DAYS, listOutbox, retryHiddenMail, retryMail } from "../platform/mail/outbox.server";
import { MAIL_KIND_NAMES, MAIL_KINDS } from "../vocabulary/mail-kinds";
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
  return json({
    query,
    smtp: Boolean(getConfig().smtpUrl),
    devMailbox: getConfig().devMailbox?.url ?? null,
    hiddenDays: HIDDEN_MAIL_DAYS,
    ...listOutbox(query),
  });
}

const retrySchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("retry"), id: z.coerce.number().int().min(1) }),
  // Emails to hidden recipients are never rows: they are retried by the kind and day they count in.
  z.object({
    intent: z.literal("retry-hidden"),
    kind: z.enum(MAIL_KIND_NAMES),
    day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  }),
]);

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requirePermission(request, "retry:mail");
  const submission = parseWithZod(await readForm(request), { schema: retrySchema });
  if (submission.status !== "success") return json(submission.reply(), { status: 400 });
  const value = submission.value;
  const actor = { id: admin.id, email: admin.email };
  if (value.intent === "retry-hidden") {
    const day = Date.parse(`${value.day}T00:00:00Z`);
    const retried = Number.isNaN(day) ? 0 : retryHiddenMail({ kind: value.kind, day }, actor);
    return redirectWithFlash("/admin/outbox", {
      kind: retried ? "success" : "error",
      message: retried
        ? `${retried} ${retried === 1 ? "email" : "emails"} queued again.`
        : "No failed emails of that kind and day.",
    });
  }
  const { id } = value;
  if (!retryMail(id, actor)) {
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
  const { query, smtp, devMailbox, messages, totals, hidden, hiddenDays, pageCount } =
    useLoaderData<typeof loader>();
  return (
    <>
      <h1>Outbox</h1>
      {smtp ? null : (
        <p className="flash flash-info">
          <code>SMTP_URL</code> is unset: emails stay queued here
          {devMailbox ? (
            <>
              {" "}
              and can be read in the dev mailbox, on the server's own machine at{" "}
              <a href={devMailbox}>{devMailbox}</a>
            </>
          ) : null}
          .
        </p>
      )}
      <p className="muted">
        Emails to people whose part must stay unknown (commenters, feedback authors, signers) are not listed:
        they are counted by day and kind below, once the day has ended.
      </p>
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
          <caption className="muted">Emails to organizers, moderators, leadership and sign-in links</caption>
          <thead>
            <tr>
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
            {messages.map((m, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: rows carry no id (ids would mark gaps)
              <tr key={i}>
                <td>{MAIL_KINDS[m.kind].label}</td>
                <td>{m.toAddress}</td>
                <td>{m.subject}</td>
                <td>
                  <span
                    className={`badge ${m.status === "sent" ? "badge-ok" : m.status === "failed" ? "badge-bad" : "badge-warn"}`}
                  >
                    {m.status}
                  </span>
                  {m.status === "failed" && m.id !== null ? (
                    <Form method="post" className="inline-form">
                      <input type="hidden" name="intent" value="retry" />
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
      <h2 id="hidden-title">Emails to participants, by day</h2>
      {hidden.length === 0 ? (
        <p className="muted">None in the last {hiddenDays} days (today's are counted tomorrow).</p>
      ) : (
        <div className="table-wrap">
          <table aria-labelledby="hidden-title">
            <thead>
              <tr>
                <th scope="col">Day</th>
                <th scope="col">Kind</th>
                <th scope="col">Sent</th>
                <th scope="col">Waiting</th>
                <th scope="col">Failed</th>
              </tr>
            </thead>
            <tbody>
              {hidden.map((g) => (
                <tr key={`${g.day}:${g.kind}`}>
                  <td>{formatDate(g.day)}</td>
                  <td>{MAIL_KINDS[g.kind].label}</td>
                  <td>{g.sent}</td>
                  <td>{g.queued + g.sending}</td>
                  <td>
                    {g.failed}
                    {g.failed > 0 ? (
                      <Form method="post" className="inline-form">
                        <input type="hidden" name="intent" value="retry-hidden" />
                        <input type="hidden" name="kind" value={g.kind} />
                        <input type="hidden" name="day" value={String(g.day).slice(0, 10)} />
                        <button type="submit" className="button-link">
                          Retry these
                        </button>
                      </Form>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
