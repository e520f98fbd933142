import { Link, useLocation } from "@remix-run/react";
import type { ThreadInfo } from "../../domain/discussion/thread.server";
import { COMMENT_SORT_LABELS, COMMENT_SORTS, type CommentSort } from "../../vocabulary/comments";
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
  return (
    <ValidatedForm
      id="new-comment"
      action={action}
      intent="post"
      acceptPageResult
      schema="comment"
      submitLabel="Post comment"
    >
      {(fields) => (
        <>
          <BodyField field={fields.body} label={`Comment on “${thread.title}”`} />
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
          Discussion <span className="muted">({thread.commentCount.toLocaleString("en")})</span>
        </h2>
        <nav aria-label="Sort comments" className="comment-sorts">
          {COMMENT_SORTS.map((s) => (
            <Link key={s} to={sortLink(s)} aria-current={s === sort ? "true" : undefined} preventScrollReset>
              {COMMENT_SORT_LABELS[s]}
            </Link>
          ))}
        </nav>
      </div>
      {thread.locked ? (
        <p className="flash flash-info">
          This discussion is locked by a moderator{thread.locked.reason ? `: ${thread.locked.reason}` : ""}.
        </p>
      ) : null}
      {thread.closedReason && !thread.locked ? <p className="muted">{said(thread.closedReason)}</p> : null}
      {thread.canModerate ? <LockControls thread={thread} action={discussion} /> : null}
      {thread.canPost ? <PostForm thread={thread} action={discussion} /> : null}
      {!thread.signedIn && thread.openForPosting ? (
        <p>
          <Link to={signInPath}>Sign in</Link> to join the discussion.
        </p>
      ) : null}
      {comments.length === 0 ? <p className="muted">No comments yet.</p> : null}
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
              Read the whole discussion ({thread.commentCount.toLocaleString("en")}{" "}
              {thread.commentCount === 1 ? "comment" : "comments"})
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
  if (thread.locked) return <FetcherButton action={action} intent="unlock" label="Unlock the discussion" />;
  return (
    <details className="comment-disclosure">
      <summary>Lock the discussion</summary>
      <ValidatedForm
        id="lock-thread"
        action={action}
        intent="lock"
        acceptPageResult
        schema="lockThread"
        submitLabel="Lock"
        submitClass="danger"
      >
        {(fields) => <TextareaField label="Reason (shown on the thread)" field={fields.reason} rows={2} />}
      </ValidatedForm>
    </details>
  );
}
