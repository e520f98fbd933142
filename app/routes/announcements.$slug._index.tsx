import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { COMMITMENT_STATUS_OPTIONS, OnBehalfBox } from "../components/announcement-form";
import { CommentThread } from "../components/comments/thread";
import { DiffView } from "../components/diff-view";
import { formatDate, formatDateTime } from "../components/format";
import { FormErrors, SelectField } from "../components/forms";
import { updateCommitment } from "../domain/announcements/commitments.server";
import { commitmentUpdateSchema } from "../domain/announcements/forms";
import { publishAnnouncement, scheduleAnnouncement } from "../domain/announcements/lifecycle.server";
import { memoRecipientCount } from "../domain/announcements/mailing.server";
import {
  announcementDetails,
  announcementView,
  canViewAnnouncement,
  findAnnouncement,
  isAuthorOf,
} from "../domain/announcements/reads.server";
import { threadQuerySchema } from "../domain/discussion/forms";
import { loadThread } from "../domain/discussion/thread.server";
import { can } from "../domain/identity/permissions.server";
import { say } from "../platform/said";
import { COMMITMENT_STATUS_LABELS, PROXY_ACT_LABELS, STANCE_LABELS } from "../vocabulary/announcements";
import { redirectWithFlash } from "../web/flash.server";
import { redirectFromFormerAddress } from "../web/former-addresses.server";
import { notFound, refusalReply } from "../web/refusal-reply.server";
import { parseQuery, readForm } from "../web/request.server";
import { getUser, requirePermission } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.announcement.title ?? "Announcement"} · Undersigned` },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await getUser(request);
  const announcement = findAnnouncement(params.slug ?? "");
  if (!announcement || !canViewAnnouncement(announcement, user)) {
    notFound(say("server.notFound.announcement"));
  }
  redirectFromFormerAddress(request, "/announcements/", params.slug, announcement.slug);
  return json({
    announcement: announcementView(announcement),
    ...announcementDetails(announcement),
    canWrite: Boolean(user && can(user, "publish:announcement")),
    isAuthor: isAuthorOf(announcement, user),
    // Before publishing, leadership sees whom it will email (the count, for their eyes only).
    recipients:
      announcement.state !== "published" && user && can(user, "publish:announcement")
        ? memoRecipientCount(announcement.id)
        : null,
    discussion: loadThread(
      { type: "announcement", id: announcement.id },
      user,
      parseQuery(request, threadQuerySchema),
    ),
  });
}

const actionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("publish"), onBehalf: z.boolean().optional() }),
  z.object({
    intent: z.literal("schedule"),
    onBehalf: z.boolean().optional(),
    // The form's datetime-local has no zone: the page says UTC, so it is read as UTC.
    publishAt: z
      .string({ message: "Choose when to publish" })
      .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/, "Choose a date and time")
      .transform((value) => new Date(`${value}Z`))
      .refine((date) => !Number.isNaN(date.getTime()), "Choose a real date and time"),
  }),
  commitmentUpdateSchema.extend({ intent: z.literal("commitment") }),
]);

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, "publish:announcement");
  const announcement = findAnnouncement(params.slug ?? "");
  if (!announcement) notFound(say("server.notFound.announcement"));
  const submission = parseWithZod(await readForm(request), { schema: actionSchema });
  if (submission.status !== "success") return json(submission.reply(), { status: 400 });
  const here = `/announcements/${announcement.slug}`;
  try {
    switch (submission.value.intent) {
      case "publish":
        publishAnnouncement(announcement.id, user, undefined, undefined, submission.value.onBehalf);
        return redirectWithFlash(here, {
          kind: "success",
          message: "Published. Signers of the petitions it answers are being emailed.",
        });
      case "schedule":
        scheduleAnnouncement(
          announcement.id,
          submission.value.publishAt,
          user,
          undefined,
          submission.value.onBehalf,
        );
        return redirectWithFlash(here, {
          kind: "success",
          message: `Scheduled for ${formatDateTime(submission.value.publishAt)}.`,
        });
      case "commitment":
        updateCommitment(
          submission.value.commitmentId,
          { ...submission.value, announcementId: announcement.id },
          user,
        );
        return redirectWithFlash(here, { kind: "success", message: "Commitment updated." });
    }
  } catch (error) {
    return refusalReply(error, submission, request);
  }
}

export default function AnnouncementPage() {
  const data = useLoaderData<typeof loader>();
  const { announcement } = data;
  const lastResult = useActionData<typeof action>();
  return (
    <article className="stack" aria-labelledby="announcement-title">
      <p>
        <Link to="/announcements">← Announcements</Link>
      </p>
      <h1 id="announcement-title">{announcement.title}</h1>
      <p className="meta">
        {announcement.state === "published" && announcement.publishedAt
          ? `Published ${formatDate(announcement.publishedAt)} by ${data.author}`
          : announcement.state === "scheduled" && announcement.publishAt
            ? `Draft, scheduled for ${formatDateTime(announcement.publishAt)}`
            : "Draft — only leadership and admins see it"}
        {announcement.updatedAfterPublishingAt
          ? ` · updated ${formatDate(announcement.updatedAfterPublishingAt)}`
          : ""}
      </p>
      {data.onBehalf.length ? (
        <ul className="meta">
          {data.onBehalf.map((p) => (
            <li key={p.id}>
              {p.by} {PROXY_ACT_LABELS[p.act]} this memo on behalf of {data.author}, {formatDate(p.on)}
            </li>
          ))}
        </ul>
      ) : null}
      <FormErrors errors={lastResult?.error?.[""] ?? undefined} />
      {data.canWrite && announcement.state !== "published" ? (
        <section className="card stack" aria-labelledby="publish-title">
          <h2 id="publish-title">Publish</h2>
          <p>
            This page is the preview.{" "}
            {data.recipients
              ? `Publishing emails up to ${data.recipients.toLocaleString("en")} ${data.recipients === 1 ? "colleague" : "colleagues"}: the public signers of the petitions it answers (less any who turned these emails off) and their organizers.`
              : "Publishing emails nobody: it answers no petition with signers or organizers to tell."}
          </p>
          <div className="row">
            <Form method="post">
              {data.isAuthor ? null : <OnBehalfBox author={data.author} id="onBehalf-publish" />}
              <button type="submit" name="intent" value="publish">
                Publish now
              </button>
            </Form>
            <Link to={`/announcements/${announcement.slug}/edit`}>Edit</Link>
          </div>
          <Form method="post" className="row">
            <div className="field">
              <label htmlFor="publishAt">Or publish at (UTC)</label>
              <input id="publishAt" name="publishAt" type="datetime-local" required />
            </div>
            {data.isAuthor ? null : <OnBehalfBox author={data.author} id="onBehalf-schedule" />}
            <button type="submit" name="intent" value="schedule" className="secondary">
              Schedule
            </button>
          </Form>
        </section>
      ) : null}
      {data.canWrite && announcement.state === "published" ? (
        <p>
          <Link to={`/announcements/${announcement.slug}/edit`}>Edit the text</Link> (the earlier version is
          kept)
        </p>
      ) : null}
      {data.responses.length ? (
        <section className="card" aria-labelledby="responds-title">
          <h2 id="responds-title">Responds to</h2>
          <ul>
            {data.responses.map((r) => (
              <li key={r.petitionId}>
                <Link to={`/petitions/${r.slug}`}>{r.title}</Link> —{" "}
                <strong>{STANCE_LABELS[r.stance]}</strong>
                {r.milestones.length
                  ? ` · answers the ${r.milestones.map((m) => m.threshold.toLocaleString("en")).join(" and ")}-signature milestone${r.milestones.length > 1 ? "s" : ""}`
                  : ""}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {/* Sanitized by renderMarkdown (rehype-sanitize) when saved. */}
      {/* biome-ignore lint/security/noDangerouslySetInnerHtml: sanitized HTML */}
      <section className="card markdown" dangerouslySetInnerHTML={{ __html: announcement.bodyHtml }} />
      {data.policy ? (
        <section className="card stack" aria-labelledby="policy-title">
          <h2 id="policy-title">
            Policy change: <Link to={`/policies/${data.policy.slug}`}>{data.policy.title}</Link>
            {data.policy.version ? ` — version ${data.policy.version}` : " — new version"}
          </h2>
          <p>
            {data.policy.changeSummary}
            {data.policy.effectiveAt ? ` · takes effect ${formatDate(data.policy.effectiveAt)}` : ""}
          </p>
          <DiffView html={data.policy.diffHtml} />
        </section>
      ) : null}
      {data.commitments.length ? (
        <section className="card stack" aria-labelledby="commitments-title">
          <h2 id="commitments-title">Commitments</h2>
          <ul className="stack">
            {data.commitments.map((c) => (
              <li key={c.id}>
                <strong>{c.text}</strong> —{" "}
                <span className="badge">{COMMITMENT_STATUS_LABELS[c.status]}</span>
                {c.overdue ? (
                  <>
                    {" "}
                    <span className="badge badge-bad">Overdue</span>
                  </>
                ) : null}
                {c.dueAt ? (
                  <span className="muted">
                    {" "}
                    · {c.overdue ? "was due" : "due"} {formatDate(c.dueAt)}
                  </span>
                ) : null}
                {c.updates.length ? (
                  <ul className="muted">
                    {c.updates.map((u) => (
                      <li key={u.id}>
                        {formatDate(u.at)}: {COMMITMENT_STATUS_LABELS[u.status]}
                        {u.note ? ` — ${u.note}` : ""}
                      </li>
                    ))}
                  </ul>
                ) : null}
                {data.canWrite && announcement.state === "published" ? (
                  <Form method="post" className="row">
                    <input type="hidden" name="commitmentId" value={c.id} />
                    <SelectField
                      id={`status-${c.id}`}
                      label="Status"
                      name="status"
                      defaultValue={c.status}
                      options={COMMITMENT_STATUS_OPTIONS}
                    />
                    <div className="field">
                      <label htmlFor={`note-${c.id}`}>Note (optional)</label>
                      <input id={`note-${c.id}`} name="note" />
                    </div>
                    <div className="field">
                      <label htmlFor={`due-${c.id}`}>New due date (optional)</label>
                      <input id={`due-${c.id}`} name="dueAt" type="date" />
                    </div>
                    {data.isAuthor ? null : <OnBehalfBox author={data.author} id={`onBehalf-${c.id}`} />}
                    <button type="submit" name="intent" value="commitment" className="secondary">
                      Update
                    </button>
                  </Form>
                ) : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {data.revisions.length ? (
        <details className="card">
          <summary>Earlier versions ({data.revisions.length})</summary>
          <ol>
            {data.revisions.map((r) => (
              <li key={String(r.replacedAt)}>
                <p>
                  <strong>{r.title}</strong>{" "}
                  <span className="muted">· replaced {formatDateTime(r.replacedAt)}</span>
                </p>
                <pre className="revision">{r.body}</pre>
              </li>
            ))}
          </ol>
        </details>
      ) : null}
      {data.discussion ? (
        <CommentThread
          {...data.discussion}
          signInPath={`/sign-in?${new URLSearchParams({ redirectTo: `/announcements/${announcement.slug}#comments` })}`}
        />
      ) : null}
    </article>
  );
}
