import { and, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import {
  dismissReports,
  hideComment,
  restoreComment,
  setThreadLock,
} from "../../app/domain/discussion/moderation.server";
import { deleteComment, editComment, postComment } from "../../app/domain/discussion/posting.server";
import { reportedComments } from "../../app/domain/discussion/queue.server";
import { reportComment, setVote } from "../../app/domain/discussion/reactions.server";
import { COMMENT_LIMITS } from "../../app/domain/discussion/rules.server";
import {
  type CommentView,
  listRevisions,
  loadComment,
  loadThread,
} from "../../app/domain/discussion/thread.server";
import { grantRole } from "../../app/domain/identity/permissions.server";
import type { User } from "../../app/domain/identity/sessions.server";
import { requestSignIn } from "../../app/domain/identity/sign-in.server";
import { transitionPetition } from "../../app/domain/petitions/lifecycle.server";
import { answerInvitation, inviteOrganizer } from "../../app/domain/petitions/organizers.server";
import { signPetition, withdrawSignature } from "../../app/domain/petitions/signing.server";
import { listAuditEntries } from "../../app/platform/audit.server";
import {
  emailPreferences,
  parseUnsubscribeToken,
  unsubscribeToken,
} from "../../app/platform/email-preferences.server";
import { listOutbox } from "../../app/platform/outbox.server";
import { resetRateLimits } from "../../app/platform/rate-limits.server";
import { Refusal } from "../../app/platform/refusal";
import { DEFAULT_SETTINGS, getMilestoneDefaults, updateSettings } from "../../app/platform/settings.server";
import { DAY_MS } from "../../app/platform/time";
import * as commentRoute from "../../app/routes/comments.$commentId";
import * as discussionRoute from "../../app/routes/discussions.$subjectType.$subjectId";
import * as petitionRoute from "../../app/routes/petitions.$slug._index";
import * as unsubscribeRoute from "../../app/routes/unsubscribe.$token";
import { EMAIL_TOPICS } from "../../app/vocabulary/email-topics";
import { getDb } from "../../db/client";
import { comments, outbox } from "../../db/schema";
import { signAnonymously } from "../support/anonymous";
import { generateThread } from "../support/big-thread";
import { publishAnonymousComments } from "../support/comment-batches";
import { callRoute, TEST_BASE_URL } from "../support/fixtures";
import { draftPetition, makeCompany, openPetition } from "../support/petition-fixtures";
import { unsafeParts, XSS_PAYLOADS } from "../support/xss-payloads";

const company = makeCompany(30);
const staff = company.member;
const organizer = staff(0);
const { moderator, leader } = company;
const admin = staff(29);
grantRole(admin.id, "admin", { id: null, label: "cli" });
admin.roles = ["admin"];

beforeEach(() => resetRateLimits());

const subjectOf = (petitionId: number) => ({ type: "petition" as const, id: petitionId });
const post = (petitionId: number, user: User, body = "A comment", anonymous = false, now = Date.now()) =>
  postComment(subjectOf(petitionId), { body, anonymous }, user, now);
const reply = (parentId: number, user: User, body = "A reply", anonymous = false) =>
  postComment(null, { body, anonymous, parentId }, user);
const commentRow = (id: number) => getDb().select().from(comments).where(eq(comments.id, id)).get();

async function refused(fn: () => unknown, status: number, message?: RegExp) {
  try {
    await fn();
  } catch (error) {
    expect(error).toBeInstanceOf(Refusal);
    expect((error as Refusal).status).toBe(status);
    if (message) expect((error as Refusal).message).toMatch(message);
    return;
  }
  throw new Error("expected a refusal");
}

const flatten = (views: CommentView[]): CommentView[] => views.flatMap((v) => [v, ...flatten(v.replies)]);

// ---- Calling the real routes (as the server would) ---------------------------------------------

const BASE = TEST_BASE_URL;

const commentAction = (as: User | null, id: number, fields: Record<string, string>) =>
  callRoute(commentRoute, "action", as, `/comments/${id}`, { commentId: String(id) }, fields);
const discussionAction = (as: User | null, petitionId: number, fields: Record<string, string>) =>
  callRoute(
    discussionRoute,
    "action",
    as,
    `/discussions/petition/${petitionId}`,
    {
      subjectType: "petition",
      subjectId: String(petitionId),
    },
    fields,
  );

describe("posting and nesting", () => {
  it("nests replies to depth 3; a deeper reply sits beside its parent, quoting who it answers", async () => {
    const petition = openPetition(company);
    const top = await post(petition.id, staff(5), "Top level");
    const second = await reply(top, staff(6), "Second level");
    const third = await reply(second, staff(7), "Third level");
    const fourth = await reply(third, staff(8), "Would be fourth");
    expect(commentRow(top)).toMatchObject({ depth: 1, parentId: null });
    expect(commentRow(second)).toMatchObject({ depth: 2, parentId: top });
    expect(commentRow(third)).toMatchObject({ depth: 3, parentId: second });
    expect(commentRow(fourth)).toMatchObject({ depth: 3, parentId: second, inReplyToId: third });
    expect(commentRow(second)?.replyCount).toBe(2);

    const thread = loadThread(subjectOf(petition.id), staff(9), { sort: "oldest", page: 1 });
    expect(thread?.thread).toMatchObject({ commentCount: 4, topLevelCount: 1, canPost: true });
    const [first] = thread?.comments ?? [];
    expect(first?.replies[0]?.replies.map((r) => r.id)).toEqual([third, fourth]);
    expect(first?.replies[0]?.replies[1]?.inReplyTo).toEqual({
      id: third,
      authorName: "Staff Member 8",
      excerpt: "Third level",
    });
  });

  it("marks comments by the petition's organizers and by leadership as official, never anonymous ones", async () => {
    const petition = openPetition(company);
    const byOrganizer = await post(petition.id, organizer, "From the organizer");
    const byLeader = await post(petition.id, leader, "From leadership");
    const byLeaderAnonymously = await post(petition.id, leader, "Anonymous leader", true);
    const byStaff = await post(petition.id, staff(10), "From staff");
    expect(commentRow(byOrganizer)?.official).toBe(true);
    expect(commentRow(byLeader)?.official).toBe(true);
    expect(commentRow(byLeaderAnonymously)?.official).toBe(false);
    expect(commentRow(byStaff)?.official).toBe(false);
  });

  it("pages the top level 20 at a time in each sort", async () => {
    const petition = openPetition(company);
    const ids: number[] = [];
    // A millisecond apart: ids are random (ADR 31), so comments made in the same millisecond order by
    // their ids, not by the order they were posted in.
    const start = Date.now() - 60_000;
    for (let i = 0; i < 25; i++) {
      resetRateLimits();
      ids.push(
        await postComment(
          subjectOf(petition.id),
          { body: `Comment ${i}`, anonymous: false },
          staff(5 + (i % 10)),
          start + i,
        ),
      );
    }
    resetRateLimits();
    await setVote(ids[3] ?? 0, true, staff(20));
    await setVote(ids[3] ?? 0, true, staff(21));
    await setVote(ids[7] ?? 0, true, staff(20));
    const view = (sort: "top" | "newest" | "oldest", page = 1) =>
      loadThread(subjectOf(petition.id), null, { sort, page });
    expect(view("oldest")?.comments.map((c) => c.id)).toEqual(ids.slice(0, 20));
    expect(view("oldest", 2)?.comments.map((c) => c.id)).toEqual(ids.slice(20));
    expect(view("newest")?.comments[0]?.id).toBe(ids[24]);
    expect(
      view("top")
        ?.comments.slice(0, 2)
        .map((c) => c.id),
    ).toEqual([ids[3], ids[7]]);
    expect(view("top")?.pageCount).toBe(2);
    // A page past the end shows the last page.
    expect(view("oldest", 9)?.page).toBe(2);
  });

  it("shows the first five top-level comments of the sort on the petition page, each with its first reply, and links to the whole discussion", async () => {
    const petition = openPetition(company);
    const ids: number[] = [];
    // A second apart: two in the same millisecond would tie, and ties go by random id (ADR 0031).
    const start = Date.now() - 60_000;
    for (let i = 0; i < 8; i++) {
      resetRateLimits();
      ids.push(
        await postComment(
          subjectOf(petition.id),
          { body: `Comment ${i}`, anonymous: false },
          staff(5 + (i % 10)),
          start + i * 1_000,
        ),
      );
    }
    const firstId = ids[0] ?? 0;
    resetRateLimits();
    const replyAt = (parentId: number, user: User, body: string, at: number) =>
      postComment(null, { body, anonymous: false, parentId }, user, at);
    const firstReply = await replyAt(firstId, staff(20), "First reply", start + 10_000);
    const secondReply = await replyAt(firstId, staff(21), "Second reply", start + 11_000);
    await reply(firstReply, staff(22), "A reply to the first reply");

    const preview = loadThread(subjectOf(petition.id), null, { sort: "oldest", page: 1, preview: 5 });
    expect(preview?.comments.map((c) => c.id)).toEqual(ids.slice(0, 5));
    // One reply under each, and nothing below it.
    expect(preview?.comments[0]?.replies.map((r) => r.id)).toEqual([firstReply]);
    expect(preview?.comments[0]?.replies[0]?.replies).toEqual([]);
    expect(preview?.thread.commentCount).toBe(11);

    const loaded = await callRoute(
      petitionRoute,
      "loader",
      staff(9),
      `/petitions/${petition.slug}?sort=oldest`,
      {
        slug: petition.slug,
      },
    );
    expect(loaded.status).toBe(200);
    const data = (await loaded.json()) as { discussion: { comments: Array<{ id: number }> } };
    expect(data.discussion.comments.map((c) => c.id)).toEqual(ids.slice(0, 5));
    const text = JSON.stringify(data);
    expect(text).not.toContain(`"id":${secondReply},`);
    expect(text).not.toContain("Comment 5");

    // The whole discussion has them all, paged as before.
    const whole = loadThread(subjectOf(petition.id), null, { sort: "oldest", page: 1 });
    expect(whole?.comments.map((c) => c.id)).toEqual(ids);
    expect(flatten(whole?.comments ?? []).length).toBe(11);

    // An older link to a later page of the petition's comments goes to that page of the discussion.
    const later = await callRoute(
      petitionRoute,
      "loader",
      null,
      `/petitions/${petition.slug}?sort=top&page=2`,
      {
        slug: petition.slug,
      },
    );
    expect(later.status).toBe(302);
    expect(later.headers.get("Location")).toBe(
      `/discussions/petition/${petition.id}?sort=top&page=2#comments`,
    );
  });

  it("refuses empty and over-long comments with a 400 and changes nothing", async () => {
    const petition = openPetition(company);
    const before = getDb().select().from(comments).all().length;
    for (const body of ["", "   ", "x".repeat(5_001)]) {
      const response = await discussionAction(staff(5), petition.id, { intent: "post", body });
      expect(response.status).toBe(400);
    }
    const unknownIntent = await discussionAction(staff(5), petition.id, { intent: "explode" });
    expect(unknownIntent.status).toBe(400);
    expect(getDb().select().from(comments).all().length).toBe(before);
    const ok = await discussionAction(staff(5), petition.id, { intent: "post", body: "x".repeat(5_000) });
    expect(ok.status).toBe(302);
  });

  it("keeps discussion closed on petitions that are not open or closed, and 404s for those who cannot see them", async () => {
    const draft = draftPetition(organizer);
    await refused(() => post(draft.id, staff(5)), 404);
    await refused(() => post(draft.id, organizer), 409, /opens when the petition opens/);
    const petition = openPetition(company);
    await post(petition.id, staff(5));
    transitionPetition(petition.id, { action: "close" }, moderator);
    expect(await post(petition.id, staff(5), "Still talking after closing")).toBeGreaterThan(0);
    transitionPetition(petition.id, { action: "archive" }, moderator);
    await refused(() => post(petition.id, staff(5)), 409, /archived/);
  });

  it("rate-limits posting per person, anonymous or not", async () => {
    const petition = openPetition(company);
    const now = Date.now();
    for (let i = 0; i < 5; i++) await post(petition.id, staff(11), `Quick ${i}`, i % 2 === 0, now);
    await refused(() => post(petition.id, staff(11), "One too many", true, now), 429, /too often/);
  });
});

describe("anonymity", () => {
  it("never shows an anonymous author's name or email to anyone, in pages, loader data, queues or emails", async () => {
    const petition = openPetition(company);
    const secret = staff(12);
    const named = await post(petition.id, staff(13), "I am named");
    // Reply emails asked for (they are off by default for anonymous comments: issue 17).
    const anonymousId = await postComment(
      subjectOf(petition.id),
      { body: "I would rather not say who I am", anonymous: true, emailReplies: true },
      secret,
    );
    const anonymousReply = await reply(named, secret, "Anonymous reply", true);
    // Published with their thread's batch (held until then: test/integration/comment-batches.test.ts).
    publishAnonymousComments();
    await reply(anonymousId, staff(14), "Answering the anonymous one");
    await reportComment(anonymousId, { reason: "other", note: "Testing the queue" }, staff(15));
    hideComment(anonymousReply, "Off-topic", moderator);

    const viewers: Array<User | null> = [null, staff(16), organizer, moderator, leader, admin];
    for (const viewer of viewers) {
      const dumps = [
        JSON.stringify(loadThread(subjectOf(petition.id), viewer, { sort: "top", page: 1 })),
        JSON.stringify(loadComment(anonymousId, viewer)),
        JSON.stringify(loadComment(anonymousReply, viewer)),
      ];
      for (const route of [
        await callRoute(petitionRoute, "loader", viewer, `/petitions/${petition.slug}`, {
          slug: petition.slug,
        }),
        await callRoute(commentRoute, "loader", viewer, `/comments/${anonymousId}`, {
          commentId: String(anonymousId),
        }),
        await callRoute(discussionRoute, "loader", viewer, `/discussions/petition/${petition.id}`, {
          subjectType: "petition",
          subjectId: String(petition.id),
        }),
      ]) {
        expect(route.status).toBe(200);
        dumps.push(await route.text());
      }
      if (viewer === moderator) dumps.push(JSON.stringify(reportedComments(moderator)));
      for (const dump of dumps) {
        expect(dump).not.toContain(secret.name ?? "??");
        expect(dump).not.toContain(secret.email);
        expect(dump).not.toContain(`"authorId"`);
      }
    }
    // The author alone sees that it is theirs.
    const own = loadComment(anonymousId, secret);
    expect(own?.comment).toMatchObject({ mine: true, authorName: null, anonymous: true });
    expect(loadComment(anonymousId, staff(16))?.comment.mine).toBe(false);

    // The reply email reaches the anonymous author; the admin outbox does not say who got it.
    const replyMail = getDb()
      .select()
      .from(outbox)
      .where(and(eq(outbox.kind, "comment.reply"), eq(outbox.toAddress, secret.email)))
      .all();
    expect(replyMail).toHaveLength(1);
    expect(replyMail[0]?.textBody).toContain("Staff Member 15 replied");
    // Not a row at all (ADR 0032): counted by day and kind, once the day has ended.
    const outboxView = listOutbox({ page: 1 }, Date.now() + DAY_MS);
    expect(outboxView.messages.filter((m) => m.kind.startsWith("comment."))).toEqual([]);
    expect(outboxView.hidden.some((g) => g.kind === "comment.reply")).toBe(true);
    expect(JSON.stringify(outboxView)).not.toContain(secret.email);
    // Audit entries of moderation name the moderator, never the author.
    expect(JSON.stringify(listAuditEntries({ action: "comment.hide" }))).not.toContain(secret.email);
  });

  it("dates anonymous comments by day only", async () => {
    const petition = openPetition(company);
    // fixed clock: postComment is handed the time it posts at.
    const day = Date.UTC(2026, 3, 14);
    const at = day + (15 * 60 + 37) * 60_000 + 12_000;
    const id = await postComment(subjectOf(petition.id), { body: "When?", anonymous: true }, staff(12), at);
    expect(loadComment(id, staff(12))?.comment.createdAt).toBe(day);
    publishAnonymousComments();
    expect(loadComment(id, null)?.comment.createdAt).toBe(day);
    const named = await postComment(
      subjectOf(petition.id),
      { body: "When?", anonymous: false },
      staff(13),
      at,
    );
    // A named one to the minute, as the page shows it (loader data reaches the browser whole).
    expect(loadComment(named, null)?.comment.createdAt).toBe(at - (at % 60_000));
  });

  it("posts a signer's reason as their comment, with the signature's choice of anonymity", async () => {
    const petition = openPetition(company);
    await signAnonymously(petition.id, staff(17), { reason: "Privacy" });
    await signPetition({
      noAnonymousSignature: true,
      petitionId: petition.id,
      user: staff(18),

      reason: "Trust",
      ip: null,
    });
    const views = loadThread(subjectOf(petition.id), null, { sort: "oldest", page: 1 })?.comments ?? [];
    expect(views.map((v) => [v.authorName, v.anonymous])).toEqual([
      [null, true],
      ["Staff Member 19", false],
    ]);
  });

  it("posts reasons within the comment limits: signing, withdrawing and signing again cannot flood a thread", async () => {
    const petition = openPetition(company);
    const signer = staff(19);
    // Inside one minute's window of the limit, whatever the time of day.
    const at = Date.now() - (Date.now() % 60_000) + 60_000 + 1_000;
    for (let round = 0; round < 8; round++) {
      const signed = await signPetition(
        {
          noAnonymousSignature: true,
          petitionId: petition.id,
          user: signer,
          reason: `Reason ${round}`,
          ip: null,
        },
        at + round,
      );
      // The signature always counts; only the comment is left out past the limit, and the signer is told.
      expect(signed).toMatchObject({ reasonPosted: round < COMMENT_LIMITS.post.perMinute.limit });
      withdrawSignature(petition.id, signer, at + round);
    }
    const posted = loadThread(subjectOf(petition.id), null, { sort: "oldest", page: 1 })?.comments ?? [];
    expect(posted).toHaveLength(COMMENT_LIMITS.post.perMinute.limit);
    // The same person's own comment in that minute is refused like any sixth comment.
    await refused(
      () => postComment(subjectOf(petition.id), { body: "More", anonymous: false }, signer, at + 9),
      429,
    );
  });
});

describe("votes", () => {
  it("counts one upvote per person, however often or concurrently it is sent", async () => {
    const petition = openPetition(company);
    const id = await post(petition.id, staff(5));
    const voter = staff(6);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => commentAction(voter, id, { intent: "vote", up: "1" })),
    );
    expect(responses.every((r) => r.status === 302)).toBe(true);
    expect(commentRow(id)?.score).toBe(1);
    expect(await setVote(id, true, voter)).toBe(1);
    expect(await setVote(id, true, staff(7))).toBe(2);
    expect(await setVote(id, false, voter)).toBe(1);
    expect(await setVote(id, false, voter)).toBe(1);
    expect(loadComment(id, staff(7))?.comment.voted).toBe(true);
    expect(loadComment(id, voter)?.comment.voted).toBe(false);
    await refused(() => setVote(id, true, staff(5)), 403, /your own/);
  });
});

