import { Link, useLocation } from "@remix-run/react";
import type { ThreadInfo } from "../../domain/discussion/thread.server";
import { useT } from "../../i18n/translate";
import { COMMENT_SORT_KEYS, COMMENT_SORTS, type CommentSort } from "../../vocabulary/comments";
import { TextareaField } from "../forms";
import { Pagination } from "../pagination";
import { useSaid } from "../said";
import {
  AnonymousChoice,
  AnonymousEmailsChoice,
  BodyField,
  FetcherButton,
  ValidatedForm,
  type View,
} from "./form-kit";
import { CommentItem } from "./item";

/** A discussion: its sorts, lock, new-comment form and a page of comments with their first replies. */

function PostForm({ thread, action }: { thread: ThreadInfo; action: string }) {
  const t = useT();
  return (
    <ValidatedForm
      id="new-comment"
      action={action}
      intent="post"
      acceptPageResult
      schema="comment"
      submitLabel={t("discussion.post.submit")}
    >
      {(fields) => (
        <>
          <BodyField field={fields.body} label={t("discussion.post.label", { title: thread.title })} />
          <AnonymousChoice id="new-comment-anonymous" days={thread.anonymousAuthorDays} />
          <AnonymousEmailsChoice id="new-comment-anonymous" />
        </>
      )}
    </ValidatedForm>
  );
}

export function CommentThread({
  thread,
  comments,
  sort,
  page,
  pageCount,
  signInPath,
  preview = false,
}: {
  thread: ThreadInfo;
  comments: View[];
  sort: CommentSort;
  page: number;
  pageCount: number;
  signInPath: string;
  /** The first few comments only (a petition page), with a link to the whole discussion. */
  preview?: boolean;
}) {
  const t = useT();
  const location = useLocation();
  const said = useSaid();
  const discussion = `/discussions/${thread.subject.type}/${thread.subject.id}`;
  const sortLink = (s: CommentSort) => {
    const params = new URLSearchParams(location.search);
    params.set("sort", s);
    params.delete("page");
    return `${location.pathname}?${params}#comments`;
  };
  return (
    <section className="card stack comments" id="comments" aria-labelledby="comments-title">
      <div className="comments-head">
        <h2 id="comments-title">
          {t.rich("discussion.thread.heading", {
            count: thread.commentCount,
            muted: (chunks) => <span className="muted">{chunks}</span>,
          })}
        </h2>
        <nav aria-label={t("discussion.thread.sortLabel")} className="comment-sorts">
          {COMMENT_SORTS.map((s) => (
            <Link key={s} to={sortLink(s)} aria-current={s === sort ? "true" : undefined} preventScrollReset>
              {t(COMMENT_SORT_KEYS[s])}
            </Link>
          ))}
        </nav>
      </div>
      {thread.locked ? (
        <p className="flash flash-info">
          {t("discussion.thread.locked", {
            hasReason: thread.locked.reason ? "yes" : "no",
            reason: thread.locked.reason,
          })}
        </p>
      ) : null}
      {thread.closedReason && !thread.locked ? <p className="muted">{said(thread.closedReason)}</p> : null}
      {thread.canModerate ? <LockControls thread={thread} action={discussion} /> : null}
      {thread.canPost ? <PostForm thread={thread} action={discussion} /> : null}
      {!thread.signedIn && thread.openForPosting ? (
        <p>
          {t.rich("discussion.thread.signIn", { link: (chunks) => <Link to={signInPath}>{chunks}</Link> })}
        </p>
      ) : null}
      {comments.length === 0 ? <p className="muted">{t("discussion.thread.empty")}</p> : null}
      <ol className="comment-list">
        {comments.map((comment) => (
          <li key={comment.id}>
            <CommentItem comment={comment} thread={thread} />
          </li>
        ))}
      </ol>
      {preview ? (
        thread.commentCount > shownCount(comments) ? (
          <p className="comments-all">
            <Link to={`${discussion}?sort=${sort}#comments`}>
              {t("discussion.thread.readAll", { count: thread.commentCount })}
            </Link>
          </p>
        ) : null
      ) : (
        <Pagination page={page} pageCount={pageCount} hash="comments" />
      )}
    </section>
  );
}

/** How many counted comments a list shows, its replies included (the author's held ones are not counted yet). */
function shownCount(views: View[]): number {
  return views.reduce((n, view) => n + (view.held ? 0 : 1) + shownCount(view.replies), 0);
}

function LockControls({ thread, action }: { thread: ThreadInfo; action: string }) {
  const t = useT();
  if (thread.locked)
    return <FetcherButton action={action} intent="unlock" label={t("discussion.thread.unlock")} />;
  return (
    <details className="comment-disclosure">
      <summary>{t("discussion.thread.lock")}</summary>
      <ValidatedForm
        id="lock-thread"
        action={action}
        intent="lock"
        acceptPageResult
        schema="lockThread"
        submitLabel={t("discussion.thread.lockSubmit")}
        submitClass="danger"
      >
        {(fields) => (
          <TextareaField label={t("discussion.thread.lockReason")} field={fields.reason} rows={2} />
        )}
      </ValidatedForm>
    </details>
  );
}
