import { and, asc, eq, sql } from "drizzle-orm";
import { getDb, preparedStatements } from "../../../db/client";
import { commentRevisions, comments, commentThreads } from "../../../db/schema";
import { saidText } from "../../platform/said";
import { MINUTE_MS, startOfDay } from "../../platform/time";
import type { CommentSort } from "../../vocabulary/comments";
import type { User } from "../identity/sessions.server";
import { mayReadSignerNames } from "../petitions/rights.server";
import {
  COMMENT_RULES,
  type CommentCan,
  type CommentSetting,
  commentCan,
  commentSetting,
} from "./comment-rights.server";
import { type Commentable, resolveCommentable } from "./commentables.server";
import { anonymousAuthorForgottenAfterDays } from "./forgetting.server";
import { COMMENTS_PAGE_SIZE, MAX_COMMENT_DEPTH, REPLIES_PAGE_SIZE, REPLIES_PREVIEW } from "./limits";
import {
  CommentError,
  type CommentSubject,
  isModerator,
  postingClosedReason,
  requireComment,
  requireModerator,
  type ThreadRow,
} from "./rules.server";

/**
 * Reading a discussion: a thread page (a fixed number of statements whatever its size), one comment
 * with its replies, an edited comment's earlier versions for moderators. Anonymous authors never leave
 * this module: views carry `mine` for the author alone and a null author name.
 */

const toMinute = (ms: number) => ms - (ms % MINUTE_MS);

export type RawComment = {
  id: number;
  parent_id: number | null;
  depth: number;
  author_id: number | null;
  anonymous: number;
  official: number;
  from_signature: number;
  body: string;
  body_html: string;
  score: number;
  reply_count: number;
  open_reports: number;
  created_at: number;
  edited_at: number | null;
  deleted_at: number | null;
  hidden_at: number | null;
  hidden_by_id: number | null;
  hidden_reason: string | null;
  held: number;
  author_name: string | null;
  author_former: number | null;
  author_department: string | null;
  rt_id: number | null;
  rt_author_name: string | null;
  rt_body: string | null;
  rt_gone: number | null;
};

// Identity is dropped in SQL: an anonymous comment's author name is never even read.
export const SELECT_LIST = `c.id, c.parent_id, c.depth, c.author_id, c.anonymous, c.official, c.from_signature, c.body, c.body_html, c.score,
  c.reply_count, c.open_reports, c.created_at, c.edited_at, c.deleted_at, c.hidden_at, c.hidden_by_id,
  c.hidden_reason, c.held,
  case when c.anonymous then null else coalesce(a.name, 'A colleague') end as author_name,
  (not c.anonymous and a.erased_at is not null) as author_former,
  case when c.anonymous or a.name is null then null
    when exists (select 1 from people o where o.name = a.name and o.id <> a.id) then a.department
  end as author_department,
  r.id as rt_id,
  case when r.anonymous or r.deleted_at is not null then null else coalesce(ra.name, 'A colleague') end as rt_author_name,
  case when r.deleted_at is null and r.hidden_at is null then substr(r.body, 1, 140) end as rt_body,
  (r.deleted_at is not null or r.hidden_at is not null) as rt_gone`;
export const JOINS = `left join people a on a.id = c.author_id
  left join comments r on r.id = c.in_reply_to_id
  left join people ra on ra.id = r.author_id`;
const COLUMNS = `${SELECT_LIST} from comments c ${JOINS}`;

/**
 * A held anonymous comment (waiting for its thread's next batch, batches.server.ts) is read by its
 * author alone: every list of replies below takes the viewer's id (null for nobody) for this test;
 * the top level reads published comments, and the author's held ones apart (ownHeld).
 */
const VISIBLE = (alias: string) => `(${alias}.held = 0 or ${alias}.author_id = ?)`;

/**
 * A page of published top-level comments. Its author's own held ones are read apart and head the
 * first page whatever the sort: stored with their day's start, they would otherwise sort below the
 * day's named comments, off the screen their author lands on after posting.
 */
