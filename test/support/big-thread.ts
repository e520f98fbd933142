import { and, eq } from "drizzle-orm";
import { postComment } from "../../app/domain/discussion/posting.server";
import type { User } from "../../app/domain/identity/sessions.server";
import { getDb } from "../../db/client";
import { commentThreads, randomRowId } from "../../db/schema";

/**
 * A petition thread of `total` comments, fast: the first through the comments module (which creates
 * the thread), the rest by raw inserts with the counters set as the module keeps them. Every tenth
 * comment is top level with five replies, the last of which has four replies of its own.
 */
export async function generateThread(
  petitionId: number,
  total: number,
  authors: [User, ...User[]],
  bodies: ReadonlyArray<{ body: string; html: string }> = [{ body: "Comment", html: "<p>Comment</p>" }],
): Promise<void> {
  await postComment(
    { type: "petition", id: petitionId },
    { body: "First comment", anonymous: false },
    authors[0],
  );
  const thread = getDb()
    .select()
    .from(commentThreads)
    .where(and(eq(commentThreads.subjectType, "petition"), eq(commentThreads.subjectId, petitionId)))
    .get();
  if (!thread) throw new Error("no thread");
  const sqlite = getDb().$client;
  const insert = sqlite.prepare(
    "insert into comments (id, thread_id, parent_id, depth, author_id, anonymous, body, body_html, score, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const start = Date.now();
  sqlite.transaction(() => {
    let top = 1;
    let lastTop = 0;
    let lastSecond = 0;
    for (let i = 1; i < total; i++) {
      const kind = i % 10;
      const [parent, depth] =
        kind === 0 || !lastTop ? [null, 1] : kind > 5 && lastSecond ? [lastSecond, 3] : [lastTop, 2];
      const { body, html } = bodies[i % bodies.length] ?? { body: "", html: "" };
      const author = authors[i % authors.length] ?? authors[0];
      const anonymous = i % 3 === 0 ? 1 : 0;
      const score = (i * 7919) % 97;
      // Random ids, as the comments module gives them (ADR 31); a millisecond apart, in order.
      const id = randomRowId();
      insert.run(id, thread.id, parent, depth, author.id, anonymous, body, html, score, start + i);
      if (depth === 1) {
        top++;
        lastTop = id;
        lastSecond = 0;
      } else if (depth === 2) lastSecond = id;
    }
    sqlite
      .prepare("update comment_threads set comment_count = ?, top_level_count = ? where id = ?")
      .run(total, top, thread.id);
    sqlite
      .prepare(
        "update comments set reply_count = (select count(*) from comments r where r.parent_id = comments.id) where thread_id = ?",
      )
      .run(thread.id);
  })();
}
