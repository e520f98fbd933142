import { updateCommitment } from "../domain/announcements/commitments.server";
import { announcementInputSchema } from "../domain/announcements/forms";
import { publishAnnouncement, saveAnnouncement } from "../domain/announcements/lifecycle.server";
import { queueAnnouncementEmails } from "../domain/announcements/mailing.server";
import { announcementDetails } from "../domain/announcements/reads.server";
import type { User } from "../domain/identity/sessions.server";
import type { Petition } from "../domain/petitions/rights.server";
import { createPolicy, type Policy } from "../domain/policies/registry.server";

const at = (iso: string) => new Date(iso).getTime();

const V1 = `## Scope

The Model Capability Initiative (MCI) collects **keystrokes and mouse clicks** on all company devices to
train the company's AI models.

## Collection

- Collection is always on while a member of staff is signed in.
- Collected data is pseudonymised and kept for two years.

## Access

Only the MCI research team can read the collected data.`;

const V2 = `## Scope

The Model Capability Initiative (MCI) collects **keystrokes and mouse clicks** on all company devices to
train the company's AI models.

## Collection

- Collection is on while a member of staff is signed in, except while paused.
- Staff may **pause collection for up to 30 minutes at a time**, as often as they need.
- Staff may **request an exemption** from collection; the People team answers within 10 working days.
- Collected data is pseudonymised and kept for one year.

## Access

Only the MCI research team can read the collected data. Each access is logged.`;

/** The MCI policy (version 1, April), for the petition to name before it is created. */
/** The memo's second commitment is due on this day and never marked done: the seed's overdue one. */
export const EXEMPTION_PROCESS_DUE = "2026-07-31";

export function seedMciPolicy(leader: User): Policy {
  return createPolicy(
    {
      title: "Model Capability Initiative data collection",
      summary:
        "What the company collects from staff devices to train its AI models, and how staff can limit it.",
      ownerTeam: "Research",
      ownerEmails: leader.email,
      body: V1,
      changeSummary: "First version",
      effectiveAt: new Date(at("2026-04-01T00:00:00Z")),
    },
    leader,
    at("2026-03-25T09:00:00Z"),
  );
}

/**
 * Leadership's June memo answering the MCI petition's 1,500 milestone, "partially accepted", which
 * publishes version 2 of the policy, with two commitments (one since done, one in progress).
 */
export function seedMciResponse(mci: Petition, policy: Policy, leader: User): void {
  const memo = saveAnnouncement(
    null,
    announcementInputSchema.parse({
      title: "Our answer on keystroke and click logging",
      body: `Thank you to the 1,500+ colleagues who signed the petition and to everyone who joined the discussion.

We will not end the Model Capability Initiative: the models it trains are already saving teams hours every
week. But you were right that it started without asking you, and that there was no way to step out of it.

**From 15 June:**

1. Anyone can **pause collection for up to 30 minutes at a time**, from the menu bar, as often as they need.
2. Anyone can **request an exemption**; the People team answers within 10 working days.
3. Collected data is kept for one year instead of two, and every access to it is logged.

We are not making collection opt-out by default. We will review that after six months with the numbers.`,
      responses: [{ petitionId: String(mci.id), stance: "partially_accepted" }],
      policyId: String(policy.id),
      policyBody: V2,
      policyChangeSummary:
        "Pause for up to 30 minutes; exemption requests; one-year retention; access logged",
      policyEffectiveAt: "2026-06-15",
      commitments: [
        { text: "Pause controls for up to 30 minutes", status: "in_progress", dueAt: "2026-06-15" },
        {
          text: "An exemption request process run by the People team",
          status: "in_progress",
          dueAt: EXEMPTION_PROCESS_DUE,
        },
      ],
    }),
    leader,
    at("2026-06-01T10:00:00Z"),
  );
  publishAnnouncement(memo.id, leader, at("2026-06-03T09:00:00Z"));
  const [pause] = announcementDetails(memo).commitments;
  if (pause) {
    updateCommitment(
      pause.id,
      { status: "done", note: "Shipped in the June release" },
      leader,
      at("2026-06-14T16:00:00Z"),
    );
  }
  // Signers were told at the time: queue every batch now, so a fresh server has nothing left to send.
  while (queueAnnouncementEmails(at("2026-06-03T09:05:00Z")) > 0);
}