const topLevel = (order: string) =>
  `select ${COLUMNS} where c.thread_id = ? and c.parent_id is null and c.held = 0 order by ${order} limit ? offset ?`;

/**
 * A thread's reads. Ids are random (ADR 31): time order is (created_at, id), the id breaking ties,
 * through an index per sort (test/integration/comments/big-threads.test.ts reads their plans).
 */
export const THREAD_SQL = {
  top: topLevel("c.score desc, c.created_at desc, c.id desc"),
  newest: topLevel("c.created_at desc, c.id desc"),
  oldest: topLevel("c.created_at asc, c.id asc"),
  // The first few replies of each parent: a LIMIT per parent through the (parent_id, created_at, id)
  // index, so a parent with thousands of replies costs the same as one with three.
  repliesPreview: `select ${SELECT_LIST} from json_each(?) p
     join comments c on c.id in (
       select s.id from comments s where s.parent_id = p.value and ${VISIBLE("s")}
       order by s.created_at, s.id limit ?)
     ${JOINS}
     order by c.created_at, c.id`,
  replies: `select ${COLUMNS} where c.parent_id = ? and ${VISIBLE("c")} order by c.created_at, c.id limit ? offset ?`,
  /** The viewer's own held top-level comments (a few: posting is rate limited), newest first. */
  ownHeld: `select ${COLUMNS} where c.thread_id = ? and c.held = 1 and c.parent_id is null and c.author_id = ?
    order by c.created_at desc, c.id desc limit ${COMMENTS_PAGE_SIZE}`,
};

/** Thread pages run these few statements whatever the thread's size (tested by counting them). */
const statements = preparedStatements((db) => {
  const prepare = (sqlText: string) => db.$client.prepare<unknown[], RawComment>(sqlText);
  return {
    top: prepare(THREAD_SQL.top),
    newest: prepare(THREAD_SQL.newest),
    oldest: prepare(THREAD_SQL.oldest),
    repliesPreview: prepare(THREAD_SQL.repliesPreview),
    replies: prepare(THREAD_SQL.replies),
    ownHeld: prepare(THREAD_SQL.ownHeld),
    one: prepare(`select ${COLUMNS} where c.id = ?`),
    votes: db.$client.prepare<[number, string], { comment_id: number }>(
      "select comment_id from comment_votes where person_id = ? and comment_id in (select value from json_each(?))",
    ),
    reports: db.$client.prepare<[number, string], { comment_id: number }>(
      "select comment_id from comment_reports where reporter_id = ? and comment_id in (select value from json_each(?))",
    ),
    thread: db
      .select()
      .from(commentThreads)
      .where(
        and(
          eq(commentThreads.subjectType, sql.placeholder("type")),
          eq(commentThreads.subjectId, sql.placeholder("id")),
        ),
      )
      .prepare(),
  };
});

export type CommentView = {
  id: number;
  depth: number;
  parentId: number | null;
  /** Null for anonymous comments: shown as "Verified colleague". */
  authorName: string | null;
  /** The author was erased (docs/privacy.md): their named comment stays, shown as a former colleague. */
  authorFormer: boolean;
  /**
   * The author's department, only when someone else has the same name (three colleagues named
   * "Ana Reyes" read alike otherwise); null for anonymous comments, whose authors it would narrow.
   */
  authorDepartment: string | null;
  anonymous: boolean;
  official: boolean;
  /** The viewer wrote it (true only for the author, so it reveals nothing to anyone else). */
  mine: boolean;
  state: "visible" | "hidden" | "deleted";
  /** The markdown source, for the author's edit form only. */
  source: string | null;
  /** Sanitized HTML; null when deleted, or hidden from this viewer. */
  bodyHtml: string | null;
  hiddenReason: string | null;
  hiddenPendingReview: boolean;
  /** Dated by day only (anonymous comments, signers' reasons). */
  dayOnly: boolean;
  /**
   * Waiting for its thread's next batch of anonymous comments: only its author ever gets it (every
   * read filters the others out), and nobody can answer, vote on or report it yet.
   */
  held: boolean;
  createdAt: number;
  editedAt: number | null;
  score: number;
  voted: boolean;
  reported: boolean;
  replyCount: number;
  /** Moderators only; 0 for everyone else. */
  openReports: number;
  inReplyTo: { id: number; authorName: string | null; excerpt: string | null } | null;
  /** What the viewer may do to it, by the rules its actions check (comment-rights.server.ts). */
  can: CommentCan;
  replies: CommentView[];
};