describe("editing and deleting", () => {
  it("keeps earlier versions for moderators and marks the comment edited", async () => {
    const petition = openPetition(company);
    const author = staff(8);
    const id = await post(petition.id, author, "First version");
    await editComment(id, "Second version", author);
    await editComment(id, "Third version", author);
    const view = loadComment(id, staff(9))?.comment;
    expect(view?.bodyHtml).toBe("<p>Third version</p>");
    expect(view?.editedAt).not.toBeNull();
    expect(listRevisions(id, moderator).map((r) => r.body)).toEqual(["First version", "Second version"]);
    await refused(() => listRevisions(id, staff(9)), 403);
    await refused(() => editComment(id, "Hijacked", staff(9)), 403, /Only the author/);
    const asStaff = await callRoute(commentRoute, "loader", staff(9), `/comments/${id}`, {
      commentId: String(id),
    });
    expect(((await asStaff.json()) as { revisions: unknown }).revisions).toBeNull();
    const asModerator = await callRoute(commentRoute, "loader", moderator, `/comments/${id}`, {
      commentId: String(id),
    });
    expect(((await asModerator.json()) as { revisions: unknown[] }).revisions).toHaveLength(2);
    // Only the author sees the source in their edit form.
    expect(loadComment(id, author)?.comment.source).toBe("Third version");
    expect(loadComment(id, staff(9))?.comment.source).toBeNull();
  });

  it("deletes softly: a placeholder keeps replies readable, and the text and its versions are gone", async () => {
    const petition = openPetition(company);
    const author = staff(8);
    const id = await post(petition.id, author, "Regrettable words");
    await editComment(id, "Still regrettable", author);
    const answer = await reply(id, staff(9), "A reply that stays");
    await refused(() => deleteComment(id, staff(9)), 403);
    deleteComment(id, author);
    expect(commentRow(id)).toMatchObject({ body: "", bodyHtml: "" });
    expect(listRevisions(id, moderator)).toEqual([]);
    const [view] = loadThread(subjectOf(petition.id), moderator, { sort: "top", page: 1 })?.comments ?? [];
    expect(view).toMatchObject({ id, state: "deleted", bodyHtml: null, authorName: null });
    expect(view?.replies.map((r) => r.id)).toEqual([answer]);
    await refused(() => reply(id, staff(10)), 409, /deleted/);
    await refused(() => editComment(id, "Back again", author), 409);
  });
});

