import { getDb } from "../../../db/client";
import { getSettings } from "../../platform/site/settings.server";
import { DAY_MS } from "../../platform/time";
import type { ReportReason } from "../../vocabulary/comments";
import { MODERATION_OVERDUE_MS, type ReportUrgency } from "../../vocabulary/moderation";
import type { User } from "../identity/sessions.server";
import { type CommentSetting, commentSetting } from "./comment-rights.server";
import { type Commentable, resolveCommentable } from "./commentables.server";
import { type CommentSubject, findThread, requireModerator } from "./rules.server";
import { JOINS, type RawComment, SELECT_LIST, threadInfo, viewsOf } from "./thread.server";

/** The moderators' queue of reported comments, and the discussion activity an organizer's dashboard shows. */

export const MODERATION_QUEUE_SIZE = 50;

/** A comment whose subject is gone is left out of the queue; its view is never shown. */
const NO_SUBJECT: CommentSetting = {
  postingClosed: null,
  subjectClosed: null,
  moderator: false,
  stake: true,
};

/** How pressing a reported comment is (its labels say why: vocabulary/moderation.ts). */
function urgencyOf(row: RawComment, threshold: number, waitingMs: number): ReportUrgency {
  if (row.hidden_at !== null && row.hidden_by_id === null) return "hidden-by-reports";
  if (row.hidden_at === null && row.open_reports >= threshold) return "popular-kept-visible";
  return waitingMs > MODERATION_OVERDUE_MS ? "overdue" : "waiting";
}

/**
 * Comments with open reports: those reports hid or that reached the hiding number first, then the
 * longest waiting; each with how long it has waited (since its oldest open report) and how urgent it
 * is. Who reported stays unknown.
 */
export function reportedComments(moderator: User, now = Date.now()) {
  requireModerator(moderator);
  const db = getDb();
  const threshold = getSettings().commentReportThreshold;
  const rows = db.$client
    .prepare<
      [number, number],
      RawComment & {
        thread_subject_type: CommentSubject["type"];
        thread_subject_id: number;
        waiting_since: number;
      }
    >(
      `select ${SELECT_LIST}, t.subject_type as thread_subject_type, t.subject_id as thread_subject_id,
         (select min(r.created_at) from comment_reports r where r.comment_id = c.id and r.resolved_at is null)
           as waiting_since
       from comments c join comment_threads t on t.id = c.thread_id ${JOINS}
       where c.open_reports > 0 and c.held = 0
       order by ((c.hidden_at is not null and c.hidden_by_id is null) or c.open_reports >= ?) desc,
         waiting_since, c.id
       limit ?`,
    )
    .all(threshold, MODERATION_QUEUE_SIZE);
  const reports = rows.length
    ? db.$client
        .prepare<
          [string],
          { comment_id: number; reason: ReportReason; note: string | null; created_at: number }
        >(
          "select comment_id, reason, note, created_at from comment_reports where resolved_at is null and comment_id in (select value from json_each(?)) order by id",
        )
        .all(JSON.stringify(rows.map((r) => r.id)))
    : [];
  // Many reported comments share a subject: resolve each subject once.
  const subjects = new Map<string, { commentable: Commentable; setting: CommentSetting } | null>();
  const subjectOf = (row: (typeof rows)[number]) => {
    const subject = { type: row.thread_subject_type, id: row.thread_subject_id };
    const key = `${subject.type}:${subject.id}`;
    if (!subjects.has(key)) {
      const commentable = resolveCommentable(db, subject);
      subjects.set(
        key,
        commentable && {
          commentable,
          setting: commentSetting(findThread(db, subject), commentable, moderator),
        },
      );
    }
    return { subject, found: subjects.get(key) ?? null };
  };
  const views = viewsOf(rows, moderator, (row) => subjectOf(row).found?.setting ?? NO_SUBJECT);
  return rows.flatMap((row, i) => {
    const { subject, found } = subjectOf(row);
    const view = views[i];
    if (!found || !view) return [];
    // Reviewing, not discussing: no reply box in the queue, nor an edit form.
    const comment = { ...view, can: { ...view.can, reply: false, edit: false } };
    const waitingMs = Math.max(0, now - row.waiting_since);
    return [
      {
        waitingMs,
        urgency: urgencyOf(row, threshold, waitingMs),
        comment,
        thread: { ...threadInfo(subject, found.commentable, undefined, moderator), canPost: false },
        reports: reports
          .filter((r) => r.comment_id === row.id)
          .map((r) => ({ reason: r.reason, note: r.note, createdAt: r.created_at })),
      },
    ];
  });
}

export function countReportedComments(): number {
  return (
    getDb()
      .$client.prepare<[], { n: number }>("select count(*) as n from comments where open_reports > 0")
      .get()?.n ?? 0
  );
}

/**
 * Counts for a subject's organizers (the petition dashboard): how lively and how troubled its
 * discussion is. Counts only — nothing about who wrote or reported what — and of published comments
 * only: a held anonymous one moves them with its batch (batches.server.ts).
 */
export function discussionActivity(subject: CommentSubject, now = Date.now()) {
  const db = getDb();
  const thread = findThread(db, subject);
  if (!thread) return { total: 0, lastWeek: 0, reported: 0, hidden: 0, locked: false };
  const row = db.$client
    .prepare<[number, number], { last_week: number | null; reported: number | null; hidden: number | null }>(
      `select sum(created_at >= ?) as last_week,
              sum(open_reports > 0 and deleted_at is null) as reported,
              sum(hidden_at is not null and deleted_at is null) as hidden
       from comments where thread_id = ? and held = 0`,
    )
    .get(now - 7 * DAY_MS, thread.id);
  return {
    total: thread.commentCount,
    lastWeek: row?.last_week ?? 0,
    reported: row?.reported ?? 0,
    hidden: row?.hidden ?? 0,
    locked: Boolean(thread.lockedAt),
  };
}
