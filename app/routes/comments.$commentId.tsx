import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { OpenCommentForm, RefusedButtonErrors } from "../components/comments/form-kit";
import { CommentItem } from "../components/comments/item";
import { Pagination } from "../components/pagination";
import { moderationReasonSchema, postCommentSchema, reportCommentSchema } from "../domain/discussion/forms";
import { COMMENT_FORM_NAMES } from "../domain/discussion/limits";
import { dismissReports, hideComment, restoreComment } from "../domain/discussion/moderation.server";
import { deleteComment, editComment, heldForBatch, postComment } from "../domain/discussion/posting.server";
import { reportComment, setVote } from "../domain/discussion/reactions.server";
import { commentPlacement, listRevisions, loadComment } from "../domain/discussion/thread.server";
import { can } from "../domain/identity/permissions.server";
import { useFormat } from "../i18n/format";
import { useT } from "../i18n/translate";
import { commentActionDone } from "../web/comment-actions.server";
import { wordsFor } from "../web/reader.server";
import { notFound, refusalReply } from "../web/refusal-reply.server";
import { pageParam, parseId, parseQuery, readForm } from "../web/request.server";
import { getUser, requirePermission, requireUser } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

/** A comment's own page: context above, all its replies below (50 a page). */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const id = parseId(params.commentId);
  const { page, form } = parseQuery(
    request,
    z.object({ page: pageParam, form: z.enum(COMMENT_FORM_NAMES).optional() }),
  );
  const user = await getUser(request);
  const { t } = await wordsFor(request);
  const view = loadComment(id, user, page);
  if (!view) notFound(t("discussion.commentPage.notFound"));
  const revisions = user && can(user, "moderate:comment") ? listRevisions(id, user) : null;
  const title = t("common.pageTitle", {
    page: t("discussion.commentPage.title", { title: view.thread.title }),
  });
  return json({ ...view, revisions, openForm: form ?? null, title });
}

const MODERATION_INTENTS = new Set(["hide", "restore", "dismiss"]);

const actionSchema = z.discriminatedUnion("intent", [
  postCommentSchema.extend({ intent: z.literal("reply") }),
  z.object({ intent: z.literal("edit"), body: postCommentSchema.shape.body }),
  z.object({ intent: z.literal("delete") }),
  z.object({ intent: z.literal("vote"), up: z.enum(["0", "1"], { message: "Say whether to upvote" }) }),
  reportCommentSchema.safeExtend({ intent: z.literal("report") }),
  z.object({ intent: z.literal("hide"), reason: moderationReasonSchema }),
  z.object({ intent: z.literal("restore") }),
  z.object({ intent: z.literal("dismiss") }),
]);

export async function action({ request, params }: ActionFunctionArgs) {
  const id = parseId(params.commentId);
  const formData = await readForm(request);
  const user = MODERATION_INTENTS.has(String(formData.get("intent")))
    ? await requirePermission(request, "moderate:comment")
    : await requireUser(request);
  const submission = parseWithZod(formData, { schema: actionSchema });
  if (submission.status !== "success") return json(submission.reply(), { status: 400 });
  const { t } = await wordsFor(request);
  const value = submission.value;
  const here = `/comments/${id}`;
  const done = (message: string, options: { quietInPlace?: boolean } = {}) =>
    commentActionDone(
      formData,
      submission.reply,
      { kind: "success", message },
      {
        fallback: here,
        destination: { back: true, anchor: `comment-${id}` },
        ...options,
      },
    );
  try {
    switch (value.intent) {
      case "reply": {
        const replyId = await postComment(null, { ...value, parentId: id }, user);
        const placement = commentPlacement(replyId);
        return commentActionDone(
          formData,
          submission.reply,
          {
            kind: "success",
            message: t(heldForBatch(value) ? "discussion.flash.replyHeld" : "discussion.flash.replyPosted"),
          },
          {
            fallback: here,
            move: true,
            destination:
              placement.kind === "parent-page"
                ? {
                    path: `/comments/${placement.parentId}${placement.page > 1 ? `?page=${placement.page}` : ""}#comment-${replyId}`,
                  }
                : { back: true, anchor: `comment-${replyId}` },
          },
        );
      }
      case "edit":
        await editComment(id, value.body, user);
        return done(t("discussion.flash.updated"));
      case "delete":
        deleteComment(id, user);
        return done(t("discussion.flash.deleted"));
      case "vote":
        await setVote(id, value.up === "1", user);
        return done(t(value.up === "1" ? "discussion.flash.upvoted" : "discussion.flash.upvoteRemoved"), {
          quietInPlace: true,
        });
      case "report": {
        const { hidden } = await reportComment(id, value, user);
        return done(t(hidden ? "discussion.flash.reportedHidden" : "discussion.flash.reported"));
      }
      case "hide":
        hideComment(id, value.reason, user);
        return done(t("discussion.flash.hidden"));
      case "restore":
        restoreComment(id, user);
        return done(t("discussion.flash.restored"));
      case "dismiss":
        dismissReports(id, user);
        return done(t("discussion.flash.dismissed"));
    }
  } catch (error) {
    return refusalReply(error, submission, request);
  }
}

export default function CommentPage() {
  const t = useT();
  const format = useFormat();
  const data = useLoaderData<typeof loader>();
  // An anonymous comment's versions are kept to the UTC day, a named one's to the minute (thread.server.ts).
  const when = data.comment.dayOnly ? format.utcDay : format.utcHour;
  return (
    <div className="stack">
      <p>
        <Link to={`${data.thread.path}#comments`}>
          {t("discussion.commentPage.back", { title: data.thread.title })}
        </Link>
      </p>
      <h1>{t("discussion.commentPage.heading")}</h1>
      <RefusedButtonErrors />
      {data.ancestors.length ? (
        <section aria-label={t("discussion.commentPage.inReplyTo")} className="stack">
          {data.ancestors.map((ancestor) => (
            <CommentItem key={ancestor.id} comment={ancestor} thread={data.thread} standalone />
          ))}
        </section>
      ) : null}
      <div className="card">
        <OpenCommentForm.Provider
          value={data.openForm ? { commentId: data.comment.id, form: data.openForm } : null}
        >
          <CommentItem comment={{ ...data.comment, replies: [] }} thread={data.thread} standalone />
        </OpenCommentForm.Provider>
      </div>
      {data.comment.replies.length ? (
        <section aria-labelledby="replies-title" className="stack">
          <h2 id="replies-title">
            {t("discussion.commentPage.replies", { count: data.comment.replyCount })}
          </h2>
          <ol className="comment-list">
            {data.comment.replies.map((reply) => (
              <li key={reply.id}>
                <CommentItem comment={reply} thread={data.thread} />
              </li>
            ))}
          </ol>
          <Pagination page={data.page} pageCount={data.pageCount} />
        </section>
      ) : null}
      {data.revisions?.length ? (
        <section className="card stack" aria-labelledby="revisions-title">
          <h2 id="revisions-title">{t("discussion.commentPage.revisions")}</h2>
          <ol>
            {data.revisions.map((revision) => (
              <li key={String(revision.replacedAt)}>
                <p className="muted">
                  {t("discussion.commentPage.revision", {
                    written: when(revision.writtenAt),
                    replaced: when(revision.replacedAt),
                  })}
                </p>
                <pre className="revision">{revision.body}</pre>
              </li>
            ))}
          </ol>
        </section>
      ) : null}
    </div>
  );
}
