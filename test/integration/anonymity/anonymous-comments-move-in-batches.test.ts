import { beforeEach, describe, expect, it } from "vitest";
import { getConfig } from "../../../app/config.server";
import { heldCommentCount, publishHeldComments } from "../../../app/domain/discussion/batches.server";
import { forgetAnonymousAuthors } from "../../../app/domain/discussion/forgetting.server";
import { hideComment } from "../../../app/domain/discussion/moderation.server";
import { deleteComment, editComment, postComment } from "../../../app/domain/discussion/posting.server";
import { discussionActivity } from "../../../app/domain/discussion/queue.server";
import {
  type CommentView,
  listRevisions,
  loadComment,
  loadThread,
} from "../../../app/domain/discussion/thread.server";
import type { User } from "../../../app/domain/identity/sessions.server";
import { transitionPetition } from "../../../app/domain/petitions/lifecycle.server";
import { resetRateLimits } from "../../../app/platform/security/rate-limits.server";
import { DAY_MS, HOUR_MS, MINUTE_MS, startOfDay } from "../../../app/platform/time";
import * as commentRoute from "../../../app/routes/comments.$commentId";
import * as discussionRoute from "../../../app/routes/discussions.$subjectType.$subjectId";
import * as petitionRoute from "../../../app/routes/petitions.$slug._index";
import * as dashboardRoute from "../../../app/routes/petitions.$slug.dashboard";
import { getDb } from "../../../db/client";
import { readOutcome } from "../../support/action-routes";
import { flatten, refused, subjectOf } from "../../support/comments";
import { callRoute } from "../../support/fixtures";
import { makeCompany, openPetition } from "../../support/petition-fixtures";

/**
 * Public counters of anonymous comments move in batches. A viewer
 * who polls a thread every minute used to see an anonymous comment (and the thread's counts, its
 * parent's reply count, the organizer's numbers, the reply email) appear the minute it was posted,
 * and could line it up with the same person's named comment a minute before. Now an anonymous
 * comment is held until its thread's batch (discussion/batches.server.ts).
 */

const company = makeCompany(30);
const staff = company.member;
const { moderator } = company;
const rule = getConfig().anonymousBatch;
const SIZE = rule.minSize;

beforeEach(() => resetRateLimits());

const post = (petitionId: number, user: User, body: string, anonymous: boolean, at: number) => {
  resetRateLimits();
  return postComment(subjectOf(petitionId), { body, anonymous }, user, at);
};
const replyTo = (parentId: number, user: User, body: string, anonymous: boolean, at: number) => {
  resetRateLimits();
  return postComment(null, { body, anonymous, parentId }, user, at);
};

const replyMail = () =>
  getDb()
    .$client.prepare<[], { n: number }>("select count(*) as n from outbox where kind = 'comment.reply'")
    .get()?.n ?? 0;

