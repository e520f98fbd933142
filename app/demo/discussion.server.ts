import { publishHeldComments } from "../domain/discussion/batches.server";
import { hideComment } from "../domain/discussion/moderation.server";
import { postComment } from "../domain/discussion/posting.server";
import { reportComment, setVote } from "../domain/discussion/reactions.server";
import type { User } from "../domain/identity/sessions.server";
import type { Petition } from "../domain/petitions/rights.server";
import { resetRateLimits } from "../platform/security/rate-limits.server";
import { HOUR_MS } from "../platform/time";
import { seededRandom } from "./seeded-random";

const OPENERS = [
  "I only found out about the logging from a colleague. Was there ever an announcement?",
  "Does the logging pause when I type into the password manager? Nobody could tell me.",
  "I support the programme's goals, but **consent** has to come first.",
  "Our team handles customer data all day. Logging keystrokes feels like a compliance problem waiting to happen.",
  "Could we at least get a visible indicator when logging is active?",
  "I asked my manager for an exemption and was told there is no process for that.",
  "The FAQ says data is kept for *up to two years*. That is far too long.",
  "Honestly, I think the tools trained on this will help us. But opt-out should exist.",
  "I use my work laptop for union business, as the policy allows. Is that logged too?",
  "Signed. The lack of consultation is the real issue here.",
  "What happens to the data of people who leave the company?",
  "Please publish the data protection impact assessment.",
  "Can leadership confirm whether the logs are linked to our names or pseudonymised?",
  "I'd like a 'pause for 30 minutes' button, like do-not-disturb.",
  "Engineers on call type secrets into terminals all night. This needs an exemption path.",
];
const REPLIES = [
  "Same here. Nobody in my department was told either.",
  "Good question. I asked IT and they didn't know.",
  "+1 to this. A pause button would solve most of my worries.",
  "I disagree a little: the data is useful, but the process was wrong.",
  "The retention period is in the internal FAQ, section 4.",
  "I raised this at the all-hands and got a vague answer.",
  "This is exactly why the petition matters.",
  "Thanks for saying this publicly.",
  "Legal told our team it was reviewed, but they would not share the review.",
  "My understanding is that it is pseudonymised, but re-identification is trivial.",
  "Could the organizers add this to the ask?",
  "Agreed. See also the [ICO guidance on monitoring workers](https://ico.org.uk/for-organisations/).",
];
const ORGANIZER_REPLIES = [
  "Thanks, we've added this to the questions we are sending to leadership.",
  "Update from the organizers: we passed 500 signatures today. Keep sharing the petition.",
  "We met the programme team this week. They are open to a pause feature; we keep pushing for opt-out.",
];
const LEADERSHIP_REPLIES = [
  "We hear you. Leadership will respond formally once the petition reaches its response milestone.",
  "To clarify: logs are pseudonymised and access is limited to the research team. We will publish the details.",
];

/**
 * A lively thread on the MCI petition, through the comments module: a few hundred comments over the
 * three weeks, several levels deep, a third anonymous, official replies from the organizer and
 * leadership, votes, and two comments hidden by moderators.
 */
export async function seedDemoDiscussion(
  petition: Petition,
  people: { staff: User[]; organizer: User; leader: User; moderator: User },
  start: number,
  spanMs: number,
): Promise<number> {
  const next = seededRandom(4242);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const subject = { type: "petition" as const, id: petition.id };
  const posted: Array<{ id: number; author: User; top: boolean }> = [];
  const replies = new Map<number, number>();
  const times = Array.from({ length: 320 }, () => start + Math.floor(spanMs * next() ** 1.6)).sort(
    (a, b) => a - b,
  );
  // The demo's past: each anonymous comment was published by its batch before anyone answered it
  // (batches of one, a millisecond apart: the demo's clock, not the product's rule).
  let batchClock = 0;
  const as = async (user: User, at: number, body: string, parent?: number, anonymous = next() < 0.33) => {
    // The demo speaks for hundreds of people at made-up times; limits are for real traffic.
    resetRateLimits();
    const id = await postComment(
      parent === undefined ? subject : null,
      { body, anonymous, parentId: parent },
      user,
      at,
    );
    if (anonymous) {
      batchClock = Math.max(batchClock + 1, at + 1);
      publishHeldComments(batchClock, { periodMs: 1, minSize: 1 });
    }
    posted.push({ id, author: user, top: parent === undefined });
    if (parent !== undefined) replies.set(parent, (replies.get(parent) ?? 0) + 1);
    return id;
  };
  for (const [i, at] of times.entries()) {
    const author = pick(people.staff);
    if (posted.length < 5 || next() < 0.3) {
      await as(author, at, pick(OPENERS));
    } else if (i % 40 === 7) {
      await as(people.organizer, at, pick(ORGANIZER_REPLIES), pick(posted).id, false);
    } else if (i % 90 === 45) {
      await as(people.leader, at, pick(LEADERSHIP_REPLIES), pick(posted).id, false);
    } else {
      // Replies go to recent conversations: half to a recent top-level comment, half to any recent one,
      // so threads grow wide and several levels deep.
      const recentTops = posted.filter((p) => p.top).slice(-6);
      const target =
        next() < 0.5 && recentTops.length
          ? pick(recentTops)
          : (posted[Math.max(0, posted.length - 1 - Math.floor(next() * 12))] ?? pick(posted));
      await as(author, at, pick(REPLIES), target.id);
    }
  }
  for (const { id, author } of posted) {
    // Comments people answer are the ones they upvote too.
    const votes = Math.floor(next() ** 3 * 25) + 3 * (replies.get(id) ?? 0);
    for (let v = 0; v < votes; v++) {
      const voter = pick(people.staff);
      if (voter.id === author.id) continue;
      resetRateLimits();
      await setVote(id, true, voter, start + spanMs);
    }
  }
  // Two comments moderators hid, one after colleagues reported it.
  const rude = await as(
    pick(people.staff),
    times.at(-1) ?? start,
    "Whoever designed this programme should be fired. Idiots.",
    undefined,
    false,
  );
  hideComment(
    rude,
    "Personal attack on colleagues; criticise the policy, not the people.",
    people.moderator,
    (times.at(-1) ?? start) + HOUR_MS,
  );
  const spam = await as(
    pick(people.staff),
    times.at(-2) ?? start,
    "Buy cheap mechanical keyboards at example.com!!!",
    undefined,
    false,
  );
  for (const reporter of people.staff.slice(0, 3)) {
    resetRateLimits();
    await reportComment(spam, { reason: "spam" }, reporter, (times.at(-2) ?? start) + 600_000);
  }
  hideComment(spam, "Advertising.", people.moderator, (times.at(-2) ?? start) + 7_200_000);
  return posted.length;
}
