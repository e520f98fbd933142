import { getFormProps, type SubmissionResult, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { FormErrors, SelectField, TextareaField } from "../components/forms";
import { Pagination } from "../components/pagination";
import { SanitizedHtml } from "../components/sanitized-html";
import { SmallGroupTable } from "../components/small-group-table";
import { readerRefusal } from "../domain/policies/feedback.server";
import { feedbackReplySchema, feedbackTagSchema } from "../domain/policies/feedback-forms";
import {
  feedbackAggregates,
  feedbackInbox,
  replyToFeedback,
  setFeedbackStatus,
  tagFeedback,
} from "../domain/policies/feedback-inbox.server";
import { findPolicy, listVersions } from "../domain/policies/registry.server";
import { useFormat } from "../i18n/format";
import { type Translate, useT } from "../i18n/translate";
import { K } from "../platform/anonymity/small-groups";
import { FEEDBACK_STATUSES } from "../vocabulary/feedback";
import { redirectWithFlash } from "../web/flash.server";
import { redirectFromFormerAddress } from "../web/former-addresses.server";
import { wordsFor } from "../web/reader.server";
import { notFound, refusalReply, refuseIf } from "../web/refusal-reply.server";
import { pageParam, parseQuery, readForm } from "../web/request.server";
import { requireUser } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

async function requireInbox(request: Request, slug: string | undefined) {
  const user = await requireUser(request);
  const { t } = await wordsFor(request);
  const policy = findPolicy(slug ?? "");
  if (!policy) notFound(t("policies.notFound"));
  refuseIf(readerRefusal(policy.id, user));
  return { user, policy };
}

const querySchema = z.object({
  version: z.coerce.number().int().positive().optional().catch(undefined),
  status: z.enum(FEEDBACK_STATUSES).optional().catch(undefined),
  tag: z.string().trim().max(40).optional().catch(undefined),
  page: pageParam.catch(1),
});

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, policy } = await requireInbox(request, params.slug);
  redirectFromFormerAddress(request, "/policies/", params.slug, policy.slug);
  const filter = parseQuery(request, querySchema);
  const inbox = feedbackInbox(policy.id, user, {
    version: filter.version,
    status: filter.status,
    tag: filter.tag || undefined,
    page: filter.page,
  });
  const { t } = await wordsFor(request);
  return json({
    title: t("common.pageTitle", { page: t("policies.inbox.pageTitle", { policy: policy.title }) }),
    policy: { slug: policy.slug, title: policy.title },
    versions: listVersions(policy.id).map((v) => v.version),
    filter,
    inbox,
    aggregates: feedbackAggregates(policy.id, user),
  });
}

const actionSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("status"),
    feedbackId: z.coerce.number().int().positive(),
    status: z.enum(FEEDBACK_STATUSES, { message: "Choose a status" }),
  }),
  z.object({
    intent: z.literal("tag"),
    feedbackId: z.coerce.number().int().positive(),
    tag: feedbackTagSchema,
  }),
  z.object({
    intent: z.literal("untag"),
    feedbackId: z.coerce.number().int().positive(),
    tag: feedbackTagSchema,
  }),
  feedbackReplySchema.extend({ intent: z.literal("reply"), feedbackId: z.coerce.number().int().positive() }),
]);

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, policy } = await requireInbox(request, params.slug);
  const submission = parseWithZod(await readForm(request), { schema: actionSchema });
  if (submission.status !== "success") return json(submission.reply(), { status: 400 });
  const value = submission.value;
  // Back to the same filtered view the owner acted from.
  const back = `/policies/${policy.slug}/feedback${new URL(request.url).search}#feedback-${value.feedbackId}`;
  const { t } = await wordsFor(request);
  try {
    let message: string;
    switch (value.intent) {
      case "status":
        setFeedbackStatus(value.feedbackId, value.status, user);
        message = t("policies.inbox.marked", { status: value.status });
        break;
      case "tag":
        tagFeedback(value.feedbackId, value.tag, true, user);
        message = t("policies.inbox.tagged", { tag: value.tag });
        break;
      case "untag":
        tagFeedback(value.feedbackId, value.tag, false, user);
        message = t("policies.inbox.untagged", { tag: value.tag });
        break;
      case "reply":
        replyToFeedback(value.feedbackId, value.body, user);
        message = t("policies.inbox.replySent");
        break;
    }
    return redirectWithFlash(back, { kind: "success", message });
  } catch (error) {
    return refusalReply(error, submission, request);
  }
}