describe("reports and moderation", () => {
  it("hides a comment at the configured number of reports, once per person, and the author still sees it", async () => {
    const petition = openPetition(company);
    const author = staff(10);
    const id = await post(petition.id, author, "Contested opinion");
    await reportComment(id, { reason: "spam" }, staff(11));
    await refused(() => reportComment(id, { reason: "spam" }, staff(11)), 409, /already reported/);
    await refused(() => reportComment(id, { reason: "spam" }, author), 403);
    await reportComment(id, { reason: "offensive" }, staff(12));
    expect(commentRow(id)?.hiddenAt).toBeNull();
    expect(await reportComment(id, { reason: "harassment", note: "Targets a colleague" }, staff(13))).toEqual(
      {
        hidden: true,
      },
    );
    expect(loadComment(id, staff(14))?.comment).toMatchObject({ state: "hidden", bodyHtml: null });
    expect(loadComment(id, author)?.comment).toMatchObject({
      state: "hidden",
      bodyHtml: "<p>Contested opinion</p>",
    });
    expect(loadComment(id, moderator)?.comment).toMatchObject({ openReports: 3, hiddenPendingReview: true });
    const queued = reportedComments(moderator).find((q) => q.comment.id === id);
    expect(queued?.reports.map((r) => r.reason)).toEqual(["spam", "offensive", "harassment"]);
    expect(JSON.stringify(queued)).not.toMatch(/Staff Member 1[234]/);
    expect(listAuditEntries({ action: "comment.auto-hide" }).entries.length).toBeGreaterThan(0);

    // Dismissing the reports shows it again.
    dismissReports(id, moderator);
    expect(loadComment(id, staff(14))?.comment.state).toBe("visible");
    expect(reportedComments(moderator).some((q) => q.comment.id === id)).toBe(false);
  });

  it("follows the threshold an admin sets", async () => {
    updateSettings({ ...DEFAULT_SETTINGS, commentReportThreshold: 1 }, getMilestoneDefaults(), {
      id: admin.id,
      email: admin.email,
    });
    try {
      const petition = openPetition(company);
      const id = await post(petition.id, staff(10));
      expect((await reportComment(id, { reason: "off_topic" }, staff(11))).hidden).toBe(true);
    } finally {
      updateSettings(DEFAULT_SETTINGS, getMilestoneDefaults(), { id: admin.id, email: admin.email });
    }
  });

  it("lets moderators hide (telling the author), restore and lock; all audited; nobody else may", async () => {
    const petition = openPetition(company);
    const author = staff(15);
    const id = await post(petition.id, author, "Something moderators dislike");
    for (const intent of ["hide", "restore", "dismiss"]) {
      const response = await commentAction(staff(16), id, { intent, reason: "Because" });
      expect(response.status).toBe(403);
    }
    expect(
      (await discussionAction(staff(16), petition.id, { intent: "lock", reason: "Calm down" })).status,
    ).toBe(403);
    expect((await commentAction(null, id, { intent: "vote", up: "1" })).status).toBe(302);
    expect(commentRow(id)?.score).toBe(0);

    await refused(() => hideComment(id, "Personal attack", staff(16)), 403);
    hideComment(id, "Personal attack", moderator);
    const mail = getDb()
      .select()
      .from(outbox)
      .where(and(eq(outbox.kind, "comment.hidden"), eq(outbox.toAddress, author.email)))
      .all();
    expect(mail).toHaveLength(1);
    expect(mail[0]?.textBody).toContain("Reason: Personal attack");
    expect(loadComment(id, staff(16))?.comment.bodyHtml).toBeNull();
    expect(loadComment(id, author)?.comment.hiddenReason).toBe("Personal attack");
    await refused(() => setVote(id, true, staff(16)), 409);
    restoreComment(id, moderator);
    expect(loadComment(id, staff(16))?.comment.state).toBe("visible");

    // A moderator does not review their own comment.
    const own = await post(petition.id, moderator, "Moderator speaking");
    await refused(() => hideComment(own, "Self", moderator), 403, /Another moderator/);

    setThreadLock(subjectOf(petition.id), { locked: true, reason: "Cooling off" }, moderator);
    await refused(() => post(petition.id, staff(16)), 409, /locked by a moderator: Cooling off/);
    await refused(() => reply(id, staff(16)), 409);
    await refused(() => editComment(id, "Edit while locked", author), 409);
    expect(loadThread(subjectOf(petition.id), null, { sort: "top", page: 1 })?.thread).toMatchObject({
      locked: { reason: "Cooling off" },
      canPost: false,
    });
    // The signing reason waits out the lock on the signature itself, and signing still works.
    const signed = await signPetition({
      noAnonymousSignature: true,
      petitionId: petition.id,
      user: staff(17),

      reason: "Locked but signing",
      ip: null,
    });
    expect(signed.receipt.seq).toBeGreaterThan(0);
    setThreadLock(subjectOf(petition.id), { locked: false }, moderator);
    expect(await post(petition.id, staff(16), "Back to talking")).toBeGreaterThan(0);

    const actions = listAuditEntries({ actorEmail: moderator.email }).entries.map((e) => e.action);
    for (const action of [
      "comment.hide",
      "comment.restore",
      "comment-thread.lock",
      "comment-thread.unlock",
    ]) {
      expect(actions).toContain(action);
    }
  });
});

