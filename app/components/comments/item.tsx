import { useLocation } from "@remix-run/react";
import type { ThreadInfo } from "../../domain/discussion/thread.server";
import { REPORT_REASON_LABELS, REPORT_REASONS } from "../../vocabulary/comments";
import { formatDate, formatDateTime } from "../format";
import { FormErrors, TextareaField } from "../forms";
import { useHydrated } from "../use-hydrated";
import {
  AnonymousChoice,
  AnonymousEmailsChoice,
  BodyField,
  Disclosure,
  FetcherButton,
  ValidatedForm,
  type View,
} from "./form-kit";
import { ModerationControls } from "./moderation";
import { Replies } from "./replies";

/**
 * One comment: its header, text and the controls its viewer may use. Which controls show is the
 * domain's answer (`comment.can`, from the rules its actions check), never decided here.
 */
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
  // The comment the page was sent to (a new one, after posting) stands out: CSS :target on a full
  // page load, this class after a move in the browser (which :target does not follow). Read once
  // hydrated: the server never sees the fragment.
  const hydrated = useHydrated();
  const { hash } = useLocation();
  const arrivedAt = hydrated && hash === `#comment-${comment.id}`;
  const hiddenLabel = comment.hiddenPendingReview
    ? "Hidden after reports from colleagues, until a moderator reviews it"
    : "Hidden by a moderator";
  return (
    <article
      id={`comment-${comment.id}`}
      className={`comment comment-${comment.state}${arrivedAt ? " comment-arrived" : ""}`}
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
        {comment.can.vote ? (
          <FetcherButton
            action={action}
            intent="vote"
            extra={{ up: comment.voted ? "0" : "1" }}
            pressed={comment.voted}
            label={comment.voted ? "Upvoted" : "Upvote"}
            className={comment.voted ? "" : "secondary"}
          />
        ) : null}
        {comment.can.reply ? (
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
        {comment.can.edit ? (
          <Disclosure commentId={comment.id} name="edit" summary="Edit">
            {(close) => <EditForm comment={comment} action={action} onDone={close} />}
          </Disclosure>
        ) : null}
        {comment.can.delete ? (
          <Disclosure commentId={comment.id} name="delete" summary="Delete">
            {() => (
              <div className="stack">
                <p>Delete this comment? Its text is removed for good; replies stay.</p>
                <FetcherButton action={action} intent="delete" label="Delete comment" className="danger" />
              </div>
            )}
          </Disclosure>
        ) : null}
        {comment.can.report ? (
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
        {comment.can.moderate ? <ModerationControls comment={comment} action={action} /> : null}
      </div>
      {standalone ? null : (
        <Replies comment={comment} renderReply={(reply) => <CommentItem comment={reply} thread={thread} />} />
      )}
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
