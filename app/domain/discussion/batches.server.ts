import { eq, inArray, sql } from "drizzle-orm";
import { getDb } from "../../../db/client";
import { comments, commentThreads } from "../../../db/schema";
import { type BatchRule, batchRule, boundaryOf, shuffled } from "../../platform/anonymity/batches.server";
import { startOfDay } from "../../platform/time";
import { resolveCommentable } from "./commentables.server";
import { notifyReply } from "./posting.server";
import type { CommentSubject } from "./rules.server";

/**
 * Anonymous comments are published in batches (issue 17, finding 7). A comment or reply posted
 * anonymously through the discussion forms is stored at once but held (`comments.held`): its author
 * sees it, marked as waiting; nobody else sees it, counts it, answers, votes on or reports it (every
 * read filters it, and requireComment answers 404). Nothing public moves at its posting minute —
 * not the thread's counts, not its parent's reply count, not the organizer's dashboard, not the
 * reply email to the parent's author. The minute scheduler's job below publishes them.
 *
 * The rule is the anonymous signing batches' (platform/batches.server.ts), per thread, at fixed
 * boundaries only: the first run in a new period (ANONYMOUS_BATCH_MINUTES, which divides the day)
 * publishes a thread's held comments if it holds at least ANONYMOUS_BATCH_SIZE of them; the first run
 * of a new UTC day publishes every thread's leftovers of the days before. Per thread, because a thread
 * is what a viewer polls: a platform-wide batch of five could put a single comment into a quiet thread
 * at the batch minute, and the poller would know it was posted in that period, with nothing to mix it
 * with. So a thread's counts move by at least the batch size, at a boundary, or at midnight.
 * Anonymous comments are stored with their day's start (so, unlike the signatures held in memory, a
 * comment posted in the minute between a boundary and the run after it is in that boundary's batch:
 * the run is the minute scheduler's, whatever anyone posts).
 *
 * Nothing flushes a thread's batch early: not its petition closing, not a moderator's lock, not its
 * subject being hidden or removed. Each of those is somebody's act, and a flush on demand would let
 * that somebody publish a batch of one and date it to the minute. The held comments were accepted
 * while the discussion was open; they are published on their ordinary schedule (by the next
 * midnight), and their authors are forgotten only after that (forgetting.server.ts skips held ones).
 */

type HeldThread = {
  thread_id: number;
  held: number;
  /** Held comments stored with a day before the boundary's (leftovers). */
  before_today: number;
  subject_type: CommentSubject["type"];
  subject_id: number;
};

/** The threads with held comments and what the rule needs of them: read in the job's transaction. */
const HELD_THREADS = `select c.thread_id, count(*) as held, sum(c.created_at < ?) as before_today,
    t.subject_type, t.subject_id
  from comments c join comment_threads t on t.id = c.thread_id
  where c.held = 1 group by c.thread_id`;

/** The boundary the last run of this process began (each is run once; a restart runs the current). */
const state = { lastBoundary: Number.NaN };

/**
 * Publishes every thread's batch of held anonymous comments due at `now`'s boundary, if no run has
 * begun that boundary yet: each thread in this one immediate transaction, the comments marked
 * published, the thread's counts and each parent's reply count raised, and the reply emails posting
 * would have queued queued (decided at send time, ADR 32), in shuffled order. Returns how many
 * comments were published. The minute scheduler runs it (exactly one process runs the jobs, ADR 25);
 * a page view never does.
 */
export function publishHeldComments(now = Date.now(), rule: BatchRule = batchRule()): number {
  const boundary = boundaryOf(now, rule.periodMs);
  if (boundary === state.lastBoundary) return 0;
  state.lastBoundary = boundary;
  const midnight = startOfDay(boundary);
  const db = getDb();
  const dueThreads = () =>
    db.$client
      .prepare<[number], HeldThread>(HELD_THREADS)
      .all(midnight)
      .filter((t) => t.held >= rule.minSize || t.before_today > 0);
  // A read through the held index, and no write lock unless a batch is due.
  if (dueThreads().length === 0) return 0;
  return db.transaction(
    (tx) => {
      // Again inside the transaction (the same connection), which another run may have preceded.
      const due = dueThreads();
      let published = 0;
      for (const thread of due) {
        // The whole thread's held comments, or only its leftovers of the days before.
        const which =
          thread.held >= rule.minSize
            ? sql`${comments.threadId} = ${thread.thread_id} and ${comments.held} = 1`
            : sql`${comments.threadId} = ${thread.thread_id} and ${comments.held} = 1 and ${comments.createdAt} < ${midnight}`;
        const held = tx.select().from(comments).where(which).all();
        tx.update(comments)
          .set({ held: false })
          .where(
            inArray(
              comments.id,
              held.map((c) => c.id),
            ),
          )
          .run();
        tx.update(commentThreads)
          .set({
            commentCount: sql`${commentThreads.commentCount} + ${held.length}`,
            topLevelCount: sql`${commentThreads.topLevelCount} + ${held.filter((c) => c.parentId === null).length}`,
            // The boundary, as a signature batch is dated.
            anonymousBatchAt: new Date(boundary),
          })
          .where(eq(commentThreads.id, thread.thread_id))
          .run();
        const replies = new Map<number, number>();
        for (const c of held)
          if (c.parentId !== null) replies.set(c.parentId, (replies.get(c.parentId) ?? 0) + 1);
        for (const [parentId, n] of replies) {
          tx.update(comments)
            .set({ replyCount: sql`${comments.replyCount} + ${n}` })
            .where(eq(comments.id, parentId))
            .run();
        }
        const commentable = resolveCommentable(tx, { type: thread.subject_type, id: thread.subject_id });
        // A subject that no longer exists has no one to tell (and no page to read the reply on).
        if (commentable) {
          for (const reply of shuffled(held)) {
            const answeredId = reply.inReplyToId ?? reply.parentId;
            if (answeredId === null) continue;
            const answered = tx.select().from(comments).where(eq(comments.id, answeredId)).get();
            if (!answered) continue;
            notifyReply(
              tx,
              answered,
              { id: reply.id, body: reply.body, anonymous: true },
              { id: reply.authorId, name: null },
              commentable,
            );
          }
        }
        published += held.length;
      }
      return published;
    },
    { behavior: "immediate" },
  );
}

/** How many anonymous comments wait for their batch (tests). */
export function heldCommentCount(): number {
  return (
    getDb().$client.prepare<[], { n: number }>("select count(*) as n from comments where held = 1").get()
      ?.n ?? 0
  );
}