describe("after a review", () => {
  it("dates an anonymous comment's earlier versions by day, even for moderators", async () => {
    const petition = openPetition(company);
    // fixed clock: postComment and editComment are handed their times.
    const day = Date.UTC(2026, 4, 2);
    const at = day + (10 * 60 + 11) * 60_000 + 12_000;
    const id = await postComment(subjectOf(petition.id), { body: "v1", anonymous: true }, staff(12), at);
    // Published first: nobody read a held comment's earlier text, so its edits keep none.
    publishAnonymousComments();
    await editComment(id, "v2", staff(12), at + 3_600_000);
    expect(listRevisions(id, moderator)).toEqual([
      { body: "v1", writtenAt: new Date(day), replacedAt: new Date(day) },
    ]);
  });

  it("dates a signer's reason by day (its exact time is the ledger entry's)", async () => {
    const petition = openPetition(company);
    // fixed clock: signPetition is handed the time it signs at.
    const day = Date.UTC(2026, 4, 3);
    const at = day + 9.5 * 3_600_000;
    await signPetition(
      { noAnonymousSignature: true, petitionId: petition.id, user: staff(19), reason: "Named", ip: null },
      at,
    );
    const [view] = loadThread(subjectOf(petition.id), null, { sort: "top", page: 1 })?.comments ?? [];
    expect(view).toMatchObject({
      authorName: "Staff Member 20",
      dayOnly: true,
      createdAt: day,
    });
  });

  it("keeps no trace of a deleted comment's author: no badge, no name in quotes", async () => {
    const petition = openPetition(company);
    const top = await post(petition.id, staff(6));
    const second = await reply(top, staff(7));
    const third = await reply(second, organizer, "Official words at depth 3");
    const fourth = await reply(third, staff(8), "Answering the organizer");
    deleteComment(third, organizer);
    expect(loadComment(third, null)?.comment).toMatchObject({
      official: false,
      authorName: null,
      state: "deleted",
    });
    expect(loadComment(fourth, null)?.comment.inReplyTo).toEqual({
      id: third,
      authorName: null,
      excerpt: null,
    });
  });

  it("hides addresses and exact times of commenter emails in the admin outbox", async () => {
    const petition = openPetition(company);
    const id = await post(petition.id, staff(25), "Mail me");
    await reply(id, staff(26), "Replying");
    const row = getDb()
      .select()
      .from(outbox)
      .where(eq(outbox.toAddress, staff(25).email))
      .all()
      .at(-1);
    expect(row?.recipientHidden).toBe(true);
    getDb()
      .update(outbox)
      .set({ lastError: `550 5.1.1 <${staff(25).email}>: Recipient address rejected` })
      .where(eq(outbox.id, row?.id ?? 0))
      .run();
    // A commenter's email is never a row (ADR 0032), its error and address with it: a count by day.
    const tomorrow = Date.now() + DAY_MS;
    const view = listOutbox({ page: 1 }, tomorrow);
    expect(view.messages.some((m) => m.kind === "comment.reply")).toBe(false);
    expect(JSON.stringify(view)).not.toContain(staff(25).email);
    for (const group of view.hidden) expect(group.day.getTime() % 86_400_000).toBe(0);
    // Listed rows are by day: every row, sign-in links (whose recipients show) and emails to
    // organizers included, and carry no id unless failed (the retry button's).
    await requestSignIn({ email: staff(27).email, ip: null });
    const listedAll = listOutbox({ page: 1 }).messages;
    expect(listedAll.find((m) => m.kind === "sign-in")).toMatchObject({ toAddress: staff(27).email });
    expect(new Set(listedAll.map((m) => m.kind)).size).toBeGreaterThan(1);
    for (const m of listedAll) {
      if (m.status !== "failed") expect(m.id).toBeNull();
      for (const time of [m.createdAt, m.sentAt, m.nextAttemptAt])
        expect((time?.getTime() ?? 0) % 86_400_000, m.kind).toBe(0);
    }
  });

  it("never redirects off the site, whatever returnTo says", async () => {
    const petition = openPetition(company);
    const id = await post(petition.id, staff(5));
    for (const returnTo of [
      "/.//evil.example",
      "/a/..//evil.example",
      "//evil.example",
      "https://evil.example",
    ]) {
      resetRateLimits();
      const response = await commentAction(staff(6), id, { intent: "vote", up: "1", returnTo });
      const location = response.headers.get("Location") ?? "";
      expect(location, returnTo).toMatch(/^\/(?!\/)/);
      expect(new URL(location, BASE).origin).toBe(BASE);
    }
  });

  it("sends a new comment where it shows: the newest sort, or its parent's page past the first replies", async () => {
    const petition = openPetition(company);
    const posted = await discussionAction(staff(5), petition.id, {
      intent: "post",
      body: "Where does this go?",
      returnTo: `/petitions/${petition.slug}?sort=top&page=3`,
    });
    const location = posted.headers.get("Location") ?? "";
    expect(location).toMatch(new RegExp(`^/petitions/${petition.slug}\\?sort=newest#comment-\\d+$`));
    const top = Number(location.split("#comment-")[1]);
    const early: string[] = [];
    for (let i = 0; i < 4; i++) {
      resetRateLimits();
      const response = await commentAction(staff(6 + i), top, {
        intent: "reply",
        body: `Reply ${i}`,
        returnTo: `/petitions/${petition.slug}`,
      });
      early.push(response.headers.get("Location") ?? "");
    }
    expect(early[0]).toMatch(new RegExp(`^/petitions/${petition.slug}#comment-\\d+$`));
    expect(early[3]).toMatch(new RegExp(`^/comments/${top}#comment-\\d+$`));
  });

  it("keeps moderators out of their own cause: petitions they organize, comments they reported", async () => {
    const organizingModerator = { ...staff(27), roles: ["moderator" as const] };
    grantRole(organizingModerator.id, "moderator", { id: null, label: "cli" });
    const petition = openPetition({ staff: [organizingModerator, staff(1), staff(2), staff(3)], moderator });
    const id = await post(petition.id, staff(5), "About the organizer");
    await refused(
      () => hideComment(id, "I dislike it", organizingModerator),
      403,
      /You have a stake in this/,
    );
    await refused(
      () => setThreadLock(subjectOf(petition.id), { locked: true, reason: "Mine" }, organizingModerator),
      403,
    );
    expect(
      loadThread(subjectOf(petition.id), organizingModerator, { sort: "top", page: 1 })?.thread.canModerate,
    ).toBe(false);
    const other = openPetition(company);
    const reported = await post(other.id, staff(5), "Reported by a moderator");
    await reportComment(reported, { reason: "spam" }, moderator);
    await refused(() => hideComment(reported, "Spam", moderator), 403, /another moderator/);

    // A moderator merely invited to co-organize still moderates (an invitation is the creator's act,
    // not theirs); once they accept, they have a stake and stand aside.
    const invited = { ...staff(28), roles: ["moderator" as const] };
    grantRole(invited.id, "moderator", { id: null, label: "cli" });
    inviteOrganizer(petition.id, invited.email, organizingModerator);
    expect(loadThread(subjectOf(petition.id), invited, { sort: "top", page: 1 })?.thread.canModerate).toBe(
      true,
    );
    hideComment(id, "Names a colleague", invited);
    answerInvitation(petition.id, true, invited);
    expect(loadThread(subjectOf(petition.id), invited, { sort: "top", page: 1 })?.thread.canModerate).toBe(
      false,
    );
    await refused(() => restoreComment(id, invited), 403, /another moderator/);
  });

  it("limits edits, refuses votes once a discussion is closed, and always lets a vote be taken back", async () => {
    const petition = openPetition(company);
    const id = await post(petition.id, staff(5), "Edit me");
    const now = Date.now();
    for (let i = 0; i < 10; i++) await editComment(id, `Edit ${i}`, staff(5), now);
    await refused(() => editComment(id, "One too many", staff(5), now), 429);
    await setVote(id, true, staff(6));
    hideComment(id, "Testing", moderator);
    await refused(() => setVote(id, true, staff(7)), 409);
    expect(await setVote(id, false, staff(6))).toBe(0);
    restoreComment(id, moderator);
    transitionPetition(petition.id, { action: "close" }, moderator);
    transitionPetition(petition.id, { action: "archive" }, moderator);
    await refused(() => setVote(id, true, staff(7)), 409, /archived/);
  });
});