describe("the poller's attack", () => {
  it("moves no comment and no counter at an anonymous comment's posting minute, nor when the thread holds the batch size: only at the next fixed boundary", async () => {
    // The rule as configured (ANONYMOUS_BATCH_SIZE, ANONYMOUS_BATCH_MINUTES): a batch of one would
    // say nothing here.
    expect(SIZE).toBeGreaterThan(1);
    const petition = openPetition(company, "Let staff see what the keystroke logger keeps");
    // openPetition's creator.
    const organizer = staff(0);
    const subject = subjectOf(petition.id);
    // Three days ago from 09:00, minute by minute (the minute job's clock and the posters').
    const minute = (m: number) => startOfDay(Date.now()) - 3 * DAY_MS + 9 * HOUR_MS + m * MINUTE_MS;
    const answered = staff(11);
    const parent = await post(
      petition.id,
      answered,
      "How long does the logger keep what we type?",
      false,
      minute(-5),
    );
    const target = staff(10);
    const viewer = staff(12);
    const anonymousBodies: string[] = [];

    /** What a viewer (and the organizer) can read: the pages' loader data, as the browser gets it. */
    async function look() {
      const thread = (await (
        await callRoute(discussionRoute, "loader", viewer, `/discussions/petition/${petition.id}`, {
          subjectType: "petition",
          subjectId: String(petition.id),
        })
      ).json()) as { thread: { commentCount: number; topLevelCount: number }; comments: CommentView[] };
      const page = await (
        await callRoute(petitionRoute, "loader", viewer, `/petitions/${petition.slug}`, {
          slug: petition.slug,
        })
      ).text();
      const parentPage = (await (
        await callRoute(commentRoute, "loader", viewer, `/comments/${parent}`, { commentId: String(parent) })
      ).json()) as { comment: CommentView };
      const dashboard = (await (
        await callRoute(dashboardRoute, "loader", organizer, `/petitions/${petition.slug}/dashboard`, {
          slug: petition.slug,
        })
      ).json()) as { dashboard: { discussion: { total: number } } };
      const texts = [JSON.stringify(thread), page, JSON.stringify(parentPage), JSON.stringify(dashboard)];
      return {
        ids: flatten(thread.comments)
          .map((c) => c.id)
          .sort(),
        commentCount: thread.thread.commentCount,
        topLevelCount: thread.thread.topLevelCount,
        replyCount: parentPage.comment.replyCount,
        parentReplies: parentPage.comment.replies.map((r) => r.id),
        dashboard: dashboard.dashboard.discussion,
        replyMail: replyMail(),
        anonymousShown: anonymousBodies.filter((body) => texts.some((t) => t.includes(body))).length,
      };
    }

    // Minute 0: the target's named comment. Minute 1: their anonymous reply to a colleague. Then a
    // colleague's anonymous comment every other minute, until the thread holds the batch size.
    const polls: Awaited<ReturnType<typeof look>>[] = [];
    // The thread holds the batch size at this minute, but its batch is the next boundary's.
    const fullMinute = 1 + 2 * (SIZE - 1);
    const batchMinute = Math.ceil((fullMinute * MINUTE_MS) / rule.periodMs) * (rule.periodMs / MINUTE_MS);
    expect(batchMinute).toBeGreaterThan(fullMinute);
    let heldId = 0;
    for (let m = 0; m <= batchMinute + 3; m++) {
      if (m === 0)
        await post(
          petition.id,
          target,
          "I am on the platform team, and I think it is too much.",
          false,
          minute(m),
        );
      if (m === 1) {
        anonymousBodies.push("The logger keeps everything for a year, screenshots included.");
        heldId = await replyTo(parent, target, anonymousBodies[0] ?? "", true, minute(m));
      }
      if (m > 1 && m % 2 === 1 && anonymousBodies.length < SIZE) {
        const body = `Anonymous colleague number ${anonymousBodies.length}.`;
        anonymousBodies.push(body);
        await post(petition.id, staff(13 + anonymousBodies.length), body, true, minute(m));
      }
      // The minute scheduler's run, then the poller's look.
      publishHeldComments(minute(m));
      polls.push(await look());

      if (m === 1) {
        // The author sees theirs, marked as waiting; nobody else can reach it.
        const own = flatten(loadThread(subject, target, { sort: "oldest", page: 1 })?.comments ?? []).find(
          (c) => c.id === heldId,
        );
        expect(own).toMatchObject({ held: true, mine: true, anonymous: true, authorName: null });
        expect(loadComment(heldId, target)?.comment.held).toBe(true);
        for (const other of [viewer, answered, moderator, organizer])
          expect(loadComment(heldId, other)).toBeNull();
        const page = await callRoute(commentRoute, "loader", viewer, `/comments/${heldId}`, {
          commentId: String(heldId),
        });
        expect(page.status).toBe(404);
        const attempts: Record<string, string>[] = [
          { intent: "reply", body: "Who wrote this?" },
          { intent: "vote", up: "1" },
          { intent: "report", reason: "spam" },
        ];
        for (const fields of attempts) {
          const outcome = await callRoute(
            commentRoute,
            "action",
            viewer,
            `/comments/${heldId}`,
            { commentId: String(heldId) },
            fields,
          );
          expect(outcome.status, fields.intent).toBe(404);
        }
        const hide = await callRoute(
          commentRoute,
          "action",
          moderator,
          `/comments/${heldId}`,
          { commentId: String(heldId) },
          { intent: "hide", reason: "Looking" },
        );
        expect(hide.status).toBe(404);
        expect(() => hideComment(heldId, "Looking", moderator)).toThrowError(/no such comment/);
        // Not even its author can answer it before it is published.
        await refused(() => replyTo(heldId, target, "Adding to myself", false, minute(m)), 409);
      }
    }

    // Nothing moved at the anonymous reply's minute, nor at any minute but the batch's.
    const before = polls[0];
    for (let m = 1; m < batchMinute; m++) expect(polls[m], `minute ${m}`).toEqual(before);
    expect(before?.anonymousShown).toBe(0);
    expect(before?.replyCount).toBe(0);
    const batch = polls[batchMinute];
    expect(batch?.anonymousShown).toBe(SIZE);
    expect((batch?.commentCount ?? 0) - (before?.commentCount ?? 0)).toBe(SIZE);
    expect((batch?.topLevelCount ?? 0) - (before?.topLevelCount ?? 0)).toBe(SIZE - 1);
    expect(batch?.replyCount).toBe(1);
    expect(batch?.parentReplies).toContain(heldId);
    expect((batch?.dashboard.total ?? 0) - (before?.dashboard.total ?? 0)).toBe(SIZE);
    // The reply email to the answered colleague was queued with the batch, not at the reply.
    expect((batch?.replyMail ?? 0) - (before?.replyMail ?? 0)).toBe(1);
    const mail = getDb()
      .$client.prepare<[string], { subject: string }>(
        "select subject from outbox where kind = 'comment.reply' and to_address = ?",
      )
      .all(answered.email);
    expect(mail.map((m) => m.subject)).toEqual([
      `A verified colleague replied to your comment on “${petition.title}”`,
    ]);
    for (let m = batchMinute + 1; m < polls.length; m++) expect(polls[m], `minute ${m}`).toEqual(batch);
    expect(discussionActivity(subject, minute(batchMinute)).total).toBe(SIZE + 2);
    expect(heldCommentCount()).toBe(0);

    // Published: anyone may answer it now.
    expect(loadComment(heldId, viewer)?.comment).toMatchObject({ held: false, anonymous: true });
  });
});

