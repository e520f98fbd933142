import { beforeEach, describe, expect, it } from "vitest";
import { dismissReports, hideComment } from "../../app/domain/discussion/moderation.server";
import { postComment } from "../../app/domain/discussion/posting.server";
import { reportedComments } from "../../app/domain/discussion/queue.server";
import { reportComment, setVote } from "../../app/domain/discussion/reactions.server";
import { loadComment, loadThread } from "../../app/domain/discussion/thread.server";
import type { User } from "../../app/domain/identity/sessions.server";
import { transitionPetition } from "../../app/domain/petitions/lifecycle.server";
import { moderationQueue } from "../../app/domain/petitions/reads.server";
import { resetRateLimits } from "../../app/platform/security/rate-limits.server";
import { DAY_MS, HOUR_MS, MINUTE_MS } from "../../app/platform/time";
import { thisHour } from "../support/dates";
import { draftPetition, makeCompany, openPetition } from "../support/petition-fixtures";

const company = makeCompany(30);
const staff = (i: number): User => {
  const user = company.staff[i];
  if (!user) throw new Error(`no staff ${i}`);
  return user;
};
const { moderator } = company;
const now = thisHour();
const subject = (petitionId: number) => ({ type: "petition" as const, id: petitionId });

beforeEach(() => resetRateLimits());

async function upvotedComment(petitionId: number, author: User, body: string, voters: User[]) {
  const id = await postComment(subject(petitionId), { body, anonymous: false }, author, now - 2 * DAY_MS);
  for (const voter of voters) {
    resetRateLimits();
    await setVote(id, true, voter, now - DAY_MS);
  }
  return id;
}

/** Each step at its own time: the rate limits' windows are not what this test is about. */
async function report(id: number, reason: "off_topic" | "harassment", reporter: User, at: number) {
  resetRateLimits();
  await reportComment(id, { reason }, reporter, at);
}

const queued = (id: number, at = now) => reportedComments(moderator, at).find((q) => q.comment.id === id);

describe("a reporting campaign", () => {
  it("cannot hide the most-upvoted comment: it stays visible, first in the moderators' queue, until one reviews it", async () => {
    const petition = openPetition(company);
    const popular = await upvotedComment(petition.id, staff(4), "The logging covers union email too.", [
      ...company.staff.slice(10, 22),
    ]);
    // A campaign: three colleagues, then five more, report it.
    for (const i of [23, 24, 25, 26, 27, 28, 29, 5])
      await report(popular, "off_topic", staff(i), now - HOUR_MS);
    const readers = loadThread(subject(petition.id), staff(6), { sort: "top", page: 1 });
    expect(readers?.comments[0]).toMatchObject({
      id: popular,
      state: "visible",
      bodyHtml: "<p>The logging covers union email too.</p>",
    });
    expect(loadComment(popular, moderator)?.comment).toMatchObject({ state: "visible", openReports: 8 });

    // An unvoted comment three colleagues report still hides at once, as before.
    const ordinary = await postComment(
      subject(petition.id),
      { body: "Everyone on the AI team is a spy.", anonymous: false },
      staff(7),
      now - 3 * DAY_MS,
    );
    for (const i of [23, 24, 25]) await report(ordinary, "harassment", staff(i), now - 2 * DAY_MS);
    expect(loadComment(ordinary, staff(6))?.comment.state).toBe("hidden");

    // Reported earlier, once, below the hiding number: waiting, and overdue after a day.
    const stale = await upvotedComment(petition.id, staff(8), "Off topic but worth saying.", []);
    await report(stale, "off_topic", staff(23), now - 3 * DAY_MS);

    expect(queued(popular)).toMatchObject({ urgency: "popular-kept-visible", waitingMs: HOUR_MS });
    expect(queued(ordinary)).toMatchObject({ urgency: "hidden-by-reports", waitingMs: 2 * DAY_MS });
    expect(queued(stale)).toMatchObject({ urgency: "overdue", waitingMs: 3 * DAY_MS });
    // Urgent first (whether reports hid it or not), then the longest waiting.
    const order = reportedComments(moderator, now)
      .map((q) => q.comment.id)
      .filter((id) => [popular, ordinary, stale].includes(id));
    expect(order).toEqual([ordinary, popular, stale]);

    // Reports outnumbering its upvotes do hide it: a real pile-on still reaches a moderator hidden.
    for (const i of [3, 2, 1, 9, 6]) await report(popular, "off_topic", staff(i), now);
    expect(loadComment(popular, staff(6))?.comment.state).toBe("hidden");

    // A moderator's review closes both.
    dismissReports(popular, moderator, now + MINUTE_MS);
    hideComment(ordinary, "Name-calling.", moderator, now + MINUTE_MS);
    expect(loadComment(popular, staff(6))?.comment.state).toBe("visible");
    expect(queued(popular, now + 2 * MINUTE_MS)).toBeUndefined();
    expect(queued(ordinary, now + 2 * MINUTE_MS)).toBeUndefined();
  });
});

describe("the petitions awaiting moderation", () => {
  it("say how long each has waited, and which are overdue", () => {
    const [creator, a, b, c] = company.staff;
    if (!creator || !a || !b || !c) throw new Error("need four staff");
    const petition = draftPetition(creator, "Publish the logging model's training data sources");
    transitionPetition(petition.id, { action: "submit" }, creator);
    for (const sponsor of [a, b, c]) transitionPetition(petition.id, { action: "co-sponsor" }, sponsor);
    const waiting = (at: number) => moderationQueue(at).find((p) => p.id === petition.id);
    const since = waiting(Date.now())?.updatedAt.getTime() ?? 0;
    expect(waiting(since + 5 * HOUR_MS)).toMatchObject({ waitingMs: 5 * HOUR_MS, overdue: false });
    expect(waiting(since + 2 * DAY_MS)).toMatchObject({ waitingMs: 2 * DAY_MS, overdue: true });
  });
});