describe("who may do what", () => {
  it("sends signed-out visitors to sign in, and refuses every action to those it is not theirs to take", async () => {
    const petition = openPetition(company);
    const author = staff(23);
    const id = await post(petition.id, author, "A comment to act on");
    const signedOut: Array<Record<string, string>> = [
      { intent: "reply", body: "x" },
      { intent: "edit", body: "x" },
      { intent: "delete" },
      { intent: "vote", up: "1" },
      { intent: "report", reason: "spam" },
      { intent: "hide", reason: "Because" },
      { intent: "restore" },
      { intent: "dismiss" },
    ];
    for (const fields of signedOut) {
      const response = await commentAction(null, id, fields);
      expect(response.status, fields.intent).toBe(302);
      expect(response.headers.get("Location"), fields.intent).toMatch(/^\/sign-in\?redirectTo=/);
    }
    const discussionIntents: Array<Record<string, string>> = [
      { intent: "post", body: "x" },
      { intent: "lock", reason: "Because" },
      { intent: "unlock" },
    ];
    for (const fields of discussionIntents) {
      const response = await discussionAction(null, petition.id, fields);
      expect(response.headers.get("Location"), fields.intent).toMatch(/^\/sign-in\?redirectTo=/);
    }
    // Staff who did not write it: no edit or delete; nobody but moderators moderates or locks.
    const other = staff(24);
    const expectations: Array<[User, Record<string, string>, number]> = [
      [other, { intent: "edit", body: "Hijack" }, 403],
      [other, { intent: "delete" }, 403],
      [other, { intent: "hide", reason: "Because" }, 403],
      [other, { intent: "restore" }, 403],
      [other, { intent: "dismiss" }, 403],
      [organizer, { intent: "hide", reason: "Because" }, 403],
      [leader, { intent: "hide", reason: "Because" }, 403],
      [admin, { intent: "hide", reason: "Because" }, 403],
      [author, { intent: "vote", up: "1" }, 403],
      [author, { intent: "report", reason: "spam" }, 403],
      [moderator, { intent: "edit", body: "Moderators do not rewrite people" }, 403],
      [moderator, { intent: "restore" }, 409],
    ];
    for (const [user, fields, status] of expectations) {
      const response = await commentAction(user, id, fields);
      expect(response.status, `${user.email} ${fields.intent}`).toBe(status);
    }
    for (const user of [other, organizer, leader, admin]) {
      expect((await discussionAction(user, petition.id, { intent: "lock", reason: "Because" })).status).toBe(
        403,
      );
    }
    expect(commentRow(id)).toMatchObject({
      body: "A comment to act on",
      hiddenAt: null,
      score: 0,
      openReports: 0,
    });
    // A comment on a petition the viewer may not see is not there at all.
    const draft = draftPetition(organizer);
    expect((await discussionAction(staff(24), draft.id, { intent: "post", body: "Hello?" })).status).toBe(
      404,
    );
    expect((await commentAction(staff(24), 999_999, { intent: "vote", up: "1" })).status).toBe(404);
  });
});

