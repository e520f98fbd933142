import { getFormProps, type SubmissionResult, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { formatDate, formatDateTime } from "../components/format";
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
import { K } from "../platform/anonymity/small-groups";
import { say } from "../platform/said";
import { FEEDBACK_STATUS_LABELS, FEEDBACK_STATUSES, RATING_LABELS } from "../vocabulary/feedback";
import { redirectWithFlash } from "../web/flash.server";
import { redirectFromFormerAddress } from "../web/former-addresses.server";
import { notFound, refusalReply, refuseIf } from "../web/refusal-reply.server";
import { pageParam, parseQuery, readForm } from "../web/request.server";
import { requireUser } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Feedback · ${data?.policy.title ?? "Policy"} · Undersigned` },
];

async function requireInbox(request: Request, slug: string | undefined) {
  const user = await requireUser(request);
  const policy = findPolicy(slug ?? "");
  if (!policy) notFound(say("server.notFound.policy"));
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
  return json({
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
  try {
    let message: string;
    switch (value.intent) {
      case "status":
        setFeedbackStatus(value.feedbackId, value.status, user);
        message = `Marked “${FEEDBACK_STATUS_LABELS[value.status]}”.`;
        break;
      case "tag":
        tagFeedback(value.feedbackId, value.tag, true, user);
        message = `Tagged “${value.tag}”.`;
        break;
      case "untag":
        tagFeedback(value.feedbackId, value.tag, false, user);
        message = `Tag “${value.tag}” removed.`;
        break;
      case "reply":
        replyToFeedback(value.feedbackId, value.body, user);
        message =
          "Reply sent. A named author gets it by email and in My feedback; an anonymous one reads it with the receipt code their browser keeps — nobody, you included, learns who they are.";
        break;
    }
    return redirectWithFlash(back, { kind: "success", message });
  } catch (error) {
    return refusalReply(error, submission, request);
  }
}

function ReplyForm({ feedbackId }: { feedbackId: number }) {
  const result = useActionData<typeof action>() as SubmissionResult<string[]> | undefined;
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
      <TextareaField label="Reply privately" field={fields.body} rows={3} />
      <button type="submit">Send reply</button>
    </Form>
  );
}

const ratingText = (average: number | null | undefined) => (average == null ? "—" : `${average} of 5`);

/** Why some numbers in the table are hidden, in the owners' terms. */
function aggregatesNote(aggregates: {
  folded: number | null;
  rated: number;
  totalAverage: number | null;
  foldedAverage: number | null;
}) {
  const parts = [];
  if (aggregates.folded !== null)
    parts.push(
      `A version is listed on its own once it has ${K} pieces of feedback or more, none or at least ${K} of them anonymous; the others are combined, so that nobody's feedback can be picked out by the version it was about.`,
    );
  if (aggregates.rated < K)
    parts.push(
      `Averages appear from ${K} ratings; there ${aggregates.rated === 1 ? "is" : "are"} ${aggregates.rated.toLocaleString("en")} so far.`,
    );
  else if (aggregates.totalAverage === null)
    parts.push(
      `An average appears for a row with ${K} ratings or more; the average of all ${aggregates.rated.toLocaleString("en")} ratings is hidden while a row's is, as it would give that one away.`,
    );
  else parts.push(`An average appears for a row with ${K} ratings or more.`);
  return parts.join(" ");
}

