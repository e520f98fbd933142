import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { FormErrors } from "../components/forms";
import { requestErasure } from "../domain/people/erasure.server";
import { myData } from "../domain/people/my-data.server";
import { useFormat } from "../i18n/format";
import { useT } from "../i18n/translate";
import { EMAIL_TOPIC_LABELS, EMAIL_TOPICS } from "../vocabulary/email-topics";
import { redirectWithFlash } from "../web/flash.server";
import { wordsFor } from "../web/reader.server";
import { notFound, refusalReply } from "../web/refusal-reply.server";
import { readForm } from "../web/request.server";
import { requireUser } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

/** The sections the page lists; every other one is counted (the file holds them all). */
const LISTED = new Set([
  "profile",
  "roles",
  "signatures",
  "comments",
  "feedback",
  "emailSettings",
  "emailSettingsChanged",
  "sessions",
  "auditEntries",
]);

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const { t } = await wordsFor(request);
  const data = myData(user.id);
  if (!data) notFound(t("my-data.none"));
  const others = Object.entries(data)
    .filter(([section]) => !LISTED.has(section))
    .reduce((sum, [, rows]) => sum + (Array.isArray(rows) ? rows.length : 0), 0);
  return json({ title: t("common.pageTitle", { page: t("my-data.title") }), data, others });
}

const schema = z.object({ intent: z.literal("request-erasure") });

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const submission = parseWithZod(await readForm(request), { schema });
  if (submission.status !== "success") return json(submission.reply(), { status: 400 });
  try {
    requestErasure(user);
  } catch (error) {
    return refusalReply(error, submission, request);
  }
  const { t } = await wordsFor(request);
  return redirectWithFlash("/my/data", { kind: "success", message: t("my-data.erasure.sent") });
}

export default function MyData() {
  const { data, others } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const t = useT();
  const format = useFormat();
  const { profile } = data;
  return (
    <div className="stack">
      <h1>{t("my-data.title")}</h1>
      <p>{t("my-data.intro")}</p>
      <p>
        {/* A whole page load: the file is a download, not a page. */}
        <Link to="/my/data.json" reloadDocument download>
          {t("my-data.download")}
        </Link>
      </p>
      <section className="card" aria-labelledby="not-held">
        <h2 id="not-held">{t("my-data.notHeld.heading")}</h2>
        <p>{t("my-data.notHeld.body")}</p>
      </section>
      <section className="card" aria-labelledby="profile">
        <h2 id="profile">{t("my-data.profile")}</h2>
        <dl>
          <dt>{t("my-data.name")}</dt>
          <dd>{profile.name ?? t("my-data.none")}</dd>
          <dt>{t("my-data.email")}</dt>
          <dd>{profile.email}</dd>
          <dt>{t("my-data.department")}</dt>
          <dd>{profile.department ?? t("my-data.none")}</dd>
          <dt>{t("my-data.location")}</dt>
          <dd>{profile.location ?? t("my-data.none")}</dd>
        </dl>
        <h3>{t("my-data.roles")}</h3>
        {data.roles.length ? (
          <ul>
            {data.roles.map((r) => (
              <li key={r.role}>{t("admin.role", { role: r.role })}</li>
            ))}
          </ul>
        ) : (
          <p className="muted">{t("my-data.noRoles")}</p>
        )}
      </section>
      <section className="card" aria-labelledby="signatures">
        <h2 id="signatures">{t("my-data.signatures")}</h2>
        {data.signatures.length ? (
          <ul>
            {data.signatures.map((s) => (
              <li key={`${s.petition.id}-${s.receiptSeq}`}>
                {t.rich("my-data.signedOn", {
                  petition: <Link to={`/petitions/${s.petition.slug}`}>{s.petition.title}</Link>,
                  day: format.utcDay(s.createdAt),
                })}
                {s.withdrawnAt ? <> · {t("my-data.withdrawn")}</> : null}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">{t("my-data.none")}</p>
        )}
      </section>
      <section className="card" aria-labelledby="comments">
        <h2 id="comments">{t("my-data.comments")}</h2>
        {data.comments.length ? (
          <ul>
            {data.comments.map((c) => (
              <li key={c.id}>
                <Link to={`/comments/${c.id}`}>
                  {t("my-data.commentOn", { day: format.utcDay(c.createdAt) })}
                </Link>
                <blockquote>{c.body}</blockquote>
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">{t("my-data.none")}</p>
        )}
      </section>
      <section className="card" aria-labelledby="feedback">
        <h2 id="feedback">{t("my-data.feedback")}</h2>
        {data.feedback.length ? (
          <ul>
            {data.feedback.map((f) => (
              <li key={f.id}>
                {t("my-data.feedbackOn", { policy: f.policy.title, day: format.utcDay(f.createdAt) })}
                <blockquote>{f.body}</blockquote>
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">{t("my-data.none")}</p>
        )}
      </section>
      <section className="card" aria-labelledby="email-settings">
        <h2 id="email-settings">{t("my-data.emailSettings")}</h2>
        <ul>
          {EMAIL_TOPICS.map((topic) => (
            <li key={topic}>
              {t(EMAIL_TOPIC_LABELS[topic].label)}:{" "}
              {data.emailSettings[topic] ? t("my-data.on") : t("my-data.off")}
            </li>
          ))}
        </ul>
      </section>
      <section className="card" aria-labelledby="sessions">
        <h2 id="sessions">{t("my-data.sessions")}</h2>
        {data.sessions.length ? (
          <ul>
            {data.sessions.map((s, i) => (
              // Sessions carry no id in the export: their order is their key.
              // biome-ignore lint/suspicious/noArrayIndexKey: the list is read once, never reordered
              <li key={i}>
                {t("my-data.session", {
                  started: s.startedOn ? format.utcDay(s.startedOn) : "",
                  used: s.lastUsedOn ? format.utcDay(s.lastUsedOn) : "",
                })}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">{t("my-data.none")}</p>
        )}
      </section>
      <section className="card" aria-labelledby="audit">
        <h2 id="audit">{t("my-data.audit")}</h2>
        {data.auditEntries.length ? (
          <ul>
            {data.auditEntries.map((e) => (
              <li key={e.id}>
                {t.rich("my-data.auditEntry", {
                  day: format.utcDay(e.createdAt),
                  action: <code>{e.action}</code>,
                })}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">{t("my-data.none")}</p>
        )}
      </section>
      {others ? <p>{t("my-data.more", { count: others })}</p> : null}
      <section className="card stack" aria-labelledby="erasure">
        <h2 id="erasure">{t("my-data.erasure.heading")}</h2>
        <p>{t("my-data.erasure.body")}</p>
        {profile.erasureRequestedAt ? (
          <p>{t("my-data.erasure.asked", { day: format.utcDay(profile.erasureRequestedAt) })}</p>
        ) : (
          <Form method="post">
            <FormErrors id="erasure-errors" errors={result?.error?.[""] ?? undefined} />
            <input type="hidden" name="intent" value="request-erasure" />
            <button type="submit">{t("my-data.erasure.ask")}</button>
          </Form>
        )}
      </section>
    </div>
  );
}