describe("reply emails", () => {
  it("emails the answered author once, never for their own replies, with a one-click unsubscribe for that topic alone", async () => {
    const petition = openPetition(company);
    const author = staff(20);
    const id = await post(petition.id, author, "Please tell me when someone answers");
    const count = () =>
      getDb()
        .select()
        .from(outbox)
        .where(and(eq(outbox.kind, "comment.reply"), eq(outbox.toAddress, author.email)))
        .all();
    const before = count().length;
    await reply(id, author, "Answering myself");
    expect(count().length).toBe(before);
    await reply(id, staff(21), "An answer", true);
    // An anonymous reply's email goes with its batch.
    expect(count().length).toBe(before);
    publishAnonymousComments();
    const [mail] = count().slice(before);
    expect(mail?.subject).toContain("A verified colleague replied");
    expect(mail?.headers?.["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    const link = mail?.headers?.["List-Unsubscribe"]?.slice(1, -1) ?? "";
    expect(mail?.textBody).toContain(link);
    const token = link.split("/unsubscribe/")[1] ?? "";
    expect(parseUnsubscribeToken(token)).toEqual({ personId: author.id, topic: "comment-replies" });
    expect(parseUnsubscribeToken(`${token}x`)).toBeNull();
    // Another person's token cannot be turned into this one's: it is sealed (issue 17).
    const other = unsubscribeToken(author.id + 1, "comment-replies");
    expect(parseUnsubscribeToken(other)).toEqual({ personId: author.id + 1, topic: "comment-replies" });
    expect(
      parseUnsubscribeToken(
        other.replace(/^(u2\.....)./, (_, head) => `${head}${other[7] === "A" ? "B" : "A"}`),
      ),
    ).toBeNull();

    // Opening the link changes nothing; the one-click POST (no session) turns off just that topic.
    const params = { token };
    expect((await callRoute(unsubscribeRoute, "loader", null, `/unsubscribe/${token}`, params)).status).toBe(
      200,
    );
    expect(emailPreferences(author.id)["comment-replies"]).toBe(true);
    const done = await callRoute(unsubscribeRoute, "action", null, `/unsubscribe/${token}`, params, {
      "List-Unsubscribe": "One-Click",
    });
    expect(done.status).toBe(200);
    const allOn = Object.fromEntries(EMAIL_TOPICS.map((topic) => [topic, true]));
    expect(emailPreferences(author.id)).toEqual({ ...allOn, "comment-replies": false });
    expect(emailPreferences(staff(21).id)).toEqual(allOn);
    resetRateLimits();
    // Still queued (whether it goes is not for the outbox to show): the mail sender drops it, as it
    // asks at send time whether the author has turned the topic off (ADR 0032).
    await reply(id, staff(22), "Another answer");
    expect(count().length).toBe(before + 2);
    expect(count().at(-1)).toMatchObject({ recipientId: author.id, optOutTopic: "comment-replies" });
    const bad = await callRoute(unsubscribeRoute, "action", null, "/unsubscribe/1.comment-replies.forged", {
      token: "1.comment-replies.forged",
    });
    expect(bad.status).toBe(404);
  });
});

describe("big threads", () => {
  /** Counts every statement better-sqlite3 runs while `fn` runs. */
  function countStatements(fn: () => void): number {
    const prototype = Object.getPrototypeOf(getDb().$client.prepare("select 1")) as Record<
      "all" | "get" | "run" | "iterate",
      (...args: unknown[]) => unknown
    >;
    const originals = { ...prototype };
    let n = 0;
    for (const method of ["all", "get", "run", "iterate"] as const) {
      const original = prototype[method];
      prototype[method] = function (this: unknown, ...args: unknown[]) {
        n++;
        return original.apply(this, args);
      };
    }
    try {
      fn();
    } finally {
      Object.assign(prototype, originals);
    }
    return n;
  }

  it("reads a page with the same number of statements for 30 comments as for 10,000", async () => {
    const small = openPetition(company);
    const big = openPetition(company);
    const authors: [User, ...User[]] = [staff(5), ...company.staff.slice(6, 25)];
    await generateThread(small.id, 30, authors);
    await generateThread(big.id, 10_000, authors);
    const viewer = staff(26);
    for (const sort of ["top", "newest", "oldest"] as const) {
      const counts = [small, big].map((petition) =>
        countStatements(() => {
          const view = loadThread(subjectOf(petition.id), viewer, { sort, page: 1 });
          expect(view?.comments).toHaveLength(Math.min(20, view?.thread.topLevelCount ?? 0));
        }),
      );
      expect(counts[0]).toBe(counts[1]);
      expect(counts[1]).toBeLessThanOrEqual(10);
    }
    // Each comment shows its first three replies; the rest load on demand.
    const bigView = loadThread(subjectOf(big.id), viewer, { sort: "oldest", page: 1 });
    const busy = bigView?.comments.find((c) => c.replyCount === 5);
    expect(busy?.replies).toHaveLength(3);
    expect(flatten(bigView?.comments ?? []).length).toBeGreaterThan(60);
    const more = loadComment(busy?.id ?? 0, viewer);
    expect(more?.comment.replies).toHaveLength(5);
    // The first three in time order (ids are random: ADR 31), as the comment's own page lists them.
    expect(busy?.replies.map((r) => r.id)).toEqual(more?.comment.replies.slice(0, 3).map((r) => r.id));
    expect(more?.comment.replies.at(-1)?.replyCount).toBe(4);
    expect(more?.comment.replies.at(-1)?.replies).toHaveLength(3);
  });
});

describe("cross-site scripting", () => {
  it(`renders ${XSS_PAYLOADS.length} known XSS payloads as inert text`, async () => {
    expect(XSS_PAYLOADS.length).toBeGreaterThanOrEqual(50);
    const petition = openPetition(company);
    for (const [i, payload] of XSS_PAYLOADS.entries()) {
      if (i % 5 === 0) resetRateLimits();
      const id = await post(petition.id, staff(5 + (i % 20)), payload);
      const html = loadComment(id, null)?.comment.bodyHtml ?? "";
      expect(unsafeParts(html), `${payload} → ${html}`).toEqual([]);
    }
    // Every link that survives carries rel="nofollow noopener ugc", relative and mailto: ones too.
    resetRateLimits();
    const link = await post(
      petition.id,
      staff(5),
      "[docs](https://example.com/policy) [home](/) [mail](mailto:a@b.example)",
    );
    const html = loadComment(link, null)?.comment.bodyHtml ?? "";
    expect(html.match(/<a /g)).toHaveLength(3);
    expect(html.match(/rel="nofollow noopener ugc"/g)).toHaveLength(3);
  });
});
