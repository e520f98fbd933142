import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useState } from "react";
import { z } from "zod";
import { anonymityAvailable } from "../browser/background-tokens";
import { sendFeedbackAnonymously } from "../browser/wallet/feedback";
import { WalletError } from "../browser/wallet/http";
import type { FeedbackReceipt } from "../browser/wallet/types";
import { progressLine } from "../components/anonymous-signing";
import { CommentThread } from "../components/comments/thread";
import { formatDate } from "../components/format";
import { FormErrors, InputField, SelectField, TextareaField, useActionResultFor } from "../components/forms";
import { StateBadge } from "../components/petition-bits";
import { useHydrated } from "../components/use-hydrated";
import { useLazyValidation } from "../components/validation";
import { threadQuerySchema } from "../domain/discussion/forms";
import { loadThread } from "../domain/discussion/thread.server";
import { can } from "../domain/identity/permissions.server";
import { sendFeedback } from "../domain/policies/feedback.server";
import { feedbackSchema } from "../domain/policies/feedback-forms";
import { unreadFeedbackCount } from "../domain/policies/feedback-inbox.server";
import { policyVersionSchema } from "../domain/policies/forms";
import {
  findPolicy,
  latestPolicyText,
  policyPage,
  publishPolicyVersion,
} from "../domain/policies/registry.server";
import { say } from "../platform/said";
import { RATING_LABELS } from "../vocabulary/feedback";
import { redirectWithFlash } from "../web/flash.server";
import { redirectFromFormerAddress } from "../web/former-addresses.server";
import { notFound, refusalReply } from "../web/refusal-reply.server";
import { parseQuery, readForm } from "../web/request.server";
import { getUser, requireUser } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.policy.title ?? "Policy"} · Undersigned` },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await getUser(request);
  const page = policyPage(params.slug ?? "");
  if (!page) notFound(say("server.notFound.policy"));
  redirectFromFormerAddress(request, "/policies/", params.slug, page.policy.slug);
  return json({
    ...page,
    signedIn: Boolean(user),
    canPublish: Boolean(user && can(user, "publish:policy")),
    // The next version starts from the latest one's text, to edit rather than paste whole.
    latestText: user && can(user, "publish:policy") ? latestPolicyText(page.policy.id) : null,
    unreadFeedback: unreadFeedbackCount(page.policy.id, user),
    discussion: loadThread(
      { type: "policy", id: page.policy.id },
      user,
      parseQuery(request, threadQuerySchema),
    ),
  });
}

const actionSchema = z.discriminatedUnion("intent", [
  policyVersionSchema.extend({ intent: z.literal("publish-version") }),
  feedbackSchema.extend({ intent: z.literal("send-feedback") }),
]);

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const policy = findPolicy(params.slug ?? "");
  if (!policy) notFound(say("server.notFound.policy"));
  const submission = parseWithZod(await readForm(request), { schema: actionSchema });
  if (submission.status !== "success") return json(submission.reply(), { status: 400 });
  const value = submission.value;
  const here = `/policies/${policy.slug}`;
  try {
    if (value.intent === "send-feedback") {
      await sendFeedback(policy.id, value, user);
      return redirectWithFlash(here, {
        kind: "success",
        message:
          "Thank you. Your feedback went to the policy's owners; their replies reach you in My feedback.",
      });
    }
    const version = publishPolicyVersion(policy.id, value, user);
    return redirectWithFlash(here, { kind: "success", message: `Version ${version} published.` });
  } catch (error) {
    return refusalReply(error, submission, request);
  }
}

export default function PolicyPage() {
  const data = useLoaderData<typeof loader>();
  const [form, fields] = useForm({
    id: "publish-version",
    lastResult: useActionResultFor("publish-version"),
    defaultValue: { body: data.latestText ?? "" },
    onValidate: useLazyValidation("policyVersion", data.canPublish),
    shouldValidate: "onBlur",
  });
  const { policy, current } = data;
  const hydrated = useHydrated();
  const [anonymous, setAnonymous] = useState<{
    busy: boolean;
    receipt: FeedbackReceipt | null;
    error: string | null;
    progress?: string | null;
  }>({ busy: false, receipt: null, error: null });
  const anonymousPossible = hydrated && anonymityAvailable();
  const [feedbackForm, feedbackFields] = useForm<z.infer<typeof feedbackSchema>>({
    id: "send-feedback",
    lastResult: useActionResultFor("send-feedback"),
    onValidate: useLazyValidation("feedback", data.signedIn),
    shouldValidate: "onBlur",
    onSubmit(event, { formData }) {
      // Anonymous feedback never reaches the page's action, which would see the session: the browser
      // sends it with this week's token and no cookie. Read from the form itself: until the lazily
      // loaded schema arrives, conform's submission holds the raw strings (the server checks both).
      if (formData.get("anonymous") !== "on" || !anonymousPossible) return;
      event.preventDefault();
      const form = event.currentTarget;
      const rating = Number(formData.get("rating"));
      setAnonymous({ busy: true, receipt: null, error: null });
      sendFeedbackAnonymously(
        { id: policy.id, slug: policy.slug, title: policy.title },
        {
          body: String(formData.get("body") ?? "").trim(),
          rating: Number.isInteger(rating) && rating >= 1 && rating <= 5 ? rating : null,
        },
        (progress) => setAnonymous((state) => ({ ...state, progress: progressLine(progress) })),
      ).then(
        (receipt) => {
          form.reset();
          setAnonymous({ busy: false, receipt, error: null });
        },
        (error: unknown) =>
          setAnonymous({
            busy: false,
            receipt: null,
            error: error instanceof WalletError ? error.message : "It could not be sent from this device.",
          }),
      );
    },
  });
  const versions = data.versions;
  return (
    <article className="stack" aria-labelledby="policy-title">
      <p>
        <Link to="/policies">← Policies</Link>
      </p>
      <h1 id="policy-title">{policy.title}</h1>
      <p className="meta">
        {current
          ? `Version ${current.version}, in force since ${formatDate(current.effectiveAt)}`
          : "Not yet in force"}
        {policy.ownerTeam ? ` · owned by ${policy.ownerTeam}` : ""}
        {data.owners.length ? ` (${data.owners.join(", ")})` : ""}
      </p>
      <p>{policy.summary}</p>
      {data.upcoming.map((v) => (
        <p key={v.version} className="flash flash-info">
          Version {v.version} takes effect {formatDate(v.effectiveAt)}: {v.changeSummary}.{" "}
          {current ? (
            <Link to={`/policies/${policy.slug}/diff?from=${current.version}&to=${v.version}`}>
              See what changes
            </Link>
          ) : null}
        </p>
      ))}
      {current ? (
        // Sanitized by renderMarkdown (rehype-sanitize) when published.
        // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitized HTML
        <section className="card markdown" dangerouslySetInnerHTML={{ __html: current.bodyHtml }} />
      ) : null}
      <section className="card stack" aria-labelledby="history-title">
        <h2 id="history-title">History</h2>
        <ol reversed>
          {versions.map((v, i) => {
            const previous = versions[i + 1];
            return (
              <li key={v.version}>
                <strong>Version {v.version}</strong> — {v.changeSummary} · effective{" "}
                {formatDate(v.effectiveAt)} · published {formatDate(v.publishedAt)}
                {v.publishedBy ? ` by ${v.publishedBy}` : ""}
                {previous ? (
                  <>
                    {" "}
                    ·{" "}
                    <Link to={`/policies/${policy.slug}/diff?from=${previous.version}&to=${v.version}`}>
                      changes
                    </Link>
                  </>
                ) : null}
              </li>
            );
          })}
        </ol>
        {versions.length > 1 ? (
          <Form method="get" action={`/policies/${policy.slug}/diff`} className="row">
            <SelectField
              id="from"
              label="Compare version"
              name="from"
              defaultValue={versions[1]?.version}
              options={versions.map((v) => ({ value: v.version, label: v.version }))}
            />
            <SelectField
              id="to"
              label="with version"
              name="to"
              defaultValue={versions[0]?.version}
              options={versions.map((v) => ({ value: v.version, label: v.version }))}
            />
            <button type="submit" className="secondary">
              Compare
            </button>
          </Form>
        ) : null}
      </section>
      {data.petitions.length ? (
        <section className="card" aria-labelledby="petitions-title">
          <h2 id="petitions-title">Petitions about this policy</h2>
          <ul>
            {data.petitions.map((p) => (
              <li key={p.slug}>
                <Link to={`/petitions/${p.slug}`}>{p.title}</Link> <StateBadge state={p.state} /> ·{" "}
                {p.signatureCount.toLocaleString("en")} signatures
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {data.canPublish ? (
        <section className="card" aria-labelledby="new-version-title">
          <h2 id="new-version-title">Publish a new version</h2>
          <Form method="post" className="stack" {...getFormProps(form)}>
            <FormErrors id={form.errorId} errors={form.errors} />
            <input type="hidden" name="intent" value="publish-version" />
            <TextareaField
              label="Full text (markdown)"
              field={fields.body}
              rows={16}
              hint={
                data.latestText
                  ? `This is version ${versions[0]?.version}'s text: change what changes. Staff see the differences marked.`
                  : undefined
              }
            />
            <InputField label="What changes" field={fields.changeSummary} />
            <InputField label="Takes effect on" field={fields.effectiveAt} type="date" />
            <button type="submit">Publish version {(versions[0]?.version ?? 0) + 1}</button>
          </Form>
        </section>
      ) : null}
      {data.unreadFeedback !== null ? (
        <p className="card">
          You own this policy: <Link to={`/policies/${policy.slug}/feedback`}>feedback inbox</Link>
          {data.unreadFeedback ? ` (${data.unreadFeedback.toLocaleString("en")} new)` : ""}
        </p>
      ) : null}
      <section className="card stack" aria-labelledby="feedback-title">
        <h2 id="feedback-title">Private feedback to the owners</h2>
        <p>
          Tell the people who own this policy what you think. Only they (and admins) read it; it is not
          public. Replies reach you by email and in <Link to="/my/feedback">My feedback</Link> — or, for
          feedback sent anonymously, only through the receipt code your devices keep.
        </p>
        {anonymous.receipt ? (
          <div className="flash flash-success" role="status">
            <p>
              Sent anonymously: it is stored with no author, with the next batch. Your receipt code reads the
              owners' replies — this browser keeps it in <Link to="/my/feedback">My feedback</Link>; copy it
              to read them elsewhere, on <Link to="/feedback/receipt">the receipt page</Link>:
            </p>
            <p>
              <code className="receipt-code">{anonymous.receipt.secret}</code>
            </p>
          </div>
        ) : null}
        {anonymous.error ? (
          <p className="flash flash-error" role="alert">
            {anonymous.error}
          </p>
        ) : null}
        {data.signedIn ? (
          <Form method="post" className="stack" {...getFormProps(feedbackForm)}>
            <FormErrors id={feedbackForm.errorId} errors={feedbackForm.errors} />
            <input type="hidden" name="intent" value="send-feedback" />
            <TextareaField label="Your feedback" field={feedbackFields.body} rows={5} />
            {current ? (
              <SelectField
                id={feedbackFields.rating.id}
                label={`Your rating of version ${current.version} (optional)`}
                name={feedbackFields.rating.name}
                defaultValue=""
                options={[
                  { value: "", label: "No rating" },
                  ...[5, 4, 3, 2, 1].map((n) => ({ value: n, label: `${n} — ${RATING_LABELS[n]}` })),
                ]}
              />
            ) : null}
            <div className="checkbox">
              <input
                type="checkbox"
                id={feedbackFields.anonymous.id}
                name={feedbackFields.anonymous.name}
                disabled={!anonymousPossible}
                aria-describedby="anonymous-feedback-hint"
              />
              <label htmlFor={feedbackFields.anonymous.id}>
                Send anonymously — stored with no author at all: the database, its backups and the logs never
                say it is yours
              </label>
            </div>
            <p id="anonymous-feedback-hint" className="hint">
              {!hydrated
                ? "Sending anonymously needs JavaScript: your browser sends it without your session, with a permission that allows one anonymous note a policy a week. Without it you can send it with your name."
                : !anonymousPossible
                  ? "Sending anonymously needs a secure connection (https): this page was not loaded over one."
                  : "One anonymous note a policy a week, from a device set up for anonymous signing. Nobody can email you a reply: your devices keep a receipt code that reads them."}
            </p>
            {anonymous.busy && anonymous.progress ? <p role="status">{anonymous.progress}</p> : null}
            <button type="submit" disabled={anonymous.busy}>
              {anonymous.busy ? "Sending anonymously…" : "Send feedback"}
            </button>
          </Form>
        ) : (
          <p>
            <Link
              to={`/sign-in?${new URLSearchParams({ redirectTo: `/policies/${policy.slug}#feedback-title` })}`}
            >
              Sign in
            </Link>{" "}
            to send feedback.
          </p>
        )}
      </section>
      {data.discussion ? (
        <CommentThread
          {...data.discussion}
          signInPath={`/sign-in?${new URLSearchParams({ redirectTo: `/policies/${policy.slug}#comments` })}`}
        />
      ) : null}
    </article>
  );
}
