import { beforeEach, describe, expect, it } from "vitest";
import { hideComment, restoreComment } from "../../../app/domain/discussion/moderation.server";
import { deleteComment, editComment } from "../../../app/domain/discussion/posting.server";
import { setVote } from "../../../app/domain/discussion/reactions.server";
import { listRevisions, loadComment, loadThread } from "../../../app/domain/discussion/thread.server";
import { transitionPetition } from "../../../app/domain/petitions/lifecycle.server";
import { resetRateLimits } from "../../../app/platform/security/rate-limits.server";
import * as commentRoute from "../../../app/routes/comments.$commentId";
import { commentAction, commentRow, post, refused, reply, subjectOf } from "../../support/comments";
import { callRoute } from "../../support/fixtures";
import { makeCompany, openPetition } from "../../support/petition-fixtures";

const company = makeCompany(30);
const staff = company.member;
const organizer = staff(0);
const { moderator } = company;

beforeEach(() => resetRateLimits());

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
});