describe("the batch job", () => {
  it("publishes once per period, at its first run, and a lone comment at the first run after its day", async () => {
    expect(rule.periodMs).toBeGreaterThanOrEqual(5 * MINUTE_MS);
    const petition = openPetition(company, "Let staff switch the logger off in private calls");
    const base = startOfDay(Date.now()) - 5 * DAY_MS + 9 * HOUR_MS;
    for (let i = 0; i < SIZE; i++) await post(petition.id, staff(1 + i), `First batch ${i}`, true, base);
    expect(publishHeldComments(base + MINUTE_MS)).toBe(SIZE);
    // As many again a minute later: the thread had its batch this period.
    for (let i = 0; i < SIZE; i++)
      await post(petition.id, staff(10 + i), `Second batch ${i}`, true, base + 2 * MINUTE_MS);
    const nextPeriod = base + MINUTE_MS - ((base + MINUTE_MS) % rule.periodMs) + rule.periodMs;
    expect(publishHeldComments(nextPeriod - MINUTE_MS)).toBe(0);
    expect(publishHeldComments(nextPeriod)).toBe(SIZE);

    // A quiet thread's one anonymous comment: published by the first run after its day ends.
    const quiet = openPetition(company, "Let staff read the logger's contract");
    const evening = startOfDay(Date.now()) - 3 * DAY_MS + 22 * HOUR_MS;
    const lone = await post(quiet.id, staff(20), "Alone in this thread", true, evening);
    expect(publishHeldComments(evening + 119 * MINUTE_MS)).toBe(0);
    expect(loadComment(lone, staff(21))).toBeNull();
    expect(publishHeldComments(evening + 2 * HOUR_MS)).toBe(1);
    expect(loadComment(lone, staff(21))?.comment.held).toBe(false);
    // Idempotent.
    expect(publishHeldComments(evening + 2 * HOUR_MS)).toBe(0);
  });

  it("lets the author edit a held comment (keeping no earlier text) and delete it (leaving nothing)", async () => {
    const petition = openPetition(company, "Let staff delete their logs");
    const at = startOfDay(Date.now()) - DAY_MS + 10 * HOUR_MS;
    const author = staff(5);
    const id = await post(petition.id, author, "First words", true, at);
    await editComment(id, "Better words", author, at + MINUTE_MS);
    expect(loadComment(id, author)?.comment).toMatchObject({
      held: true,
      source: "Better words",
      editedAt: null,
    });
    expect(listRevisions(id, moderator)).toEqual([]);
    await refused(() => editComment(id, "Someone else's words", staff(6)), 404);
    const gone = await post(petition.id, author, "Second thoughts", true, at);
    await refused(() => Promise.resolve(deleteComment(gone, staff(6))), 404);
    deleteComment(gone, author);
    expect(getDb().$client.prepare("select count(*) as n from comments where id = ?").get(gone)).toEqual({
      n: 0,
    });
    publishHeldComments(Date.now() + DAY_MS);
    const thread = loadThread(subjectOf(petition.id), staff(6), { sort: "oldest", page: 1 });
    expect(thread?.thread.commentCount).toBe(1);
    expect(flatten(thread?.comments ?? []).map((c) => c.id)).toEqual([id]);
  });

  it("keeps a held comment's author until it is published, even past the forgetting time or with its petition archived; nothing flushes it early", async () => {
    const authorOf = (id: number) =>
      getDb()
        .$client.prepare<[number], { author_id: number | null; held: number }>(
          "select author_id, held from comments where id = ?",
        )
        .get(id);
    const old = openPetition(company, "Let staff see old logs");
    const longAgo = startOfDay(Date.now()) - 40 * DAY_MS + 9 * HOUR_MS;
    const oldId = await post(old.id, staff(7), "Written long ago", true, longAgo);
    const closing = openPetition(company, "Let staff see the logger's settings");
    const now = Date.now();
    const closingId = await post(closing.id, staff(8), "Written just before the close", true, now);
    transitionPetition(closing.id, { action: "close" }, moderator);
    transitionPetition(closing.id, { action: "archive" }, moderator);
    // The close and the archive published nothing (a flush on demand would date a batch of one).
    expect(authorOf(closingId)).toEqual({ author_id: staff(8).id, held: 1 });
    forgetAnonymousAuthors(now);
    expect(authorOf(oldId)).toEqual({ author_id: staff(7).id, held: 1 });
    expect(authorOf(closingId)).toEqual({ author_id: staff(8).id, held: 1 });
    // The minute job publishes the old one at once (it waited 24 hours); the other after its day.
    publishHeldComments(now);
    expect(authorOf(oldId)?.held).toBe(0);
    expect(authorOf(closingId)?.held).toBe(1);
    forgetAnonymousAuthors(now);
    expect(authorOf(oldId)).toEqual({ author_id: null, held: 0 });
    publishHeldComments(now + DAY_MS);
    forgetAnonymousAuthors(now + DAY_MS);
    expect(authorOf(closingId)).toEqual({ author_id: null, held: 0 });
  });
});