export default function FeedbackInbox() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as SubmissionResult<string[]> | undefined;
  const { inbox, aggregates, policy } = data;
  const otherErrors = result?.initialValue?.intent !== "reply" ? result?.error?.[""] : undefined;
  return (
    <div className="stack">
      <p>
        <Link to={`/policies/${policy.slug}`}>← {policy.title}</Link>
      </p>
      <h1>Feedback inbox</h1>
      <p>
        Private feedback on this policy, for its owners and admins. Anonymous feedback shows no name and only
        its day; replies are relayed by the platform, so you never learn who sent it.
      </p>

      <section className="card" aria-labelledby="aggregates-title">
        <h2 id="aggregates-title">By version</h2>
        {aggregates.total === 0 ? (
          <p className="muted">No feedback yet.</p>
        ) : (
          <>
            <SmallGroupTable
              groupLabel="Version"
              countLabel="Feedback"
              breakdown={aggregates}
              extra={{
                label: "Average rating",
                value: (label) => ratingText(aggregates.rows.find((r) => r.label === label)?.average),
                folded: ratingText(aggregates.foldedAverage),
                total: ratingText(aggregates.totalAverage),
              }}
            />
            <p className="hint">{aggregatesNote(aggregates)}</p>
          </>
        )}
      </section>

      <Form method="get" className="row card" aria-label="Filter feedback">
        <SelectField
          id="filter-version"
          label="Version"
          name="version"
          defaultValue={data.filter.version ?? ""}
          options={[
            { value: "", label: "All versions" },
            ...data.versions.map((v) => ({ value: v, label: `Version ${v}` })),
          ]}
        />
        <SelectField
          id="filter-status"
          label="Status"
          name="status"
          defaultValue={data.filter.status ?? ""}
          options={[
            { value: "", label: "Any status" },
            ...FEEDBACK_STATUSES.map((s) => ({ value: s, label: FEEDBACK_STATUS_LABELS[s] })),
          ]}
        />
        <SelectField
          id="filter-tag"
          label="Tag"
          name="tag"
          defaultValue={data.filter.tag ?? ""}
          options={[{ value: "", label: "Any tag" }, ...inbox.tags.map((t) => ({ value: t, label: t }))]}
        />
        <button type="submit" className="secondary">
          Filter
        </button>
      </Form>

      <FormErrors errors={otherErrors ?? undefined} />
      <p>
        {inbox.total.toLocaleString("en")} item{inbox.total === 1 ? "" : "s"}
        {inbox.newCount ? ` · ${inbox.newCount.toLocaleString("en")} new in all` : ""}
      </p>
      <ol className="updates">
        {inbox.items.map((item) => (
          <li key={item.id} id={`feedback-${item.id}`} className="card stack">
            <p className="meta">
              <strong>{item.author ? item.author.name : "Anonymous colleague"}</strong>
              {item.author?.department ? ` · ${item.author.department}` : ""} ·{" "}
              {item.dayOnly ? formatDate(item.createdAt) : formatDateTime(item.createdAt)}
              {item.version ? ` · on version ${item.version}` : ""}
              {item.rating ? ` · rated ${item.rating} of 5 (${RATING_LABELS[item.rating]})` : ""} ·{" "}
              <span className={item.status === "new" ? "badge badge-warn" : "badge"}>
                {FEEDBACK_STATUS_LABELS[item.status]}
              </span>
            </p>
            <SanitizedHtml html={item.bodyHtml} />
            <div className="row">
              <Form method="post" className="row">
                <input type="hidden" name="intent" value="status" />
                <input type="hidden" name="feedbackId" value={item.id} />
                <SelectField
                  id={`status-${item.id}`}
                  label="Status"
                  name="status"
                  defaultValue={item.status}
                  options={FEEDBACK_STATUSES.map((s) => ({ value: s, label: FEEDBACK_STATUS_LABELS[s] }))}
                />
                <button type="submit" className="secondary">
                  Set status
                </button>
              </Form>
              <Form method="post" className="row">
                <input type="hidden" name="intent" value="tag" />
                <input type="hidden" name="feedbackId" value={item.id} />
                <div className="field">
                  <label htmlFor={`tag-${item.id}`}>Add a tag</label>
                  <input id={`tag-${item.id}`} name="tag" maxLength={40} />
                </div>
                <button type="submit" className="secondary">
                  Tag
                </button>
              </Form>
            </div>
            {item.tags.length ? (
              <ul className="tags" aria-label="Tags">
                {item.tags.map((tag) => (
                  <li key={tag}>
                    <Form method="post" className="inline-form">
                      <input type="hidden" name="intent" value="untag" />
                      <input type="hidden" name="feedbackId" value={item.id} />
                      <input type="hidden" name="tag" value={tag} />
                      <span className="badge">{tag}</span>
                      <button type="submit" className="link-button" aria-label={`Remove tag ${tag}`}>
                        ×
                      </button>
                    </Form>
                  </li>
                ))}
              </ul>
            ) : null}
            {item.replies.length ? (
              <div>
                <h3>Replies</h3>
                {item.replies.map((reply) => (
                  <div key={reply.id} className="reply">
                    <p className="meta">
                      {reply.by} · {formatDateTime(reply.createdAt)}
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