function toView(
  row: RawComment,
  viewer: User | null,
  setting: CommentSetting,
  votes: ReadonlySet<number>,
  reports: ReadonlySet<number>,
): CommentView {
  const mine = viewer !== null && row.author_id !== null && viewer.id === row.author_id;
  const { moderator } = setting;
  const state = row.deleted_at ? "deleted" : row.hidden_at ? "hidden" : "visible";
  const voted = votes.has(row.id);
  const reported = reports.has(row.id);
  const showBody = state === "visible" || (state === "hidden" && (mine || moderator));
  const dayOnly = Boolean(row.anonymous || row.from_signature);
  // Names are for colleagues, as on the signers page: a reader not signed in reads what was said,
  // not who said it (a signer's reason would name a signer). Leadership's official posts keep theirs.
  const named = mayReadSignerNames(viewer) || Boolean(row.official);
  return {
    id: row.id,
    depth: row.depth,
    parentId: row.parent_id,
    authorName: state === "deleted" || !named ? null : row.author_name,
    authorFormer: Boolean(row.author_former),
    authorDepartment: state === "deleted" || !named ? null : row.author_department,
    anonymous: Boolean(row.anonymous),
    official: state !== "deleted" && Boolean(row.official),
    mine,
    state,
    bodyHtml: showBody ? row.body_html : null,
    source: mine && state === "visible" ? row.body : null,
    hiddenReason: state === "hidden" && (mine || moderator) ? row.hidden_reason : null,
    hiddenPendingReview: state === "hidden" && row.hidden_by_id === null,
    // Anonymous comments carry their day only: an exact time could be lined up with someone's
    // known activity (or the ledger) to guess who wrote them. So do signers' reasons, whose exact
    // time is their signature's ledger time.
    dayOnly,
    held: Boolean(row.held),
    // Named ones to the minute, as the page shows them: loader data goes to the browser whole.
    createdAt: dayOnly ? startOfDay(row.created_at) : toMinute(row.created_at),
    editedAt: row.edited_at === null ? null : dayOnly ? startOfDay(row.edited_at) : toMinute(row.edited_at),
    score: row.score,
    voted,
    reported,
    replyCount: row.reply_count,
    openReports: moderator ? row.open_reports : 0,
    inReplyTo: row.rt_id
      ? {
          id: row.rt_id,
          authorName: mayReadSignerNames(viewer) ? row.rt_author_name : null,
          excerpt: row.rt_gone ? null : row.rt_body,
        }
      : null,
    // Nobody signed out may do anything to a comment (every action needs a person).
    can: viewer
      ? commentCan({
          ...setting,
          mine,
          state,
          hiddenByModerator: row.hidden_by_id !== null,
          held: Boolean(row.held),
          openReports: row.open_reports,
          reported,
          voted,
        })
      : NOBODY_CAN,
    replies: [],
  };
}

const NOBODY_CAN = Object.fromEntries(
  Object.keys(COMMENT_RULES).map((action) => [action, false]),
) as CommentCan;

/**
 * Views for rows, with this viewer's votes and reports fetched in one statement each. `setting` is
 * their discussion's (commentSetting), or a row's own when the rows come from several.
 */
export function viewsOf<Row extends RawComment>(
  rows: Row[],
  viewer: User | null,
  setting: CommentSetting | ((row: Row) => CommentSetting),
): CommentView[] {
  let votes = new Set<number>();
  let reports = new Set<number>();
  if (viewer && rows.length) {
    const ids = JSON.stringify(rows.map((r) => r.id));
    votes = new Set(
      statements()
        .votes.all(viewer.id, ids)
        .map((r) => r.comment_id),
    );
    reports = new Set(
      statements()
        .reports.all(viewer.id, ids)
        .map((r) => r.comment_id),
    );
  }
  const settingOf = typeof setting === "function" ? setting : () => setting;
  return rows.map((row) => toView(row, viewer, settingOf(row), votes, reports));
}

