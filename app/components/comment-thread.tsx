import { type DefaultValue, getFormProps, type SubmissionResult, useForm } from "@conform-to/react";
import { Link, useActionData, useFetcher, useLocation, useNavigate } from "@remix-run/react";
import { createContext, type ReactNode, useContext, useEffect, useRef, useState } from "react";
import type { z } from "zod";
import { COMMENT_MAX_LENGTH, type CommentFormName, REPLIES_PAGE_SIZE } from "../domain/discussion/limits";
import type { CommentView, ThreadInfo } from "../domain/discussion/thread.server";
import {
  COMMENT_SORT_LABELS,
  COMMENT_SORTS,
  type CommentSort,
  REPORT_REASON_LABELS,
  REPORT_REASONS,
} from "../vocabulary/comments";
import { formatDate, formatDateTime } from "./format";
import { FormErrors, TextareaField } from "./forms";
import { Pagination } from "./pagination";
import { type SchemaName, useLazyValidation } from "./validation";
import type { SCHEMAS } from "./validation-schemas";

/**
 * Comment threads. Every control is a plain form that works without JavaScript (the action
 * redirects back with a flash message); once hydrated, the same forms post through fetchers, add a
 * `_fetcher` field so the action answers with data instead of a redirect, and Remix revalidates the
 * page in place.
 */

// Dates arrive from loaders as numbers (milliseconds).
type Serialized<T> = T extends Date ? string : T;
type View = { [K in keyof CommentView]: Serialized<CommentView[K]> };

export function useHydrated(): boolean {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}

function useReturnTo(): string {
  const location = useLocation();
  return `${location.pathname}${location.search}`;
}

/** The hidden fields every comment form carries. */
function CommonFields({ intent }: { intent: string }) {
  const hydrated = useHydrated();
  const returnTo = useReturnTo();
  return (
    <>
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="returnTo" value={returnTo} />
      {hydrated ? <input type="hidden" name="_fetcher" value="1" /> : null}
    </>
  );
}

type ActionResult = SubmissionResult<string[]> & { location?: string | null };

const intentOf = (result: ActionResult | undefined) => result?.initialValue?.intent;

/** Intents whose forms are only a button: a refusal without JavaScript is shown at the top of the page. */
const BUTTON_INTENTS = new Set(["vote", "delete", "restore", "dismiss", "unlock"]);

/** Errors of a refused button form, for pages that receive plain-form posts (no JavaScript). */
export function RefusedButtonErrors() {
  const result = useActionData<ActionResult>();
  const intent = intentOf(result);
  if (typeof intent !== "string" || !BUTTON_INTENTS.has(intent)) return null;
  return <FormErrors errors={result?.error?.[""] ?? undefined} />;
}

/**
 * A comment form with fields validated by zod (client and server) through conform; in the browser
 * its schema loads once a form is on the screen (components/validation.ts).
 */
function ValidatedForm<Name extends SchemaName>({
  id,
  action,
  intent,
  schema,
  submitLabel,
  submitClass,
  onDone,
  defaultValue,
  acceptPageResult = false,
  children,
}: {
  id: string;
  /** Show the page's own action result (a refused plain-form post to the page this form is on). */
  acceptPageResult?: boolean;
  defaultValue?: DefaultValue<z.input<(typeof SCHEMAS)[Name]>>;
  action: string;
  intent: string;
  schema: Name;
  submitLabel: string;
  submitClass?: string;
  onDone?: () => void;
  children: (
    fields: ReturnType<typeof useForm<z.input<(typeof SCHEMAS)[Name]>, z.output<(typeof SCHEMAS)[Name]>>>[1],
  ) => ReactNode;
}) {
  const onValidate = useLazyValidation(schema);
  const fetcher = useFetcher<ActionResult>();
  const disclosure = useContext(InDisclosure);
  const pageResult = useActionData<ActionResult>();
  const [form, fields] = useForm<z.input<(typeof SCHEMAS)[Name]>, z.output<(typeof SCHEMAS)[Name]>>({
    id,
    defaultValue,
    lastResult:
      fetcher.state !== "idle"
        ? undefined
        : (fetcher.data ??
          ((acceptPageResult || disclosure?.openedByPage) && intentOf(pageResult) === intent
            ? pageResult
            : undefined)),
    onValidate,
    shouldRevalidate: "onBlur",
  });
  const navigate = useNavigate();
  const result = fetcher.state === "idle" ? fetcher.data : undefined;
  // Each result is acted on once (the callbacks change on every render).
  const handled = useRef<ActionResult | undefined>(undefined);
  useEffect(() => {
    if (result?.status !== "success" || handled.current === result) return;
    handled.current = result;
    onDone?.();
    // Where the new comment shows (the newest sort, or its parent's page).
    if (result.location) navigate(result.location);
  }, [result, onDone, navigate]);
  return (
    <fetcher.Form
      method="post"
      action={disclosure ? `${action}?form=${disclosure.name}` : action}
      className="stack comment-form"
      {...getFormProps(form)}
    >
      <CommonFields intent={intent} />
      <FormErrors id={form.errorId} errors={form.errors} />
      {children(fields)}
      <div className="row">
        <button type="submit" className={submitClass} disabled={fetcher.state !== "idle"}>
          {submitLabel}
        </button>
      </div>
    </fetcher.Form>
  );
}