function ReplyForm({ feedbackId }: { feedbackId: number }) {
  const result = useActionData<typeof action>() as SubmissionResult<string[]> | undefined;
  const t = useT();
  const mine =
    result?.initialValue?.intent === "reply" && String(result.initialValue.feedbackId) === String(feedbackId);
  const [form, fields] = useForm({
    id: `reply-${feedbackId}`,
    lastResult: mine ? result : undefined,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: feedbackReplySchema }),
    shouldValidate: "onBlur",
  });
  return (
    <Form method="post" className="stack" {...getFormProps(form)}>
      <FormErrors id={form.errorId} errors={form.errors} />
      <input type="hidden" name="intent" value="reply" />
      <input type="hidden" name="feedbackId" value={feedbackId} />
      <TextareaField label={t("policies.inbox.replyLabel")} field={fields.body} rows={3} />
      <button type="submit">{t("policies.inbox.sendReply")}</button>
    </Form>
  );
}

const ratingText = (t: Translate, average: number | null | undefined) =>
  average == null ? "—" : t("policies.inbox.average", { average });

/** Why some numbers in the table are hidden, in the owners' terms. */
function aggregatesNote(
  t: Translate,
  aggregates: {
    folded: number | null;
    rated: number;
    totalAverage: number | null;
    foldedAverage: number | null;
  },
) {
  const parts = [];
  if (aggregates.folded !== null) parts.push(t("policies.inbox.note.folded", { k: K }));
  if (aggregates.rated < K)
    parts.push(t("policies.inbox.note.fewRatings", { k: K, count: aggregates.rated }));
  else if (aggregates.totalAverage === null)
    parts.push(t("policies.inbox.note.totalHidden", { k: K, count: aggregates.rated }));
  else parts.push(t("policies.inbox.note.averages", { k: K }));
  return parts.join(" ");
}

