import type { User } from "../domain/identity/sessions.server";
import { transitionPetition } from "../domain/petitions/lifecycle.server";
import { answerInvitation, inviteOrganizer } from "../domain/petitions/organizers.server";
import type { Petition } from "../domain/petitions/rights.server";
import { postPetitionUpdate, queuePetitionUpdateEmails } from "../domain/petitions/updates.server";
import { sendFeedback } from "../domain/policies/feedback.server";
import { replyToFeedback, setFeedbackStatus, tagFeedback } from "../domain/policies/feedback-inbox.server";
import type { Policy } from "../domain/policies/registry.server";
import { resetRateLimits } from "../platform/security/rate-limits.server";
import { DAY_MS } from "../platform/time";
import type { FeedbackStatus } from "../vocabulary/feedback";
import { sendFeedbackAnonymously } from "./anonymous-signer.server";

const at = (iso: string) => new Date(iso).getTime();

/**
 * The organizers' side of the demo story, through the same domain functions as the pages: the union
 * rep accepts the creator's invitation to co-organize the MCI petition, the organizers post updates to its signers, the bicycle-parking
 * petition is won, and staff send private feedback on the MCI policy (some anonymously), some of it
 * answered by its owner.
 */
export async function seedOrganizing(story: {
  mci: Petition;
  parking: Petition;
  policy: Policy;
  organizer: User;
  rep: User;
  owner: User;
  staff: User[];
}): Promise<string[]> {
  const { mci, parking, policy, organizer, rep, owner, staff } = story;
  // The creator invites the union rep, who accepts (organizer rights come only by an accepted invitation).
  inviteOrganizer(mci.id, rep.email, organizer, at("2026-04-04T08:00:00Z"));
  answerInvitation(mci.id, true, rep, at("2026-04-04T09:00:00Z"));
  const updates: Array<[string, User, string]> = [
    [
      "2026-04-05T17:00:00Z",
      organizer,
      "**500 signatures in two days.** Thank you. Leadership has seen the petition; at 1,500 they must answer within 14 days. Please share it with your team.",
    ],
    [
      "2026-04-14T12:00:00Z",
      rep,
      "We passed 1,000. The staff council has asked for the logging to be paused while leadership prepares its answer; we will tell you what they say.",
    ],
    [
      "2026-06-16T09:00:00Z",
      organizer,
      "Leadership answered: you can now **pause logging for up to 30 minutes** and request an exemption. Not everything we asked for, but a real change. Read the memo and tell us in the discussion what you think.",
    ],
  ];
  for (const [when, author, body] of updates) postPetitionUpdate(mci.id, body, author, at(when));
  transitionPetition(
    parking.id,
    {
      action: "declare-victory",
      note: "Facilities agreed: **covered bicycle parking** for 60 bicycles returns to the Berlin office courtyard in April. Thank you to everyone who signed.",
    },
    rep,
    at("2026-03-20T10:00:00Z"),
  );
  // Signers' emails for the demo's old updates (marked delivered with the rest of the history).
  for (let i = 0; i < 100 && queuePetitionUpdateEmails(at("2026-06-16T09:05:00Z")) > 0; i++);

  const feedback: Array<[string, string, number | undefined, boolean, FeedbackStatus, string[], string?]> = [
    [
      "2026-04-02T10:00:00Z",
      "Nobody asked us before this started. Logging everything we type, including personal messages, is out of proportion.",
      1,
      false,
      "acted",
      ["consent"],
    ],
    [
      "2026-04-02T15:30:00Z",
      "I handle medical leave requests. I cannot type those with a logger running. Please tell us how this data is protected.",
      1,
      true,
      "acted",
      ["sensitive-data"],
      "Thank you for raising this. Version 2 adds a pause button (up to 30 minutes) and exemption requests for roles like yours; the exemption form is on the policy page.",
    ],
    [
      "2026-04-08T09:10:00Z",
      "Who can read the logs? The policy says the research team, but how many people is that?",
      2,
      true,
      "read",
      ["access"],
      "Eleven people on the MCI research team, each access logged. We will publish the list of roles in the next version.",
    ],
    [
      "2026-04-20T11:00:00Z",
      "I am fine with helping train tools if I can switch it off for calls with my union rep.",
      3,
      false,
      "acted",
      ["pause"],
    ],
    [
      "2026-05-03T14:00:00Z",
      "How long is the data kept? The policy does not say.",
      2,
      true,
      "new",
      ["retention"],
    ],
    [
      "2026-06-17T09:00:00Z",
      "The pause button is a real improvement. 30 minutes is short for a long HR conversation though.",
      4,
      false,
      "read",
      ["pause"],
      "Noted. We are measuring how often people pause again right after 30 minutes and will revisit the limit.",
    ],
    [
      "2026-06-20T16:00:00Z",
      "Exemption requests take two weeks to be answered. That is too long.",
      2,
      true,
      "new",
      [],
    ],
    ["2026-07-02T10:30:00Z", "Thank you for listening. Version 2 is much better.", 4, true, "read", []],
    [
      "2026-09-10T13:00:00Z",
      "One year of retention is still long for keystrokes.",
      3,
      true,
      "new",
      ["retention"],
    ],
    [
      "2026-11-12T08:45:00Z",
      "Could the pause be scheduled, for example every day during lunch?",
      4,
      false,
      "new",
      ["pause"],
    ],
  ];
  let replies = 0;
  for (const [i, [when, body, rating, anonymous, status, tags, reply]] of feedback.entries()) {
    resetRateLimits();
    const author = staff[(i * 37) % staff.length];
    if (!author) continue;
    // Anonymous feedback through the protocol: a token of the week, sent with no author at all.
    const id = anonymous
      ? (await sendFeedbackAnonymously(policy.id, author, { body, rating }, at(when))).id
      : await sendFeedback(policy.id, { body, rating, anonymous }, author, at(when));
    for (const tag of tags) tagFeedback(id, tag, true, owner);
    if (reply) {
      replyToFeedback(id, reply, owner, at(when) + 2 * DAY_MS);
      replies++;
    }
    setFeedbackStatus(id, status, owner, at(when) + 3 * DAY_MS);
  }
  resetRateLimits();
  return [
    `Organizing: ${updates.length} updates on the MCI petition (co-organized by the union rep); the Berlin bicycle-parking petition won.`,
    `Policy feedback: ${feedback.length} items on the MCI policy (${feedback.filter((f) => f[3]).length} anonymous, ${replies} answered by its owner).`,
  ];
}