/** A form that is only a button (vote, delete, restore…); errors show beside it. */
function ButtonForm({
  action,
  intent,
  label,
  className = "secondary",
  extra,
  pressed,
}: {
  action: string;
  intent: string;
  label: ReactNode;
  className?: string;
  extra?: Record<string, string>;
  pressed?: boolean;
}) {
  const fetcher = useFetcher<ActionResult>();
  const errors = fetcher.state === "idle" ? fetcher.data?.error?.[""] : undefined;
  return (
    <fetcher.Form method="post" action={action} className="inline-form">
      <CommonFields intent={intent} />
      {Object.entries(extra ?? {}).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button type="submit" className={className} aria-pressed={pressed} disabled={fetcher.state !== "idle"}>
        {label}
      </button>
      {errors?.length ? (
        <span role="alert" className="field-errors">
          {errors.join(" ")}
        </span>
      ) : null}
    </fetcher.Form>
  );
}

/**
 * The disclosure a form sits in. Its form posts to `?form=NAME`, so a refusal without JavaScript
 * lands on the comment's page with that form open, showing the errors from the page's action data.
 */
const InDisclosure = createContext<{ name: CommentFormName; openedByPage: boolean } | null>(null);

/** Which comment form the comment's own page opens (`/comments/12?form=reply`), for visitors without JavaScript. */
export const OpenCommentForm = createContext<{ commentId: number; form: CommentFormName } | null>(null);

/**
 * A comment's form behind a toggle. The forms are not rendered until opened (a page of comments stays
 * light to render): with JavaScript the toggle opens the form in place; without, it is a link to the
 * comment's own page with that form open.
 */
function Disclosure({
  commentId,
  name,
  summary,
  children,
}: {
  commentId: number;
  name: CommentFormName;
  summary: string;
  children: (close: () => void) => ReactNode;
}) {
  const requested = useContext(OpenCommentForm);
  const openedByPage = requested?.commentId === commentId && requested.form === name;
  const [open, setOpen] = useState(openedByPage);
  return (
    <div className={open ? "comment-disclosure open" : "comment-disclosure"}>
      <a
        href={`/comments/${commentId}?form=${name}#comment-${commentId}`}
        aria-expanded={open}
        onClick={(event) => {
          event.preventDefault();
          setOpen(!open);
        }}
      >
        {summary}
      </a>
      {open ? (
        <InDisclosure.Provider value={{ name, openedByPage }}>
          {children(() => setOpen(false))}
        </InDisclosure.Provider>
      ) : null}
    </div>
  );
}

function BodyField({ field, label }: { field: Parameters<typeof TextareaField>[0]["field"]; label: string }) {
  return (
    <TextareaField
      label={label}
      field={field}
      hint={`Markdown: **bold**, _italic_, [links](https://…), lists, > quotes, \`code\`. Up to ${COMMENT_MAX_LENGTH.toLocaleString("en")} characters.`}
      rows={4}
    />
  );
}

function AnonymousChoice({ id, days }: { id: string; days: number }) {
  return (
    <div className="checkbox">
      <input type="checkbox" id={id} name="anonymous" value="on" aria-describedby={`${id}-hint`} />
      <label htmlFor={id}>
        Post anonymously — shown as “Verified colleague”; nobody, not even moderators, can see it was you
      </label>
      <p id={`${id}-hint`} className="hint">
        The platform remembers it is yours only so that you can edit or delete it: for {days} days, or until
        the discussion closes if sooner. Then it forgets, and the comment is nobody's — not even yours to
        change.
      </p>
    </div>
  );
}

/** Reply emails for an anonymous comment: off unless asked for, and why (issue 17). */
function AnonymousEmailsChoice({ id }: { id: string }) {
  return (
    <div className="checkbox">
      <input
        type="checkbox"
        id={`${id}-emails`}
        name="emailReplies"
        value="on"
        aria-describedby={`${id}-emails-hint`}
      />
      <label htmlFor={`${id}-emails`}>If anonymous: email me replies to it</label>
      <p id={`${id}-emails-hint`} className="hint">
        Off unless you tick it, because the email names you: it goes through the company's own mail system,
        whose logs record that your address was sent “A verified colleague replied to your comment on …” and
        when — enough to tie you to this comment for anyone who reads them. Until delivered it also waits in
        the platform's outbox with your address. Without it you see replies here; named comments always email
        replies (turn that off in Settings).
      </p>
    </div>
  );
}

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
      {thread.closedReason && !thread.locked ? <p className="muted">{thread.closedReason}</p> : null}
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
  if (thread.locked) return <ButtonForm action={action} intent="unlock" label="Unlock the discussion" />;
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

export function CommentItem({
  comment,
  thread,
  standalone = false,
}: {
  comment: View;
  thread: ThreadInfo;
  /** On a comment's own page its replies are listed by the page, not here. */
  standalone?: boolean;
}) {
  const action = `/comments/${comment.id}`;
  const author = comment.state === "deleted" ? "Deleted" : (comment.authorName ?? "Verified colleague");
  // A held comment (waiting for its batch) is its author's alone: nothing to answer or vote on yet.
  const live = comment.state === "visible" && !comment.held;
  const hiddenLabel = comment.hiddenPendingReview
    ? "Hidden after reports from colleagues, until a moderator reviews it"
    : "Hidden by a moderator";
  return (
    <article
      id={`comment-${comment.id}`}
      className={`comment comment-${comment.state}`}
      aria-label={`Comment by ${author}`}
    >
      <header className="comment-meta">
        <strong>{author}</strong>
        {comment.authorDepartment ? <span className="muted">({comment.authorDepartment})</span> : null}
        {comment.anonymous && comment.state !== "deleted" ? (
          <span className="badge" title="Signed-in member of staff who chose not to be named">
            Anonymous
          </span>
        ) : null}
        {comment.official ? <span className="badge badge-ok">Official</span> : null}
        {comment.mine ? <span className="badge">You</span> : null}
        {comment.held ? <span className="badge badge-warn">Not published yet</span> : null}
        <a href={`${action}`} className="muted">
          {comment.dayOnly ? (
            <time dateTime={new Date(comment.createdAt).toISOString().slice(0, 10)}>
              {formatDate(comment.createdAt)}
            </time>
          ) : (
            <time dateTime={new Date(comment.createdAt).toISOString()}>
              {formatDateTime(comment.createdAt)}
            </time>
          )}
        </a>
        {comment.editedAt ? <span className="muted">· edited</span> : null}
        {comment.openReports ? (
          <span className="badge badge-warn">{comment.openReports} open reports</span>
        ) : null}
      </header>
      {comment.inReplyTo ? (
        <blockquote className="in-reply-to">
          Replying to{" "}
          <a href={`/comments/${comment.inReplyTo.id}`}>
            {comment.inReplyTo.authorName ?? "Verified colleague"}
          </a>
          {comment.inReplyTo.excerpt ? `: “${comment.inReplyTo.excerpt}”` : ""}
        </blockquote>
      ) : null}
      {comment.held ? (
        <p className="muted comment-held">
          Waiting for the next batch of anonymous comments (at most 24 hours). Only you see it until then; you
          can still edit or delete it.
        </p>
      ) : null}
      {comment.state === "deleted" ? <p className="muted">This comment was deleted by its author.</p> : null}
      {comment.state === "hidden" ? (
        <p className="muted">
          {comment.bodyHtml
            ? `${hiddenLabel} — only ${comment.mine ? "you and moderators" : "its author and moderators"} see the text.${comment.hiddenReason ? ` Reason: ${comment.hiddenReason}` : ""}`
            : `${hiddenLabel}.`}
        </p>
      ) : null}
      {comment.bodyHtml ? (
        // Sanitized by renderMarkdown (rehype-sanitize) when the comment was written.
        // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitized HTML
        <div className="markdown comment-body" dangerouslySetInnerHTML={{ __html: comment.bodyHtml }} />
      ) : null}
      <div className="comment-actions">
        <span className="comment-score">
          <span aria-hidden="true">▲</span> {comment.score}
          <span className="sr-only"> {comment.score === 1 ? "upvote" : "upvotes"}</span>
        </span>
        {thread.signedIn && live && !comment.mine ? (
          <ButtonForm
            action={action}
            intent="vote"
            extra={{ up: comment.voted ? "0" : "1" }}
            pressed={comment.voted}
            label={comment.voted ? "Upvoted" : "Upvote"}
            className={comment.voted ? "" : "secondary"}
          />
        ) : null}
        {thread.canPost && live ? (
          <Disclosure commentId={comment.id} name="reply" summary="Reply">
            {(close) => (
              <ValidatedForm
                id={`reply-${comment.id}`}
                action={action}
                intent="reply"
                schema="comment"
                submitLabel="Post reply"
                onDone={close}
              >
                {(fields) => (
                  <>
                    <BodyField field={fields.body} label={`Reply to ${author}`} />
                    <AnonymousChoice id={`reply-${comment.id}-anonymous`} days={thread.anonymousAuthorDays} />
                    <AnonymousEmailsChoice id={`reply-${comment.id}-anonymous`} />
                  </>
                )}
              </ValidatedForm>
            )}
          </Disclosure>
        ) : null}
        {comment.mine && comment.state === "visible" && thread.canPost ? (
          <Disclosure commentId={comment.id} name="edit" summary="Edit">
            {(close) => <EditForm comment={comment} action={action} onDone={close} />}
          </Disclosure>
        ) : null}
        {comment.mine && comment.state !== "deleted" ? (
          <Disclosure commentId={comment.id} name="delete" summary="Delete">
            {() => (
              <div className="stack">
                <p>Delete this comment? Its text is removed for good; replies stay.</p>
                <ButtonForm action={action} intent="delete" label="Delete comment" className="danger" />
              </div>
            )}
          </Disclosure>
        ) : null}
        {thread.signedIn && !comment.mine && live && !comment.reported ? (
          <Disclosure commentId={comment.id} name="report" summary="Report">
            {(close) => (
              <ValidatedForm
                id={`report-${comment.id}`}
                action={action}
                intent="report"
                schema="report"
                submitLabel="Send report"
                onDone={close}
              >
                {(fields) => (
                  <>
                    <div className="field">
                      <label htmlFor={fields.reason.id}>What is wrong with it?</label>
                      <select id={fields.reason.id} name={fields.reason.name} defaultValue="" required>
                        <option value="" disabled>
                          Choose a reason
                        </option>
                        {REPORT_REASONS.map((r) => (
                          <option key={r} value={r}>
                            {REPORT_REASON_LABELS[r]}
                          </option>
                        ))}
                      </select>
                      <FormErrors errors={fields.reason.errors} />
                    </div>
                    <TextareaField label="Note for the moderators (optional)" field={fields.note} rows={2} />
                  </>
                )}
              </ValidatedForm>
            )}
          </Disclosure>
        ) : null}
        {comment.reported ? <span className="muted">You reported this</span> : null}
        {thread.canModerate && !comment.mine && !comment.reported && comment.state !== "deleted" ? (
          <ModerationControls comment={comment} action={action} />
        ) : null}
      </div>
      {standalone ? null : <Replies comment={comment} thread={thread} />}
    </article>
  );
}

function EditForm({ comment, action, onDone }: { comment: View; action: string; onDone: () => void }) {
  return (
    <ValidatedForm
      id={`edit-${comment.id}`}
      action={action}
      intent="edit"
      schema="editComment"
      submitLabel="Save"
      onDone={onDone}
      defaultValue={{ body: comment.source ?? "" }}
    >
      {(fields) => <BodyField field={fields.body} label="Edit your comment" />}
    </ValidatedForm>
  );
}

function ModerationControls({ comment, action }: { comment: View; action: string }) {
  return (
    <>
      {comment.state === "visible" || comment.hiddenPendingReview ? (
        <Disclosure commentId={comment.id} name="hide" summary="Hide">
          {(close) => (
            <ValidatedForm
              id={`hide-${comment.id}`}
              action={action}
              intent="hide"
              schema="hideComment"
              submitLabel="Hide comment"
              submitClass="danger"
              onDone={close}
            >
              {(fields) => (
                <TextareaField label="Reason (sent to the author)" field={fields.reason} rows={2} />
              )}
            </ValidatedForm>
          )}
        </Disclosure>
      ) : null}
      {comment.state === "hidden" ? <ButtonForm action={action} intent="restore" label="Restore" /> : null}
      {comment.openReports > 0 ? (
        <ButtonForm action={action} intent="dismiss" label="Dismiss reports" />
      ) : null}
    </>
  );
}

/**
 * The first replies, and the rest on demand: with JavaScript, pages of replies load in place (each
 * page its own fetcher, so Remix revalidates them after any action); without, the link is the
 * comment's own page, which lists them all.
 */
function Replies({ comment, thread }: { comment: View; thread: ThreadInfo }) {
  const [pages, setPages] = useState(0);
  // The author's own held replies are listed but not counted yet.
  if (comment.replyCount === 0 && comment.replies.length === 0) return null;
  const shown =
    pages === 0
      ? comment.replies.filter((r) => !r.held).length
      : Math.min(comment.replyCount, pages * REPLIES_PAGE_SIZE);
  const remaining = comment.replyCount - shown;
  return (
    <>
      {pages === 0 ? (
        <ReplyList replies={comment.replies} thread={thread} />
      ) : (
        Array.from({ length: pages }, (_, i) => (
          <ReplyPage
            // biome-ignore lint/suspicious/noArrayIndexKey: pages are only ever appended
            key={i}
            commentId={comment.id}
            page={i + 1}
            thread={thread}
            placeholder={i === 0 ? comment.replies : []}
          />
        ))
      )}
      {remaining > 0 ? (
        <p className="more-replies">
          <a
            href={`/comments/${comment.id}${pages ? `?page=${pages + 1}` : ""}`}
            onClick={(event) => {
              event.preventDefault();
              setPages(pages + 1);
            }}
          >
            Show {remaining.toLocaleString("en")} more {remaining === 1 ? "reply" : "replies"}
          </a>
        </p>
      ) : null}
    </>
  );
}

function ReplyList({ replies, thread }: { replies: View[]; thread: ThreadInfo }) {
  if (!replies.length) return null;
  return (
    <ol className="comment-list replies">
      {replies.map((reply) => (
        <li key={reply.id}>
          <CommentItem comment={reply} thread={thread} />
        </li>
      ))}
    </ol>
  );
}

function ReplyPage({
  commentId,
  page,
  thread,
  placeholder,
}: {
  commentId: number;
  page: number;
  thread: ThreadInfo;
  placeholder: View[];
}) {
  const fetcher = useFetcher<{ comment: View }>();
  const requested = useRef(false);
  useEffect(() => {
    if (requested.current) return;
    requested.current = true;
    fetcher.load(`/comments/${commentId}?page=${page}`);
  }, [fetcher, commentId, page]);
  if (!fetcher.data && !placeholder.length) return <p className="muted more-replies">Loading replies…</p>;
  return <ReplyList replies={fetcher.data?.comment.replies ?? placeholder} thread={thread} />;
}