export default function FeedbackInbox() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as SubmissionResult<string[]> | undefined;
  const { inbox, aggregates, policy } = data;
  const t = useT();
  const format = useFormat();
  const otherErrors = result?.initialValue?.intent !== "reply" ? result?.error?.[""] : undefined;
  return (
    <div className="stack">
      <p>
        <Link to={`/policies/${policy.slug}`}>← {policy.title}</Link>
      </p>
      <h1>{t("policies.inbox.title")}</h1>
      <p>{t("policies.inbox.intro")}</p>

      <section className="card" aria-labelledby="aggregates-title">
        <h2 id="aggregates-title">{t("policies.inbox.byVersion")}</h2>
        {aggregates.total === 0 ? (
          <p className="muted">{t("policies.inbox.empty")}</p>
        ) : (
          <>
            <SmallGroupTable
              groupLabel={t("policies.inbox.version")}
              countLabel={t("policies.inbox.feedback")}
              breakdown={aggregates}
              extra={{
                label: t("policies.inbox.averageRating"),
                value: (label) => ratingText(t, aggregates.rows.find((r) => r.label === label)?.average),
                folded: ratingText(t, aggregates.foldedAverage),
                total: ratingText(t, aggregates.totalAverage),
              }}
            />
            <p className="hint">{aggregatesNote(t, aggregates)}</p>
          </>
        )}
      </section>

      <Form method="get" className="row card" aria-label={t("policies.inbox.filterLabel")}>
        <SelectField
          id="filter-version"
          label={t("policies.inbox.version")}
          name="version"
          defaultValue={data.filter.version ?? ""}
          options={[
            { value: "", label: t("policies.inbox.allVersions") },
            ...data.versions.map((v) => ({ value: v, label: t("policies.inbox.versionN", { version: v }) })),
          ]}
        />
        <SelectField
          id="filter-status"
          label={t("policies.inbox.status")}
          name="status"
          defaultValue={data.filter.status ?? ""}
          options={[
            { value: "", label: t("policies.inbox.anyStatus") },
            ...FEEDBACK_STATUSES.map((s) => ({
              value: s,
              label: t("policies.feedbackStatus", { status: s }),
            })),
          ]}
        />
        <SelectField
          id="filter-tag"
          label={t("policies.inbox.tag")}
          name="tag"
          defaultValue={data.filter.tag ?? ""}
          options={[
            { value: "", label: t("policies.inbox.anyTag") },
            ...inbox.tags.map((tag) => ({ value: tag, label: tag })),
          ]}
        />
        <button type="submit" className="secondary">
          {t("policies.inbox.filter")}
        </button>
      </Form>

      <FormErrors errors={otherErrors ?? undefined} />
      <p>
        {t("policies.inbox.items", { count: inbox.total })}
        {inbox.newCount ? ` · ${t("policies.inbox.newInAll", { count: inbox.newCount })}` : ""}
      </p>
      <ol className="updates">
        {inbox.items.map((item) => (
          <li key={item.id} id={`feedback-${item.id}`} className="card stack">
            <p className="meta">
              <strong>{item.author ? item.author.name : t("policies.inbox.anonymousAuthor")}</strong>
              {item.author?.department ? ` · ${item.author.department}` : ""} ·{" "}
              {/* Anonymous feedback is kept to its UTC day on purpose: shown as that day, labelled UTC. */}
              {item.dayOnly ? format.utcDay(item.createdAt) : format.dateTime(item.createdAt)}
              {item.version ? ` · ${t("policies.inbox.onVersion", { version: item.version })}` : ""}
              {item.rating ? ` · ${t("policies.inbox.rated", { rating: String(item.rating) })}` : ""} ·{" "}
              <span className={item.status === "new" ? "badge badge-warn" : "badge"}>
                {t("policies.feedbackStatus", { status: item.status })}
              </span>
            </p>
            <SanitizedHtml html={item.bodyHtml} />
            <div className="row">
              <Form method="post" className="row">
                <input type="hidden" name="intent" value="status" />
                <input type="hidden" name="feedbackId" value={item.id} />
                <SelectField
                  id={`status-${item.id}`}
                  label={t("policies.inbox.status")}
                  name="status"
                  defaultValue={item.status}
                  options={FEEDBACK_STATUSES.map((s) => ({
                    value: s,
                    label: t("policies.feedbackStatus", { status: s }),
                  }))}
                />
                <button type="submit" className="secondary">
                  {t("policies.inbox.setStatus")}
                </button>
              </Form>
              <Form method="post" className="row">
                <input type="hidden" name="intent" value="tag" />
                <input type="hidden" name="feedbackId" value={item.id} />
                <div className="field">
                  <label htmlFor={`tag-${item.id}`}>{t("policies.inbox.addTag")}</label>
                  <input id={`tag-${item.id}`} name="tag" maxLength={40} />
                </div>
                <button type="submit" className="secondary">
                  {t("policies.inbox.tagButton")}
                </button>
              </Form>
            </div>
            {item.tags.length ? (
              <ul className="tags" aria-label={t("policies.inbox.tags")}>
                {item.tags.map((tag) => (
                  <li key={tag}>
                    <Form method="post" className="inline-form">
                      <input type="hidden" name="intent" value="untag" />
                      <input type="hidden" name="feedbackId" value={item.id} />
                      <input type="hidden" name="tag" value={tag} />
                      <span className="badge">{tag}</span>
                      <button
                        type="submit"
                        className="link-button"
                        aria-label={t("policies.inbox.removeTag", { tag })}
                      >
                        ×
                      </button>
                    </Form>
                  </li>
                ))}
              </ul>
            ) : null}
            {item.replies.length ? (
              <div>
                <h3>{t("policies.inbox.replies")}</h3>
                {item.replies.map((reply) => (
                  <div key={reply.id} className="reply">
                    <p className="meta">
                      {reply.by} · {format.dateTime(reply.createdAt)}
                    </p>
                    <SanitizedHtml html={reply.bodyHtml} />
                  </div>
                ))}
              </div>
            ) : null}
            <ReplyForm feedbackId={item.id} />
          </li>
        ))}
      </ol>
      <Pagination page={data.filter.page} pageCount={inbox.pageCount} />
    </div>
  );
}
