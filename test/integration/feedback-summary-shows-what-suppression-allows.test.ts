import { describe, expect, it } from "vitest";
import { sendFeedbackAnonymously } from "../../app/demo/anonymous-signer.server";
import type { User } from "../../app/domain/identity/sessions.server";
import { sendFeedback } from "../../app/domain/policies/feedback.server";
import { feedbackAggregates } from "../../app/domain/policies/feedback-inbox.server";
import { createPolicy, publishPolicyVersion } from "../../app/domain/policies/registry.server";
import { resetRateLimits } from "../../app/platform/security/rate-limits.server";
import { makeCompany } from "../support/petition-fixtures";

const company = makeCompany(30);
const staff = (i: number): User => {
  const user = company.staff[i];
  if (!user) throw new Error(`no staff ${i}`);
  return user;
};
const owner = staff(0);
const DAY = 86_400_000;
const policy = createPolicy(
  {
    title: "Keystroke logging",
    summary: "What is logged from staff machines, and how to pause it.",
    ownerEmails: owner.email,
    body: "Keystrokes are logged on company machines.",
    changeSummary: "First version",
    effectiveAt: new Date(Date.now() - 10 * DAY),
  },
  company.leader,
);

async function feedback(i: number, rating: number, anonymous: boolean) {
  resetRateLimits();
  if (anonymous) await sendFeedbackAnonymously(policy.id, staff(i), { body: "Feedback", rating });
  else await sendFeedback(policy.id, { body: "Feedback", rating, anonymous: false }, staff(i));
}

describe("the feedback inbox's summary by version", () => {
  it("shows the combined average of versions too small to show alone, and the total's, once they hold enough ratings", async () => {
    // Version 1: four pieces, two anonymous; version 2: four, three anonymous — both too small alone
    // (as in the seeded company, where the summary said only "2 groups not shown, combined").
    for (const [i, rating, anonymous] of [
      [1, 3, false],
      [2, 2, true],
      [3, 4, false],
      [4, 2, true],
    ] as const)
      await feedback(i, rating, anonymous);
    publishPolicyVersion(
      policy.id,
      {
        body: "Keystrokes are logged; staff may pause it.",
        changeSummary: "Pause",
        effectiveAt: new Date(Date.now() - DAY),
      },
      company.leader,
    );
    let result = feedbackAggregates(policy.id, owner);
    // Four ratings on version 1 alone, none yet on version 2: nothing may be averaged yet.
    expect(result.rows.every((row) => !row.shown)).toBe(true);
    expect(result.foldedAverage).toBeNull();
    expect(result.totalAverage).toBeNull();
    expect(result.rated).toBe(4);

    for (const [i, rating, anonymous] of [
      [5, 4, true],
      [6, 3, true],
      [7, 5, true],
      [8, 4, false],
    ] as const)
      await feedback(i, rating, anonymous);
    result = feedbackAggregates(policy.id, owner);
    // Still two small versions, folded — but eight ratings between them: their average shows.
    expect(result.rows).toEqual([
      { label: "Version 1", shown: false, average: null },
      { label: "Version 2", shown: false, average: null },
    ]);
    expect(result.folded).toBe(8);
    expect(result.foldedAverage).toBe(3.4);
    expect(result.totalAverage).toBe(3.4);
  });

  it("hides the total's average while a shown version's is hidden: it would give that one away", async () => {
    const other = createPolicy(
      {
        title: "Desk booking",
        summary: "How desks are booked on office days.",
        ownerEmails: owner.email,
        body: "Desks are booked a day ahead.",
        changeSummary: "First version",
        effectiveAt: new Date(Date.now() - 10 * DAY),
      },
      company.leader,
    );
    const named = async (i: number, rating?: number) => {
      resetRateLimits();
      await sendFeedback(other.id, { body: "Feedback", rating, anonymous: false }, staff(i));
    };
    const publish = (body: string) =>
      publishPolicyVersion(
        other.id,
        { body, changeSummary: "Change", effectiveAt: new Date(Date.now() - DAY) },
        company.leader,
      );
    // Version 1: three ratings of 1; version 2: six pieces, three rated 5; version 3: three rated 2.
    for (const i of [1, 2, 3]) await named(i, 1);
    publish("Desks are booked a week ahead.");
    for (const i of [4, 5, 6]) await named(i, 5);
    for (const i of [7, 8, 9]) await named(i);
    publish("Desks are booked two weeks ahead.");
    for (const i of [10, 11, 12]) await named(i, 2);

    const result = feedbackAggregates(other.id, owner);
    expect(result.rows).toEqual([
      { label: "Version 2", shown: true, total: 6, average: null },
      { label: "Version 1", shown: false, average: null },
      { label: "Version 3", shown: false, average: null },
    ]);
    // Versions 1 and 3 together: six ratings, averaged.
    expect(result.foldedAverage).toBe(1.5);
    // Version 2 has three ratings, too few to average: the total's would give its own away.
    expect(result.totalAverage).toBeNull();
  });
});