/**
 * Attaches each parent's first replies (`perParent` each, two levels below `parents`, or one with
 * `levels: 1`), in a fixed number of queries.
 */
function attachReplyPreviews(
  parents: RawComment[],
  viewer: User | null,
  setting: CommentSetting,
  { perParent = REPLIES_PREVIEW, levels = 2 }: { perParent?: number; levels?: 1 | 2 } = {},
): CommentView[] {
  const { repliesPreview } = statements();
  const viewerId = viewer?.id ?? null;
  const preview = (ids: number[]) =>
    ids.length ? repliesPreview.all(JSON.stringify(ids), viewerId, perParent) : [];
  const level2 = preview(parents.filter((p) => p.depth < MAX_COMMENT_DEPTH).map((p) => p.id));
  const level3 =
    levels === 2 ? preview(level2.filter((p) => p.depth < MAX_COMMENT_DEPTH).map((p) => p.id)) : [];
  const views = viewsOf([...parents, ...level2, ...level3], viewer, setting);
  const byId = new Map(views.map((v) => [v.id, v]));
  // Previews (everything after the parents) go under their parent, in time order.
  for (const view of views.slice(parents.length)) {
    if (view.parentId !== null) byId.get(view.parentId)?.replies.push(view);
  }
  return views.slice(0, parents.length);
}

export type ThreadInfo = {
  subject: CommentSubject;
  /** After how many days an anonymous comment's author is forgotten (forgetting.server.ts). */
  anonymousAuthorDays: number;
  title: string;
  path: string;
  commentCount: number;
  topLevelCount: number;
  locked: { reason: string | null; at: number } | null;
  /** Why its subject is closed for discussion, as said text (app/platform/said.ts), or null. */
  closedReason: string | null;
  /** Anyone signed in may post (see postingClosedReason). */
  openForPosting: boolean;
  signedIn: boolean;
  canPost: boolean;
  canModerate: boolean;
};

export function threadInfo(
  subject: CommentSubject,
  commentable: Commentable,
  thread: ThreadRow | undefined,
  viewer: User | null,
): ThreadInfo {
  const locked = thread?.lockedAt
    ? { reason: thread.lockedReason, at: toMinute(thread.lockedAt.getTime()) }
    : null;
  const openForPosting = postingClosedReason(thread, commentable) === null;
  return {
    subject,
    anonymousAuthorDays: anonymousAuthorForgottenAfterDays(),
    title: commentable.title,
    path: commentable.path,
    commentCount: thread?.commentCount ?? 0,
    topLevelCount: thread?.topLevelCount ?? 0,
    locked,
    closedReason: commentable.closedReason && saidText(commentable.closedReason),
    openForPosting,
    signedIn: Boolean(viewer),
    canPost: Boolean(viewer) && openForPosting,
    canModerate: isModerator(viewer) && !(viewer && commentable.hasStake(viewer.id)),
  };
}

/**
 * One page of a thread's top level, each with its first replies; null if the viewer may not see it.
 * `preview` is the few comments a petition page shows (its full discussion has its own page):
 * the first `preview` top-level comments of the sort, each with its first reply.
 */
export function loadThread(
  subject: CommentSubject,
  viewer: User | null,
  options: { sort: CommentSort; page: number; preview?: number },
) {
  const db = getDb();
  const commentable = resolveCommentable(db, subject);
  if (!commentable?.canView(viewer)) return null;
  const thread = statements().thread.get({ type: subject.type, id: subject.id });
  const info = threadInfo(subject, commentable, thread, viewer);
  const size = options.preview ?? COMMENTS_PAGE_SIZE;
  const pageCount = Math.max(1, Math.ceil(info.topLevelCount / size));
  const page = options.preview ? 1 : Math.min(options.page, pageCount);
  const held = thread && viewer && page === 1 ? statements().ownHeld.all(thread.id, viewer.id) : [];
  const rows = thread ? statements()[options.sort].all(thread.id, size, (page - 1) * size) : [];
  const comments = attachReplyPreviews(
    [...held, ...rows],
    viewer,
    commentSetting(thread, commentable, viewer),
    options.preview ? { perParent: 1, levels: 1 } : {},
  );
  return { thread: info, comments, sort: options.sort, page, pageCount };
}

