import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { RefusedButtonErrors } from "../components/comments/form-kit";
import { CommentThread } from "../components/comments/thread";
import { moderationReasonSchema, postCommentSchema, threadQuerySchema } from "../domain/discussion/forms";
import { setThreadLock } from "../domain/discussion/moderation.server";
import { heldForBatch, postComment } from "../domain/discussion/posting.server";
import { loadThread } from "../domain/discussion/thread.server";
import { type Translate, useT } from "../i18n/translate";
import { COMMENT_SUBJECT_TYPES } from "../vocabulary/comments";
import { commentActionDone } from "../web/comment-actions.server";
import { wordsFor } from "../web/reader.server";
import { notFound, refusalReply } from "../web/refusal-reply.server";
import { parseId, parseQuery, readForm } from "../web/request.server";
import { getUser, requirePermission, requireUser } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

function subjectOf(params: LoaderFunctionArgs["params"], t: Translate) {
  const type = z.enum(COMMENT_SUBJECT_TYPES).safeParse(params.subjectType);
  if (!type.success) notFound(t("discussion.notFound"));
  return { type: type.data, id: parseId(params.subjectId) };
}

/** The whole discussion of one thing; its page also shows a refused form's errors without JavaScript. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { t } = await wordsFor(request);
  const subject = subjectOf(params, t);
  const query = parseQuery(request, threadQuerySchema);
  const view = loadThread(subject, await getUser(request), query);
  if (!view) notFound(t("discussion.notFound"));
  return json({
    ...view,
    title: t("common.pageTitle", { page: t("discussion.title", { title: view.thread.title }) }),
  });
}

const actionSchema = z.discriminatedUnion("intent", [
  postCommentSchema.extend({ intent: z.literal("post") }),
  z.object({ intent: z.literal("lock"), reason: moderationReasonSchema }),
  z.object({ intent: z.literal("unlock") }),
]);

export async function action({ request, params }: ActionFunctionArgs) {
  const { t } = await wordsFor(request);
  const subject = subjectOf(params, t);
  const formData = await readForm(request);
  const intent = formData.get("intent");
  const user =
    intent === "lock" || intent === "unlock"
      ? await requirePermission(request, "moderate:comment")
      : await requireUser(request);
  const submission = parseWithZod(formData, { schema: actionSchema });
  if (submission.status !== "success") return json(submission.reply(), { status: 400 });
  const value = submission.value;
  const here = `/discussions/${subject.type}/${subject.id}`;
  try {
    switch (value.intent) {
      case "post": {
        const id = await postComment(subject, value, user);
        // The newest sort shows it first, whatever sort and page the person was on.
        const message = t(heldForBatch(value) ? "discussion.flash.held" : "discussion.flash.posted");
        return commentActionDone(
          formData,
          submission.reply,
          { kind: "success", message },
          {
            fallback: here,
            destination: { back: true, anchor: `comment-${id}`, query: { sort: "newest", page: null } },
            move: true,
          },
        );
      }
      case "lock":
        setThreadLock(subject, { locked: true, reason: value.reason }, user);
        return commentActionDone(
          formData,
          submission.reply,
          { kind: "success", message: t("discussion.flash.locked") },
          { fallback: here },
        );
      case "unlock":
        setThreadLock(subject, { locked: false }, user);
        return commentActionDone(
          formData,
          submission.reply,
          { kind: "success", message: t("discussion.flash.unlocked") },
          { fallback: here },
        );
    }
  } catch (error) {
    return refusalReply(error, submission, request);
  }
}

export default function Discussion() {
  const t = useT();
  const data = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <p>
        <Link to={data.thread.path}>{t("discussion.backTo", { title: data.thread.title })}</Link>
      </p>
      <h1>{t("discussion.title", { title: data.thread.title })}</h1>
      <RefusedButtonErrors />
      <CommentThread
        thread={data.thread}
        comments={data.comments}
        sort={data.sort}
        page={data.page}
        pageCount={data.pageCount}
        signInPath={`/sign-in?${new URLSearchParams({ redirectTo: `/discussions/${data.thread.subject.type}/${data.thread.subject.id}` })}`}
      />
    </div>
  );
}
