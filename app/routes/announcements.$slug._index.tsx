import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { commitmentStatusOptions, OnBehalfBox } from "../components/announcement-form";
import { CommentThread } from "../components/comments/thread";
import { DiffView } from "../components/diff-view";
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
import { type Formatter, formatterOf, useFormat } from "../i18n/format";
import { isTimeZone } from "../i18n/locales";
import { useT } from "../i18n/translate";
import { DAY_MS, isWallTime, MINUTE_MS, startOfDay, wallTimeIn } from "../platform/time";
import { redirectWithFlash } from "../web/flash.server";
import { redirectFromFormerAddress } from "../web/former-addresses.server";
import { intlOf, wordsFor } from "../web/reader.server";
import { notFound, refusalReply } from "../web/refusal-reply.server";
import { parseQuery, readForm } from "../web/request.server";
import { getUser, requirePermission } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await getUser(request);
  const { t } = await wordsFor(request);
  const announcement = findAnnouncement(params.slug ?? "");
  if (!announcement || !canViewAnnouncement(announcement, user)) {
    notFound(t("policies.memos.notFound"));
  }
  redirectFromFormerAddress(request, "/announcements/", params.slug, announcement.slug);
  return json({
    title: t("common.pageTitle", { page: announcement.title }),
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
    // The form's datetime-local has no zone: the page names the reader's zone beside it and posts
    // that zone with it, so the time means what the leader read (the action turns it into an instant).
    publishAt: z
      .string({ message: "Choose when to publish" })
      .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/, "Choose a date and time")
      .refine(isWallTime, "Choose a real date and time"),
    timeZone: z.string().refine(isTimeZone).optional().catch(undefined),
  }),
  commitmentUpdateSchema.extend({ intent: z.literal("commitment") }),
]);

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, "publish:announcement");
  const { t, reader } = await wordsFor(request);
  const announcement = findAnnouncement(params.slug ?? "");
  if (!announcement) notFound(t("policies.memos.notFound"));
  const submission = parseWithZod(await readForm(request), { schema: actionSchema });
  if (submission.status !== "success") return json(submission.reply(), { status: 400 });
  const here = `/announcements/${announcement.slug}`;
  try {
    switch (submission.value.intent) {
      case "publish":
        publishAnnouncement(announcement.id, user, undefined, undefined, submission.value.onBehalf);
        return redirectWithFlash(here, {
          kind: "success",
          message: t("policies.memos.publishedNow"),
        });
      case "schedule": {
        // A real wall time (the schema checked) is an instant in any zone; the confirmation says it
        // in the zone the leader chose it in.
        const timeZone = submission.value.timeZone ?? reader.timeZone;
        const publishAt = wallTimeIn(submission.value.publishAt, timeZone) as Date;
        scheduleAnnouncement(announcement.id, publishAt, user, undefined, submission.value.onBehalf);
        const when = formatterOf(intlOf({ ...reader, timeZone })).dateTime(publishAt);
        return redirectWithFlash(here, {
          kind: "success",
          message: t("policies.memos.scheduledFor", { when }),
        });
      }
      case "commitment":
        updateCommitment(
          submission.value.commitmentId,
          { ...submission.value, announcementId: announcement.id },
          user,
        );
        return redirectWithFlash(here, { kind: "success", message: t("policies.memos.commitmentUpdated") });
    }
  } catch (error) {
    return refusalReply(error, submission, request);
  }
}

/**
 * The moment a commitment is due. Its due date is kept as a UTC day, and it is overdue once that day
 * is over (isCommitmentOverdue): due by the day's last minute, said in the reader's zone.
 */
const dueBy = (format: Formatter, dueAt: string) =>
  format.dateTime(startOfDay(Date.parse(dueAt)) + DAY_MS - MINUTE_MS);

