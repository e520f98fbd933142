import { beforeEach, describe, expect, it } from "vitest";
import { postComment } from "../../../app/domain/discussion/posting.server";
import { setVote } from "../../../app/domain/discussion/reactions.server";
import { COMMENT_LIMITS } from "../../../app/domain/discussion/rules.server";
import { loadThread } from "../../../app/domain/discussion/thread.server";
import type { User } from "../../../app/domain/identity/sessions.server";
import { transitionPetition } from "../../../app/domain/petitions/lifecycle.server";
import { signPetition, withdrawSignature } from "../../../app/domain/petitions/signing.server";
import { resetRateLimits } from "../../../app/platform/security/rate-limits.server";
import * as petitionRoute from "../../../app/routes/petitions.$slug._index";
import { getDb } from "../../../db/client";
import { comments } from "../../../db/schema";
import {
  commentAction,
  commentRow,
  discussionAction,
  flatten,
  post,
  refused,
  reply,
  subjectOf,
} from "../../support/comments";
import { callRoute, TEST_BASE_URL } from "../../support/fixtures";
import { draftPetition, makeCompany, openPetition } from "../../support/petition-fixtures";

const company = makeCompany(30);
const staff = company.member;
const organizer = staff(0);
const { moderator, leader } = company;

beforeEach(() => resetRateLimits());

const BASE = TEST_BASE_URL;

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

describe("where an action sends the browser back", () => {
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
});
