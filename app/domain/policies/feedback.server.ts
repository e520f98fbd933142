import { and, desc, eq, inArray } from "drizzle-orm";
import { type Executor, getDb } from "../../../db/client";
import {
  people,
  policies,
  policyFeedback,
  policyFeedbackReplies,
  policyOwners,
  policyVersions,
} from "../../../db/schema";
import { unusedRowId } from "../../platform/anonymity/random-ids.server";
import { renderMarkdown } from "../../platform/content/markdown.server";
import { Refusal } from "../../platform/refusal";
import { say } from "../../platform/said";
import { enforceRateLimits } from "../../platform/security/rate-limits.server";
import { HOUR_MS, startOfDay } from "../../platform/time";
import { can } from "../identity/permissions.server";
import type { User } from "../identity/sessions.server";
import { FEEDBACK_LIMITS } from "./feedback-forms";
import { versionInForce } from "./registry.server";

/**
 * Private feedback on policies, to their owners, sent with the author's name. Anonymous feedback has
 * no author at all and is sent from the browser without a session (anonymous-feedback.server.ts).
 */

export class FeedbackError extends Refusal {}

export const FEEDBACK_RATE_LIMIT = { limit: 5, windowMs: HOUR_MS };

export const dayOf = (date: Date) => new Date(startOfDay(date.getTime()));

export function isPolicyOwner(exec: Executor, policyId: number, user: User): boolean {
  return Boolean(
    exec
      .select({ id: policyOwners.personId })
      .from(policyOwners)
      .where(and(eq(policyOwners.policyId, policyId), eq(policyOwners.personId, user.id)))
      .get(),
  );
}

/** Owners read and answer their policy's feedback; admins can too (a policy may have no owner yet). */
export function canReadFeedback(policyId: number, user: User, exec: Executor = getDb()): boolean {
  return can(user, "view:admin") || isPolicyOwner(exec, policyId, user);
}

/** Why this person may not read the policy's feedback, or null when they may. */
export function readerRefusal(policyId: number, user: User, exec: Executor = getDb()): FeedbackError | null {
  return canReadFeedback(policyId, user, exec)
    ? null
    : new FeedbackError(say("server.policy.feedbackForOwners"), 403);
}

export function requireReader(exec: Executor, policyId: number, user: User): void {
  const refusal = readerRefusal(policyId, user, exec);
  if (refusal) throw refusal;
}

export async function sendFeedback(
  policyId: number,
  input: { body: string; rating?: number; anonymous: boolean },
  user: User,
  now = Date.now(),
): Promise<number> {
  await enforceRateLimits(
    [[`feedback:${user.id}`, FEEDBACK_RATE_LIMIT]],
    "server.policy.feedbackTooOften",
    now,
  );
  if (input.anonymous) {
    throw new FeedbackError(say("server.policy.anonymousNeedsJavaScript"));
  }
  if (input.body.length > FEEDBACK_LIMITS.body) throw new FeedbackError(say("server.policy.atMost5000"));
  const bodyHtml = renderMarkdown(input.body);
  return getDb().transaction(
    (tx) => {
      const policy = tx.select({ id: policies.id }).from(policies).where(eq(policies.id, policyId)).get();
      if (!policy) throw new FeedbackError(say("server.policy.noSuchPolicy"), 404);
      const version = versionInForce(policyId, now);
      if (input.rating !== undefined && !version)
        throw new FeedbackError(say("server.policy.noVersionInForce"));
      return tx
        .insert(policyFeedback)
        .values({
          id: unusedRowId(tx, "policy_feedback"),
          policyId,
          versionId: version?.id ?? null,
          authorId: user.id,
          anonymous: false,
          body: input.body,
          bodyHtml,
          rating: input.rating ?? null,
          createdAt: new Date(now),
          updatedAt: new Date(now),
        })
        .returning({ id: policyFeedback.id })
        .get().id;
    },
    { behavior: "immediate" },
  );
}

export function repliesFor(feedbackIds: number[]) {
  if (!feedbackIds.length)
    return new Map<number, { id: number; bodyHtml: string; createdAt: Date; by: string }[]>();
  const rows = getDb()
    .select({
      id: policyFeedbackReplies.id,
      feedbackId: policyFeedbackReplies.feedbackId,
      bodyHtml: policyFeedbackReplies.bodyHtml,
      createdAt: policyFeedbackReplies.createdAt,
      by: people.name,
    })
    .from(policyFeedbackReplies)
    .innerJoin(people, eq(people.id, policyFeedbackReplies.authorId))
    .where(inArray(policyFeedbackReplies.feedbackId, feedbackIds))
    .orderBy(policyFeedbackReplies.id)
    .all();
  const byFeedback = new Map<number, { id: number; bodyHtml: string; createdAt: Date; by: string }[]>();
  for (const { feedbackId, by, ...reply } of rows) {
    const list = byFeedback.get(feedbackId) ?? [];
    list.push({ ...reply, by: by ?? "A policy owner" });
    byFeedback.set(feedbackId, list);
  }
  return byFeedback;
}

/** Feedback as its sender reads it: the item, its policy and the version it was about. */
export function senderView() {
  return getDb()
    .select({
      id: policyFeedback.id,
      anonymous: policyFeedback.anonymous,
      bodyHtml: policyFeedback.bodyHtml,
      rating: policyFeedback.rating,
      status: policyFeedback.status,
      createdAt: policyFeedback.createdAt,
      policyTitle: policies.title,
      policySlug: policies.slug,
      version: policyVersions.version,
    })
    .from(policyFeedback)
    .innerJoin(policies, eq(policies.id, policyFeedback.policyId))
    .leftJoin(policyVersions, eq(policyVersions.id, policyFeedback.versionId));
}

/** The author's own named feedback with owners' replies (anonymous feedback: the digest of replies). */
export function myFeedback(user: User) {
  const rows = senderView()
    .where(eq(policyFeedback.authorId, user.id))
    .orderBy(desc(policyFeedback.createdAt), desc(policyFeedback.id))
    .limit(200)
    .all();
  const replies = repliesFor(rows.map((r) => r.id));
  return rows.map((row) => ({ ...row, replies: replies.get(row.id) ?? [] }));
}