export default function AnnouncementPage() {
  const data = useLoaderData<typeof loader>();
  const { announcement } = data;
  const lastResult = useActionData<typeof action>();
  const t = useT();
  const format = useFormat();
  // The zone the page shows times in: the schedule's wall time is read in it, and says so.
  const zone = format.zoneName();
  return (
    <article className="stack" aria-labelledby="announcement-title">
      <p>
        <Link to="/announcements">← {t("policies.memos.title")}</Link>
      </p>
      <h1 id="announcement-title">{announcement.title}</h1>
      <p className="meta">
        {/* Publishing and edits are kept to their UTC day for the page; the schedule to the minute. */}
        {announcement.state === "published" && announcement.publishedAt
          ? t("policies.memos.publishedBy", {
              day: format.utcDay(announcement.publishedAt),
              author: data.author,
            })
          : announcement.state === "scheduled" && announcement.publishAt
            ? t("policies.memos.scheduledDraft", { when: format.dateTime(announcement.publishAt) })
            : t("policies.memos.draftOnly")}
        {announcement.updatedAfterPublishingAt
          ? ` · ${t("policies.memos.updated", { day: format.utcDay(announcement.updatedAfterPublishingAt) })}`
          : ""}
      </p>
      {data.onBehalf.length ? (
        <ul className="meta">
          {data.onBehalf.map((p) => (
            <li key={p.id}>
              {t("policies.memos.onBehalf", {
                act: p.act,
                by: p.by,
                author: data.author,
                day: format.utcDay(p.on),
              })}
            </li>
          ))}
        </ul>
      ) : null}
      <FormErrors errors={lastResult?.error?.[""] ?? undefined} />
      {data.canWrite && announcement.state !== "published" ? (
        <section className="card stack" aria-labelledby="publish-title">
          <h2 id="publish-title">{t("policies.memos.publish")}</h2>
          <p>
            {t("policies.memos.preview")}{" "}
            {data.recipients
              ? t("policies.memos.recipients", { count: data.recipients })
              : t("policies.memos.noRecipients")}
          </p>
          <div className="row">
            <Form method="post">
              {data.isAuthor ? null : <OnBehalfBox author={data.author} id="onBehalf-publish" />}
              <button type="submit" name="intent" value="publish">
                {t("policies.memos.publishNow")}
              </button>
            </Form>
            <Link to={`/announcements/${announcement.slug}/edit`}>{t("policies.memos.edit")}</Link>
          </div>
          <Form method="post" className="row">
            <div className="field">
              <label htmlFor="publishAt">{t("policies.memos.publishAt", { zone })}</label>
              <input id="publishAt" name="publishAt" type="datetime-local" required />
              <input type="hidden" name="timeZone" value={zone} />
            </div>
            {data.isAuthor ? null : <OnBehalfBox author={data.author} id="onBehalf-schedule" />}
            <button type="submit" name="intent" value="schedule" className="secondary">
              {t("policies.memos.schedule")}
            </button>
          </Form>
        </section>
      ) : null}
      {data.canWrite && announcement.state === "published" ? (
        <p>
          {t.rich("policies.memos.editPublished", {
            link: (chunks) => <Link to={`/announcements/${announcement.slug}/edit`}>{chunks}</Link>,
          })}
        </p>
      ) : null}
      {data.responses.length ? (
        <section className="card" aria-labelledby="responds-title">
          <h2 id="responds-title">{t("policies.memos.respondsTo")}</h2>
          <ul>
            {data.responses.map((r) => (
              <li key={r.petitionId}>
                <Link to={`/petitions/${r.slug}`}>{r.title}</Link> —{" "}
                <strong>{t("policies.stance", { stance: r.stance })}</strong>
                {r.milestones.length
                  ? ` · ${t("policies.memos.answersMilestones", {
                      count: r.milestones.length,
                      thresholds: format.list(r.milestones.map((m) => format.number(m.threshold))),
                    })}`
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
            {t.rich(data.policy.version ? "policies.memos.policyChange" : "policies.memos.policyChangeNew", {
              version: data.policy.version,
              policy: data.policy.title,
              link: (chunks) => <Link to={`/policies/${data.policy?.slug}`}>{chunks}</Link>,
            })}
          </h2>
          <p>
            {data.policy.changeSummary}
            {data.policy.effectiveAt
              ? ` · ${t("policies.memos.takesEffect", { day: format.utcDay(data.policy.effectiveAt) })}`
              : ""}
          </p>
          <DiffView html={data.policy.diffHtml} />
        </section>
      ) : null}
      {data.commitments.length ? (
        <section className="card stack" aria-labelledby="commitments-title">
          <h2 id="commitments-title">{t("policies.memos.commitments")}</h2>
          <ul className="stack">
            {data.commitments.map((c) => (
              <li key={c.id}>
                <strong>{c.text}</strong> —{" "}
                <span className="badge">{t("policies.commitmentStatus", { status: c.status })}</span>
                {c.overdue ? (
                  <>
                    {" "}
                    <span className="badge badge-bad">{t("policies.memos.overdue")}</span>
                  </>
                ) : null}
                {c.dueAt ? (
                  <span className="muted">
                    {" "}
                    ·{" "}
                    {t(c.overdue ? "policies.memos.wasDue" : "policies.memos.due", {
                      when: dueBy(format, c.dueAt),
                    })}
                  </span>
                ) : null}
                {c.updates.length ? (
                  <ul className="muted">
                    {c.updates.map((u) => (
                      <li key={u.id}>
                        {t("policies.memos.commitmentUpdate", {
                          day: format.utcDay(u.at),
                          status: u.status,
                        })}
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
                      label={t("policies.inbox.status")}
                      name="status"
                      defaultValue={c.status}
                      options={commitmentStatusOptions(t)}
                    />
                    <div className="field">
                      <label htmlFor={`note-${c.id}`}>{t("policies.memos.note")}</label>
                      <input id={`note-${c.id}`} name="note" />
                    </div>
                    <div className="field">
                      <label htmlFor={`due-${c.id}`}>{t("policies.memos.newDue")}</label>
                      <input id={`due-${c.id}`} name="dueAt" type="date" />
                    </div>
                    {data.isAuthor ? null : <OnBehalfBox author={data.author} id={`onBehalf-${c.id}`} />}
                    <button type="submit" name="intent" value="commitment" className="secondary">
                      {t("policies.memos.update")}
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
          <summary>{t("policies.memos.earlierVersions", { count: data.revisions.length })}</summary>
          <ol>
            {data.revisions.map((r) => (
              <li key={String(r.replacedAt)}>
                <p>
                  <strong>{r.title}</strong>{" "}
                  <span className="muted">
                    · {t("policies.memos.replaced", { when: format.dateTime(r.replacedAt) })}
                  </span>
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