/**
 * A comment's own page: the comment, the comments above it (for context), and a page of its direct
 * replies with their first replies. Also what "show more replies" loads.
 */
export function loadComment(commentId: number, viewer: User | null, page = 1) {
  const db = getDb();
  let found: ReturnType<typeof requireComment>;
  try {
    found = requireComment(db, commentId, viewer);
  } catch (error) {
    if (error instanceof CommentError) return null;
    throw error;
  }
  const { one, replies } = statements();
  const self = one.get(commentId);
  if (!self) return null;
  const ancestors: RawComment[] = [];
  for (let id = self.parent_id; id !== null; ) {
    const row = one.get(id);
    if (!row) break;
    ancestors.unshift(row);
    id = row.parent_id;
  }
  const pageCount = Math.max(1, Math.ceil(self.reply_count / REPLIES_PAGE_SIZE));
  const current = Math.min(page, pageCount);
  const replyRows = replies.all(
    commentId,
    viewer?.id ?? null,
    REPLIES_PAGE_SIZE,
    (current - 1) * REPLIES_PAGE_SIZE,
  );
  const setting = commentSetting(found.thread, found.commentable, viewer);
  const [comment, ...ancestorViews] = viewsOf([self, ...ancestors], viewer, setting);
  if (!comment) return null;
  comment.replies = attachReplyPreviews(replyRows, viewer, setting);
  return {
    thread: threadInfo(found.subject, found.commentable, found.thread, viewer),
    comment,
    ancestors: ancestorViews,
    page: current,
    pageCount,
  };
}

/** Earlier versions of a comment: moderators only. An anonymous comment's versions are dated by day. */
export function listRevisions(commentId: number, moderator: User) {
  requireModerator(moderator);
  const db = getDb();
  const comment = db
    .select({ anonymous: comments.anonymous, fromSignature: comments.fromSignature })
    .from(comments)
    .where(eq(comments.id, commentId))
    .get();
  const dayOnly = Boolean(comment?.anonymous || comment?.fromSignature);
  return db
    .select({
      body: commentRevisions.body,
      writtenAt: commentRevisions.writtenAt,
      replacedAt: commentRevisions.replacedAt,
    })
    .from(commentRevisions)
    .where(eq(commentRevisions.commentId, commentId))
    .orderBy(asc(commentRevisions.id))
    .all()
    .map((revision) =>
      dayOnly
        ? {
            ...revision,
            writtenAt: new Date(startOfDay(revision.writtenAt.getTime())),
            replacedAt: new Date(startOfDay(revision.replacedAt.getTime())),
          }
        : revision,
    );
}

/**
 * Where a new comment can be seen: top-level ones head the "newest" sort; a reply among its parent's
 * first replies shows under it in the thread, later ones on the parent's own page.
 */
export function commentPlacement(
  commentId: number,
): { kind: "top-level" } | { kind: "preview" } | { kind: "parent-page"; parentId: number; page: number } {
  const db = getDb();
  const comment = db
    .select({ parentId: comments.parentId })
    .from(comments)
    .where(eq(comments.id, commentId))
    .get();
  if (!comment?.parentId) return { kind: "top-level" };
  const before =
    db.$client
      .prepare<[number], { n: number }>(
        `select count(*) as n from comments s, comments c
         where c.id = ? and s.parent_id = c.parent_id and (s.held = 0 or s.author_id = c.author_id)
           and (s.created_at, s.id) < (c.created_at, c.id)`,
      )
      .get(commentId)?.n ?? 0;
  if (before < REPLIES_PREVIEW) return { kind: "preview" };
  return {
    kind: "parent-page",
    parentId: comment.parentId,
    page: Math.floor(before / REPLIES_PAGE_SIZE) + 1,
  };
}
