import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import { z } from "zod";
import { Pagination } from "../components/pagination";
import { getConfig } from "../config.server";
import { useFormat } from "../i18n/format";
import { useT } from "../i18n/translate";
import { HIDDEN_MAIL_DAYS, listOutbox, retryHiddenMail, retryMail } from "../platform/mail/outbox.server";
import { MAIL_KIND_NAMES, MAIL_KINDS } from "../vocabulary/mail-kinds";
import { OUTBOX_STATUSES } from "../vocabulary/outbox";
import { redirectWithFlash } from "../web/flash.server";
import { wordsFor } from "../web/reader.server";
import { pageParam, parseQuery, readForm } from "../web/request.server";
import { requirePermission } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

const querySchema = z.object({ status: z.enum(OUTBOX_STATUSES).optional(), page: pageParam });

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "view:outbox");
  const query = parseQuery(request, querySchema);
  const { t } = await wordsFor(request);
  return json({
    title: t("common.pageTitle", { page: t("admin.pageTitle", { page: t("admin.outbox.title") }) }),
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
  const { t } = await wordsFor(request);
  if (value.intent === "retry-hidden") {
    const day = Date.parse(`${value.day}T00:00:00Z`);
    const retried = Number.isNaN(day) ? 0 : retryHiddenMail({ kind: value.kind, day }, actor);
    return redirectWithFlash("/admin/outbox", {
      kind: retried ? "success" : "error",
      message: retried ? t("admin.outbox.requeued", { count: retried }) : t("admin.outbox.noneFailed"),
    });
  }
  const { id } = value;
  if (!retryMail(id, actor)) {
    return redirectWithFlash("/admin/outbox?status=failed", {
      kind: "error",
      message: t("admin.outbox.notFailed", { id: String(id) }),
    });
  }
  return redirectWithFlash("/admin/outbox?status=failed", {
    kind: "success",
    message: t("admin.outbox.requeuedOne", { id: String(id) }),
  });
}

export default function Outbox() {
  const { query, smtp, devMailbox, messages, totals, hidden, hiddenDays, pageCount } =
    useLoaderData<typeof loader>();
  const t = useT();
  const format = useFormat();
  const code = (chunks: ReactNode[]) => <code>{chunks}</code>;
  return (
    <>
      <h1>{t("admin.outbox.title")}</h1>
      {smtp ? null : (
        <p className="flash flash-info">
          {devMailbox
            ? t.rich("admin.outbox.noSmtpDevMailbox", {
                code,
                url: devMailbox,
                link: (chunks) => <a href={devMailbox}>{chunks}</a>,
              })
            : t.rich("admin.outbox.noSmtp", { code })}
        </p>
      )}
      <p className="muted">{t("admin.outbox.hiddenIntro")}</p>
      <nav aria-label={t("admin.outbox.filter")}>
        <ul className="nav-list">
          <li>
            <Link to="/admin/outbox" aria-current={query.status ? undefined : "page"}>
              {t("admin.outbox.all")}
            </Link>
          </li>
          {OUTBOX_STATUSES.map((status) => (
            <li key={status}>
              <Link
                to={`/admin/outbox?status=${status}`}
                aria-current={query.status === status ? "page" : undefined}
              >
                {t("admin.outbox.statusCount", {
                  status: t("admin.outbox.status", { status }),
                  count: format.number(totals[status]),
                })}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <div className="table-wrap">
        <table>
          <caption className="muted">{t("admin.outbox.caption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("admin.outbox.kind")}</th>
              <th scope="col">{t("admin.outbox.to")}</th>
              <th scope="col">{t("admin.outbox.subject")}</th>
              <th scope="col">{t("admin.outbox.statusHeader")}</th>
              <th scope="col">{t("admin.outbox.attempts")}</th>
              <th scope="col">{t("admin.outbox.lastError")}</th>
              <th scope="col">{t("admin.outbox.queued")}</th>
              <th scope="col">{t("admin.outbox.sentOrNext")}</th>
            </tr>
          </thead>
          <tbody>
            {messages.map((m, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: rows carry no id (ids would mark gaps)
              <tr key={i}>
                <td>{t(MAIL_KINDS[m.kind].labelKey)}</td>
                <td>{m.toAddress}</td>
                <td>{m.subject}</td>
                <td>
                  <span
                    className={`badge ${m.status === "sent" ? "badge-ok" : m.status === "failed" ? "badge-bad" : "badge-warn"}`}
                  >
                    {t("admin.outbox.status", { status: m.status })}
                  </span>
                  {m.status === "failed" && m.id !== null ? (
                    <Form method="post" className="inline-form">
                      <input type="hidden" name="intent" value="retry" />
                      <input type="hidden" name="id" value={m.id} />
                      <button type="submit" className="button-link">
                        {t("admin.outbox.retry")}
                      </button>
                    </Form>
                  ) : null}
                </td>
                <td>{format.number(m.attempts)}</td>
                <td>{m.lastError ?? t("admin.people.none")}</td>
                <td>{format.utcDay(m.createdAt)}</td>
                <td>
                  {m.sentAt
                    ? format.utcDay(m.sentAt)
                    : m.status === "queued"
                      ? format.utcDay(m.nextAttemptAt)
                      : t("admin.people.none")}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pagination page={query.page} pageCount={pageCount} />
      <h2 id="hidden-title">{t("admin.outbox.hiddenTitle")}</h2>
      {hidden.length === 0 ? (
        <p className="muted">{t("admin.outbox.hiddenNone", { days: hiddenDays })}</p>
      ) : (
        <div className="table-wrap">
          <table aria-labelledby="hidden-title">
            <thead>
              <tr>
                <th scope="col">{t("admin.outbox.day")}</th>
                <th scope="col">{t("admin.outbox.kind")}</th>
                <th scope="col">{t("admin.outbox.sent")}</th>
                <th scope="col">{t("admin.outbox.waiting")}</th>
                <th scope="col">{t("admin.outbox.failed")}</th>
              </tr>
            </thead>
            <tbody>
              {hidden.map((g) => (
                <tr key={`${g.day}:${g.kind}`}>
                  <td>{format.utcDay(g.day)}</td>
                  <td>{t(MAIL_KINDS[g.kind].labelKey)}</td>
                  <td>{format.number(g.sent)}</td>
                  <td>{format.number(g.queued + g.sending)}</td>
                  <td>
                    {format.number(g.failed)}
                    {g.failed > 0 ? (
                      <Form method="post" className="inline-form">
                        <input type="hidden" name="intent" value="retry-hidden" />
                        <input type="hidden" name="kind" value={g.kind} />
                        <input type="hidden" name="day" value={String(g.day).slice(0, 10)} />
                        <button type="submit" className="button-link">
                          {t("admin.outbox.retryThese")}
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
