import { sql } from "drizzle-orm";
import { type Executor, getDb } from "../../../db/client";
import { getSettings } from "../../platform/site/settings.server";
import { DAY_MS } from "../../platform/time";

/**
 * Forgetting who wrote anonymous comments: the link is kept only while the author can still edit or
 * delete theirs, and deleted once the discussion closes (its petition archived or hidden) or after the
 * setting's number of days. The minute scheduler runs it; secure_delete zeroes what it overwrites
 * and the WAL is checkpointed after (platform/forgetting.server.ts).
 */
/** What forgetting writes: every forgotten comment ends the same, whichever path forgot it. */
const FORGOTTEN = sql`author_id = null, emails_author = 0`;

export function forgetAnonymousAuthors(now = Date.now()): number {
  const cutoff = now - getSettings().anonymousAuthorDays * DAY_MS;
  // Reply and "hidden" emails to commenters (anonymous ones among them, who asked for replies) name
  // their recipient beside the comment: once delivered, nothing needs them, so they go first.
  const delivered = getDb().run(sql`delete from outbox
    where kind in ('comment.reply', 'comment.hidden') and status in ('sent', 'failed')`).changes;
  return (
    delivered +
    // A held comment keeps its author until its batch publishes it (batches.server.ts; at most 24
    // hours): the batch needs them to tell who answered whom, and they may still delete it.
    getDb().run(sql`update comments set ${FORGOTTEN}
    where anonymous = 1 and author_id is not null and held = 0 and (
      created_at < ${cutoff}
      or thread_id in (
        select t.id from comment_threads t join petitions p on t.subject_type = 'petition' and t.subject_id = p.id
        where p.state not in ('open', 'closed') or p.hidden_at is not null))`).changes
  );
}

/**
 * Forgets one person's anonymous comments at once (their erasure, people/erasure.server.ts), held
 * ones too: a held comment's batch publishes it with no author as it does any forgotten reply's.
 */
export function forgetAnonymousAuthorOf(exec: Executor, personId: number): number {
  return exec.run(sql`update comments set ${FORGOTTEN} where anonymous = 1 and author_id = ${personId}`)
    .changes;
}

/** When an anonymous comment stops being its author's: what the comment form tells them. */
export function anonymousAuthorForgottenAfterDays(): number {
  return getSettings().anonymousAuthorDays;
}
