import { eq } from "drizzle-orm";
import { expect } from "vitest";
import { postComment } from "../../app/domain/discussion/posting.server";
import type { CommentView } from "../../app/domain/discussion/thread.server";
import type { User } from "../../app/domain/identity/sessions.server";
import { Refusal } from "../../app/platform/refusal";
import * as commentRoute from "../../app/routes/comments.$commentId";
import * as discussionRoute from "../../app/routes/discussions.$subjectType.$subjectId";
import { getDb } from "../../db/client";
import { comments } from "../../db/schema";
import { callRoute } from "./fixtures";

/** A petition's discussion, as the discussion domain names its subject. */
export const subjectOf = (petitionId: number) => ({ type: "petition" as const, id: petitionId });

/** A top-level comment on a petition's discussion; an anonymous one is held until its batch. */
export const post = (
  petitionId: number,
  user: User,
  body = "A comment",
  anonymous = false,
  now = Date.now(),
) => postComment(subjectOf(petitionId), { body, anonymous }, user, now);

export const reply = (parentId: number, user: User, body = "A reply", anonymous = false) =>
  postComment(null, { body, anonymous, parentId }, user);

export const commentRow = (id: number) => getDb().select().from(comments).where(eq(comments.id, id)).get();

/** Every comment a list of views shows, replies included. */
export const flatten = (views: CommentView[]): CommentView[] =>
  views.flatMap((v) => [v, ...flatten(v.replies)]);

/** Expects `fn` to be refused (a `Refusal`) with `status`, and a message matching `message` if given. */
export async function refused(fn: () => unknown, status: number, message?: RegExp) {
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

// ---- Calling the real routes (as the server would) ---------------------------------------------

export const commentAction = (as: User | null, id: number, fields: Record<string, string>) =>
  callRoute(commentRoute, "action", as, `/comments/${id}`, { commentId: String(id) }, fields);

export const discussionAction = (as: User | null, petitionId: number, fields: Record<string, string>) =>
  callRoute(
    discussionRoute,
    "action",
    as,
    `/discussions/petition/${petitionId}`,
    { subjectType: "petition", subjectId: String(petitionId) },
    fields,
  );
