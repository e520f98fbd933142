import { beforeEach, describe, expect, it } from "vitest";
import { postComment } from "../../app/domain/discussion/posting.server";
import { setVote } from "../../app/domain/discussion/reactions.server";
import { loadThread } from "../../app/domain/discussion/thread.server";
import type { User } from "../../app/domain/identity/sessions.server";
import { resetRateLimits } from "../../app/platform/security/rate-limits.server";
import { MINUTE_MS } from "../../app/platform/time";
import * as discussionRoute from "../../app/routes/discussions.$subjectType.$subjectId";
import { COMMENT_SORTS } from "../../app/vocabulary/comments";
import { publishAnonymousComments } from "../support/comment-batches";
import { anHourOfToday } from "../support/dates";
import { callRoute } from "../support/fixtures";
import { makeCompany, openPetition } from "../support/petition-fixtures";

const company = makeCompany(30);
const staff = (i: number): User => {
  const user = company.staff[i];
  if (!user) throw new Error(`no staff ${i}`);
  return user;
};
const poster = staff(29);
// The busy thread is from the half hour before: the same UTC day as now, which the sorts compare by.
const now = anHourOfToday();
const subjectOf = (petitionId: number) => ({ type: "petition" as const, id: petitionId });

beforeEach(() => resetRateLimits());

/** A busy thread: 22 comments from today, each upvoted once, so a new one (no votes) is not on Top's first page. */
async function busyThread() {
  const petition = openPetition(company);
  for (let i = 0; i < 22; i++) {
    const id = await postComment(
      subjectOf(petition.id),
      { body: `Popular point ${i}`, anonymous: false },
      staff(4 + i),
      now - (30 - i) * MINUTE_MS,
    );
    await setVote(id, true, staff(3), now - 5 * MINUTE_MS);
    resetRateLimits();
  }
  return petition;
}

const firstPageIds = (
  petitionId: number,
  viewer: User,
  sort: (typeof COMMENT_SORTS)[number],
  preview?: number,
) => loadThread(subjectOf(petitionId), viewer, { sort, page: 1, preview })?.comments.map((c) => c.id) ?? [];

describe("a colleague's new comment", () => {
  it("is not on Top's first page of a busy thread, so posting moves the page to it, with JavaScript and without", async () => {
    const petition = await busyThread();
    const back = `/petitions/${petition.slug}?sort=top`;
    const fields = { intent: "post", body: "Has anyone asked legal about this?", returnTo: back };
    const path = `/discussions/petition/${petition.id}`;
    const params = { subjectType: "petition", subjectId: String(petition.id) };

    // With JavaScript (a fetcher): data saying it is done and where the page goes.
    const answer = await callRoute(discussionRoute, "action", poster, path, params, {
      ...fields,
      _fetcher: "1",
    });
    const data = (await answer.json()) as { done?: boolean; location?: string };
    expect(data.done).toBe(true);
    expect(data.location).toMatch(new RegExp(`^/petitions/${petition.slug}\\?sort=newest#comment-\\d+$`));
    const id = Number(data.location?.split("#comment-")[1]);
    expect(firstPageIds(petition.id, poster, "top")).not.toContain(id);
    expect(firstPageIds(petition.id, poster, "newest", 5)[0]).toBe(id);

    // Without: a redirect to the same place.
    resetRateLimits();
    const plain = await callRoute(discussionRoute, "action", poster, path, params, {
      ...fields,
      body: "And HR?",
    });
    expect(plain.status).toBe(302);
    expect(plain.headers.get("Location")).toMatch(
      new RegExp(`^/petitions/${petition.slug}\\?sort=newest#comment-\\d+$`),
    );
  });

  it("when anonymous and waiting for its batch, heads its author's first page in every sort, and nobody else's", async () => {
    const petition = await busyThread();
    // Stored with its day's start: in the newest sort it would come after the day's 22 named comments.
    const id = await postComment(
      subjectOf(petition.id),
      { body: "Said without my name.", anonymous: true },
      poster,
      now,
    );
    for (const sort of COMMENT_SORTS) {
      expect(firstPageIds(petition.id, poster, sort)[0], sort).toBe(id);
      expect(firstPageIds(petition.id, poster, sort, 5)[0], sort).toBe(id);
      expect(firstPageIds(petition.id, staff(5), sort)).not.toContain(id);
    }
    const view = loadThread(subjectOf(petition.id), poster, { sort: "top", page: 1 });
    expect(view?.comments[0]).toMatchObject({ held: true, mine: true, authorName: null });
    // Only on the first page, and never twice.
    expect(view?.comments.filter((c) => c.id === id)).toHaveLength(1);
    expect(
      loadThread(subjectOf(petition.id), poster, { sort: "top", page: 2 })?.comments.map((c) => c.id),
    ).not.toContain(id);

    // Once its batch publishes it, it takes its place in the sort like everyone's.
    publishAnonymousComments(now);
    expect(firstPageIds(petition.id, poster, "newest")[0]).not.toBe(id);
    expect(firstPageIds(petition.id, staff(5), "oldest")[0]).toBe(id);
  });
});
