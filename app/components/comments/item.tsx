import { useLocation } from "@remix-run/react";
import type { ThreadInfo } from "../../domain/discussion/thread.server";
import { useFormat } from "../../i18n/format";
import { useT } from "../../i18n/translate";
import { REPORT_REASON_KEYS, REPORT_REASONS } from "../../vocabulary/comments";
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
  const t = useT();
  const format = useFormat();
  const action = `/comments/${comment.id}`;
  const author =
    comment.state === "deleted"
      ? t("discussion.comment.deletedAuthor")
      : comment.authorFormer
        ? t("my-data.formerColleague")
        : (comment.authorName ?? t("discussion.comment.anonymousAuthor"));
  // The comment the page was sent to (a new one, after posting) stands out: CSS :target on a full
  // page load, this class after a move in the browser (which :target does not follow). Read once
  // hydrated: the server never sees the fragment.
  const hydrated = useHydrated();
  const { hash } = useLocation();
  const arrivedAt = hydrated && hash === `#comment-${comment.id}`;
  const hiddenWhy = comment.hiddenPendingReview ? "reports" : "moderator";
  return (
    <article
      id={`comment-${comment.id}`}
      className={`comment comment-${comment.state}${arrivedAt ? " comment-arrived" : ""}`}
      aria-label={t("discussion.comment.label", { author })}
    >
      <header className="comment-meta">
        <strong>{author}</strong>
        {comment.authorDepartment ? <span className="muted">({comment.authorDepartment})</span> : null}
        {comment.anonymous && comment.state !== "deleted" ? (
          <span className="badge" title={t("discussion.comment.anonymousBadgeTitle")}>
            {t("discussion.comment.anonymousBadge")}
          </span>
        ) : null}
        {comment.official ? <span className="badge badge-ok">{t("discussion.comment.official")}</span> : null}
        {comment.mine ? <span className="badge">{t("discussion.comment.you")}</span> : null}
        {comment.held ? (
          <span className="badge badge-warn">{t("discussion.comment.notPublished")}</span>
        ) : null}
        <a href={`${action}`} className="muted">
          {comment.dayOnly ? (
            <time dateTime={new Date(comment.createdAt).toISOString().slice(0, 10)}>
              {format.utcDay(comment.createdAt)}
            </time>
          ) : (
            <time dateTime={new Date(comment.createdAt).toISOString()}>
              {format.utcHour(comment.createdAt)}
            </time>
          )}
        </a>
        {comment.editedAt ? <span className="muted">{t("discussion.comment.edited")}</span> : null}
        {comment.openReports ? (
          <span className="badge badge-warn">
            {t("discussion.comment.openReports", { count: comment.openReports })}
          </span>
        ) : null}
      </header>
      {comment.inReplyTo ? (
        <blockquote className="in-reply-to">
          {t.rich("discussion.comment.replyingTo", {
            author: comment.inReplyTo.authorName ?? t("discussion.comment.anonymousAuthor"),
            hasExcerpt: comment.inReplyTo.excerpt ? "yes" : "no",
            excerpt: comment.inReplyTo.excerpt,
            link: (chunks) => <a href={`/comments/${comment.inReplyTo?.id}`}>{chunks}</a>,
          })}
        </blockquote>
      ) : null}
      {comment.held ? <p className="muted comment-held">{t("discussion.comment.held")}</p> : null}
      {comment.state === "deleted" ? (
        <p className="muted">{t("discussion.comment.deletedByAuthor")}</p>
      ) : null}
      {comment.state === "hidden" ? (
        <p className="muted">
          {comment.bodyHtml
            ? t("discussion.comment.hiddenWithText", {
                why: hiddenWhy,
                mine: comment.mine ? "yes" : "no",
                hasReason: comment.hiddenReason ? "yes" : "no",
                reason: comment.hiddenReason,
              })
            : t("discussion.comment.hidden", { why: hiddenWhy })}
        </p>
      ) : null}
      {comment.bodyHtml ? (
        // Sanitized by renderMarkdown (rehype-sanitize) when the comment was written.
        // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitized HTML
        <div className="markdown comment-body" dangerouslySetInnerHTML={{ __html: comment.bodyHtml }} />
      ) : null}
      <div className="comment-actions">
        <span className="comment-score">
          <span aria-hidden="true">▲</span> {format.number(comment.score)}
          <span className="sr-only"> {t("discussion.comment.upvotes", { count: comment.score })}</span>
        </span>
        {comment.can.vote ? (
          <FetcherButton
            action={action}
            intent="vote"
            extra={{ up: comment.voted ? "0" : "1" }}
            pressed={comment.voted}
            label={comment.voted ? t("discussion.comment.upvoted") : t("discussion.comment.upvote")}
            className={comment.voted ? "" : "secondary"}
          />
        ) : null}
        {comment.can.reply ? (
          <Disclosure commentId={comment.id} name="reply" summary={t("discussion.comment.reply")}>
            {(close) => (
              <ValidatedForm
                id={`reply-${comment.id}`}
                action={action}
                intent="reply"
                schema="comment"
                submitLabel={t("discussion.comment.replySubmit")}
                onDone={close}
              >
                {(fields) => (
                  <>
                    <BodyField field={fields.body} label={t("discussion.comment.replyLabel", { author })} />
                    <AnonymousChoice id={`reply-${comment.id}-anonymous`} days={thread.anonymousAuthorDays} />
                    <AnonymousEmailsChoice id={`reply-${comment.id}-anonymous`} />
                  </>
                )}
              </ValidatedForm>
            )}
          </Disclosure>
        ) : null}
        {comment.can.edit ? (
          <Disclosure commentId={comment.id} name="edit" summary={t("discussion.comment.edit")}>
            {(close) => <EditForm comment={comment} action={action} onDone={close} />}
          </Disclosure>
        ) : null}
        {comment.can.delete ? (
          <Disclosure commentId={comment.id} name="delete" summary={t("discussion.comment.delete")}>
            {() => (
              <div className="stack">
                <p>{t("discussion.comment.deleteConfirm")}</p>
                <FetcherButton
                  action={action}
                  intent="delete"
                  label={t("discussion.comment.deleteSubmit")}
                  className="danger"
                />
              </div>
            )}
          </Disclosure>
        ) : null}
        {comment.can.report ? (
          <Disclosure commentId={comment.id} name="report" summary={t("discussion.comment.report")}>
            {(close) => (
              <ValidatedForm
                id={`report-${comment.id}`}
                action={action}
                intent="report"
                schema="report"
                submitLabel={t("discussion.comment.reportSubmit")}
                onDone={close}
              >
                {(fields) => (
                  <>
                    <div className="field">
                      <label htmlFor={fields.reason.id}>{t("discussion.comment.reportReason")}</label>
                      <select id={fields.reason.id} name={fields.reason.name} defaultValue="" required>
                        <option value="" disabled>
                          {t("discussion.comment.reportChoose")}
                        </option>
                        {REPORT_REASONS.map((r) => (
                          <option key={r} value={r}>
                            {t(REPORT_REASON_KEYS[r])}
                          </option>
                        ))}
                      </select>
                      <FormErrors errors={fields.reason.errors} />
                    </div>
                    <TextareaField label={t("discussion.comment.reportNote")} field={fields.note} rows={2} />
                  </>
                )}
              </ValidatedForm>
            )}
          </Disclosure>
        ) : null}
        {comment.reported ? <span className="muted">{t("discussion.comment.reportedByYou")}</span> : null}
        {comment.can.moderate ? <ModerationControls comment={comment} action={action} /> : null}
      </div>
      {standalone ? null : (
        <Replies comment={comment} renderReply={(reply) => <CommentItem comment={reply} thread={thread} />} />
      )}
    </article>
  );
}

function EditForm({ comment, action, onDone }: { comment: View; action: string; onDone: () => void }) {
  const t = useT();
  return (
    <ValidatedForm
      id={`edit-${comment.id}`}
      action={action}
      intent="edit"
      schema="editComment"
      submitLabel={t("discussion.comment.save")}
      onDone={onDone}
      defaultValue={{ body: comment.source ?? "" }}
    >
      {(fields) => <BodyField field={fields.body} label={t("discussion.comment.editLabel")} />}
    </ValidatedForm>
  );
}
