import { useFetcher } from "@remix-run/react";
import { type ReactNode, useEffect, useRef, useState } from "react";
import { REPLIES_PAGE_SIZE } from "../../domain/discussion/limits";
import { useT } from "../../i18n/translate";
import type { View } from "./form-kit";

/**
 * The first replies, and the rest on demand: with JavaScript, pages of replies load in place (each
 * page its own fetcher, so Remix revalidates them after any action); without, the link is the
 * comment's own page, which lists them all.
 */
export function Replies({
  comment,
  renderReply,
}: {
  comment: View;
  renderReply: (reply: View) => ReactNode;
}) {
  const t = useT();
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
        <ReplyList replies={comment.replies} renderReply={renderReply} />
      ) : (
        Array.from({ length: pages }, (_, i) => (
          <ReplyPage
            // biome-ignore lint/suspicious/noArrayIndexKey: pages are only ever appended
            key={i}
            commentId={comment.id}
            page={i + 1}
            renderReply={renderReply}
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
            {t("discussion.replies.more", { count: remaining })}
          </a>
        </p>
      ) : null}
    </>
  );
}

function ReplyList({ replies, renderReply }: { replies: View[]; renderReply: (reply: View) => ReactNode }) {
  if (!replies.length) return null;
  return (
    <ol className="comment-list replies">
      {replies.map((reply) => (
        <li key={reply.id}>{renderReply(reply)}</li>
      ))}
    </ol>
  );
}

function ReplyPage({
  commentId,
  page,
  renderReply,
  placeholder,
}: {
  commentId: number;
  page: number;
  renderReply: (reply: View) => ReactNode;
  placeholder: View[];
}) {
  const t = useT();
  const fetcher = useFetcher<{ comment: View }>();
  const requested = useRef(false);
  useEffect(() => {
    if (requested.current) return;
    requested.current = true;
    fetcher.load(`/comments/${commentId}?page=${page}`);
  }, [fetcher, commentId, page]);
  if (!fetcher.data && !placeholder.length)
    return <p className="muted more-replies">{t("discussion.replies.loading")}</p>;
  return <ReplyList replies={fetcher.data?.comment.replies ?? placeholder} renderReply={renderReply} />;
}
