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
import { useFormat } from "../i18n/format";
import { useT } from "../i18n/translate";
import { redirectWithFlash } from "../web/flash.server";
import { redirectFromFormerAddress } from "../web/former-addresses.server";
import { wordsFor } from "../web/reader.server";
import { notFound, refusalReply } from "../web/refusal-reply.server";
import { parseQuery, readForm } from "../web/request.server";
import { getUser, requireUser } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await getUser(request);
  const { t } = await wordsFor(request);
  const page = policyPage(params.slug ?? "");
  if (!page) notFound(t("policies.notFound"));
  redirectFromFormerAddress(request, "/policies/", params.slug, page.policy.slug);
  return json({
    title: t("common.pageTitle", { page: page.policy.title }),
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
  const { t } = await wordsFor(request);
  const policy = findPolicy(params.slug ?? "");
  if (!policy) notFound(t("policies.notFound"));
  const submission = parseWithZod(await readForm(request), { schema: actionSchema });
  if (submission.status !== "success") return json(submission.reply(), { status: 400 });
  const value = submission.value;
  const here = `/policies/${policy.slug}`;
  try {
    if (value.intent === "send-feedback") {
      await sendFeedback(policy.id, value, user);
      return redirectWithFlash(here, {
        kind: "success",
        message: t("policies.feedback.sent"),
      });
    }
    const version = publishPolicyVersion(policy.id, value, user);
    return redirectWithFlash(here, {
      kind: "success",
      message: t("policies.page.versionPublished", { version }),
    });
  } catch (error) {
    return refusalReply(error, submission, request);
  }
}

export default function PolicyPage() {
  const data = useLoaderData<typeof loader>();
  const t = useT();
  const format = useFormat();
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
            error: error instanceof WalletError ? error.message : t("policies.feedback.anonymousFailed"),
          }),
      );
    },
  });
  const versions = data.versions;
  return (
    <article className="stack" aria-labelledby="policy-title">
      <p>
        <Link to="/policies">← {t("policies.list.title")}</Link>
      </p>
      <h1 id="policy-title">{policy.title}</h1>
      <p className="meta">
        {current
          ? t("policies.page.inForceSince", {
              version: current.version,
              since: format.utcDay(current.effectiveAt),
            })
          : t("policies.notYetInForce")}
        {policy.ownerTeam ? ` · ${t("policies.ownedBy", { team: policy.ownerTeam })}` : ""}
        {data.owners.length ? ` (${data.owners.join(", ")})` : ""}
      </p>
      <p>{policy.summary}</p>
      {data.upcoming.map((v) => (
        <p key={v.version} className="flash flash-info">
          {t("policies.page.upcoming", {
            version: v.version,
            day: format.utcDay(v.effectiveAt),
            summary: v.changeSummary,
          })}{" "}
          {current ? (
            <Link to={`/policies/${policy.slug}/diff?from=${current.version}&to=${v.version}`}>
              {t("policies.page.seeChanges")}
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
        <h2 id="history-title">{t("policies.page.history")}</h2>
        <ol reversed>
          {versions.map((v, i) => {
            const previous = versions[i + 1];
            return (
              <li key={v.version}>
                {t.rich(v.publishedBy ? "policies.page.historyEntryBy" : "policies.page.historyEntry", {
                  version: v.version,
                  summary: v.changeSummary,
                  effective: format.utcDay(v.effectiveAt),
                  published: format.date(v.publishedAt),
                  by: v.publishedBy,
                  b: (chunks) => <strong>{chunks}</strong>,
                })}
                {previous ? (
                  <>
                    {" "}
                    ·{" "}
                    <Link to={`/policies/${policy.slug}/diff?from=${previous.version}&to=${v.version}`}>
                      {t("policies.page.changes")}
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
              label={t("policies.page.compareFrom")}
              name="from"
              defaultValue={versions[1]?.version}
              options={versions.map((v) => ({ value: v.version, label: v.version }))}
            />
            <SelectField
              id="to"
              label={t("policies.page.compareTo")}
              name="to"
              defaultValue={versions[0]?.version}
              options={versions.map((v) => ({ value: v.version, label: v.version }))}
            />
            <button type="submit" className="secondary">
              {t("policies.page.compare")}
            </button>
          </Form>
        ) : null}
      </section>
      {data.petitions.length ? (
        <section className="card" aria-labelledby="petitions-title">
          <h2 id="petitions-title">{t("policies.page.petitions")}</h2>
          <ul>
            {data.petitions.map((p) => (
              <li key={p.slug}>
                <Link to={`/petitions/${p.slug}`}>{p.title}</Link> <StateBadge state={p.state} /> ·{" "}
                {t("policies.page.signatures", { count: p.signatureCount })}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {data.canPublish ? (
        <section className="card" aria-labelledby="new-version-title">
          <h2 id="new-version-title">{t("policies.page.newVersion")}</h2>
          <Form method="post" className="stack" {...getFormProps(form)}>
            <FormErrors id={form.errorId} errors={form.errors} />
            <input type="hidden" name="intent" value="publish-version" />
            <TextareaField
              label={t("policies.page.fullText")}
              field={fields.body}
              rows={16}
              hint={
                data.latestText
                  ? t("policies.page.fullTextHint", { version: versions[0]?.version ?? 0 })
                  : undefined
              }
            />
            <InputField label={t("policies.field.changeSummary")} field={fields.changeSummary} />
            <InputField
              label={t("policies.field.effectiveAt")}
              hint={t("policies.field.effectiveAtHint")}
              field={fields.effectiveAt}
              type="date"
            />
            <button type="submit">
              {t("policies.page.publishVersion", { version: (versions[0]?.version ?? 0) + 1 })}
            </button>
          </Form>
        </section>
      ) : null}
      {data.unreadFeedback !== null ? (
        <p className="card">
          {t.rich(data.unreadFeedback ? "policies.page.ownerInboxUnread" : "policies.page.ownerInbox", {
            count: data.unreadFeedback,
            link: (chunks) => <Link to={`/policies/${policy.slug}/feedback`}>{chunks}</Link>,
          })}
        </p>
      ) : null}
      <section className="card stack" aria-labelledby="feedback-title">
        <h2 id="feedback-title">{t("policies.feedback.title")}</h2>
        <p>
          {t.rich("policies.feedback.intro", {
            link: (chunks) => <Link to="/my/feedback">{chunks}</Link>,
          })}
        </p>
        {anonymous.receipt ? (
          <div className="flash flash-success" role="status">
            <p>
              {t.rich("policies.feedback.sentAnonymously", {
                mine: (chunks) => <Link to="/my/feedback">{chunks}</Link>,
                receipt: (chunks) => <Link to="/feedback/receipt">{chunks}</Link>,
              })}
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
            <TextareaField label={t("policies.feedback.body")} field={feedbackFields.body} rows={5} />
            {current ? (
              <SelectField
                id={feedbackFields.rating.id}
                label={t("policies.feedback.rating", { version: current.version })}
                name={feedbackFields.rating.name}
                defaultValue=""
                options={[
                  { value: "", label: t("policies.feedback.noRating") },
                  ...[5, 4, 3, 2, 1].map((n) => ({
                    value: n,
                    label: t("policies.rating.option", { rating: String(n) }),
                  })),
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
              <label htmlFor={feedbackFields.anonymous.id}>{t("policies.feedback.anonymous")}</label>
            </div>
            <p id="anonymous-feedback-hint" className="hint">
              {!hydrated
                ? t("policies.feedback.anonymousNeedsScript")
                : !anonymousPossible
                  ? t("policies.feedback.anonymousNeedsHttps")
                  : t("policies.feedback.anonymousHint")}
            </p>
            {anonymous.busy && anonymous.progress ? <p role="status">{anonymous.progress}</p> : null}
            <button type="submit" disabled={anonymous.busy}>
              {anonymous.busy ? t("policies.feedback.sendingAnonymously") : t("policies.feedback.send")}
            </button>
          </Form>
        ) : (
          <p>
            {t.rich("policies.feedback.signIn", {
              link: (chunks) => (
                <Link
                  to={`/sign-in?${new URLSearchParams({ redirectTo: `/policies/${policy.slug}#feedback-title` })}`}
                >
                  {chunks}
                </Link>
              ),
            })}
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
