import { eq, sql } from "drizzle-orm";
import { getDb } from "../../../db/client";
import { comments, commentThreads } from "../../../db/schema";
import { type BatchRule, batchIsDue, batchRule, shuffled } from "../../platform/batches.server";
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
 * The rule is the anonymous signing batches' (platform/batches.server.ts, batchIsDue), per thread: a
 * thread's held comments are published together once it holds at least ANONYMOUS_BATCH_SIZE of them
 * and ANONYMOUS_BATCH_MINUTES have passed since its last batch, or once the oldest has waited 24
 * hours. Per thread, because a thread is what a viewer polls: a platform-wide batch of five could
 * put a single comment into a quiet thread at the batch minute, and the poller would know it was
 * posted since the previous batch — the window batching is meant to widen — with nothing to mix it
 * with. So a thread's counts move by at least the batch size, or once a day. Anonymous comments are
 * stored with their day's start, so "waited 24 hours" means: by the first run after midnight (UTC),
 * every thread's leftovers of the day before are published, together.
 *
 * Nothing flushes a thread's batch early: not its petition closing, not a moderator's lock, not its
 * subject being hidden or removed. Each of those is somebody's act, and a flush on demand would let
 * that somebody publish a batch of one and date it to the minute. The held comments were accepted
 * while the discussion was open; they are published on their ordinary schedule (at most 24 hours
 * later), and their authors are forgotten only after that (forgetting.server.ts skips held ones).
 */

type HeldThread = {
  thread_id: number;
  held: number;
  oldest: number;
  anonymous_batch_at: number | null;
  subject_type: CommentSubject["type"];
  subject_id: number;
};

/** The threads with held comments and what the rule needs of them: read in the job's transaction. */
const HELD_THREADS = `select c.thread_id, count(*) as held, min(c.created_at) as oldest,
    t.anonymous_batch_at, t.subject_type, t.subject_id
  from comments c join comment_threads t on t.id = c.thread_id
  where c.held = 1 group by c.thread_id`;

/**
 * Publishes every thread's due batch of held anonymous comments, each thread in this one immediate
 * transaction: the comments are marked published, the thread's counts and each parent's reply count
 * rise, and the reply emails posting would have queued are queued (decided at send time, ADR 32), in
 * shuffled order. Returns how many comments were published. Idempotent: a second run finds nothing
 * due. The minute scheduler runs it (exactly one process runs the jobs, ADR 25; every ten seconds with the other batches); a page view never
 * does.
 */
export function publishHeldComments(now = Date.now(), rule: BatchRule = batchRule()): number {
  const db = getDb();
  const dueThreads = () =>
    db.$client
      .prepare<[], HeldThread>(HELD_THREADS)
      .all()
      .filter((t) =>
        batchIsDue({ size: t.held, oldest: t.oldest, lastBatchAt: t.anonymous_batch_at ?? 0 }, now, rule),
      );
  // Checked every ten seconds: a read through the held index, and no write lock unless one is due.
  if (dueThreads().length === 0) return 0;
  return db.transaction(
    (tx) => {
      // Again inside the transaction (the same connection), which another run may have preceded.
      const due = dueThreads();
      let published = 0;
      for (const thread of due) {
        const held = tx
          .select()
          .from(comments)
          .where(sql`${comments.threadId} = ${thread.thread_id} and ${comments.held} = 1`)
          .all();
        tx.update(comments)
          .set({ held: false })
          .where(sql`${comments.threadId} = ${thread.thread_id} and ${comments.held} = 1`)
          .run();
        tx.update(commentThreads)
          .set({
            commentCount: sql`${commentThreads.commentCount} + ${held.length}`,
            topLevelCount: sql`${commentThreads.topLevelCount} + ${held.filter((c) => c.parentId === null).length}`,
            // Its period's start, as a signature batch is dated.
            anonymousBatchAt: new Date(now - (now % rule.periodMs)),
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