describe("the forms without JavaScript", () => {
  it("say the comment will appear with the next batch", async () => {
    const petition = openPetition(company, "Let staff see who reads the logs");
    const author = staff(9);
    const posted = await readOutcome(
      await callRoute(
        discussionRoute,
        "action",
        author,
        `/discussions/petition/${petition.id}`,
        { subjectType: "petition", subjectId: String(petition.id) },
        { intent: "post", body: "Posted without JavaScript", anonymous: "on" },
      ),
    );
    expect(posted.status).toBe(302);
    expect(posted.flash?.message).toMatch(/next batch of anonymous comments \(at most 24 hours\)/);
    const parent = await post(petition.id, staff(10), "A named comment", false, Date.now());
    const replied = await readOutcome(
      await callRoute(
        commentRoute,
        "action",
        author,
        `/comments/${parent}`,
        { commentId: String(parent) },
        { intent: "reply", body: "Replied without JavaScript", anonymous: "on" },
      ),
    );
    expect(replied.status).toBe(302);
    expect(replied.flash?.message).toMatch(/next batch of anonymous comments/);
    // A named one is posted at once, as before.
    const named = await readOutcome(
      await callRoute(
        discussionRoute,
        "action",
        author,
        `/discussions/petition/${petition.id}`,
        { subjectType: "petition", subjectId: String(petition.id) },
        { intent: "post", body: "Posted with my name" },
      ),
    );
    expect(named.flash?.message).toBe("Your comment is posted.");
    const own = flatten(
      loadThread(subjectOf(petition.id), author, { sort: "oldest", page: 1 })?.comments ?? [],
    );
    expect(own.filter((c) => c.held).map((c) => c.source)).toEqual(
      expect.arrayContaining(["Posted without JavaScript", "Replied without JavaScript"]),
    );
    const others = flatten(
      loadThread(subjectOf(petition.id), staff(11), { sort: "oldest", page: 1 })?.comments ?? [],
    );
    expect(others.map((c) => c.authorName)).toEqual(["Staff Member 11", "Staff Member 10"]);
  });
});
