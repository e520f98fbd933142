import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { updateCommitment } from "../../app/domain/announcements/commitments.server";
import { announcementInputSchema } from "../../app/domain/announcements/forms";
import { publishAnnouncement, saveAnnouncement } from "../../app/domain/announcements/lifecycle.server";
import { findPetition } from "../../app/domain/petitions/reads.server";
import { petitionEvents, petitionsEvents } from "../../app/domain/petitions/timeline.server";
import { postPetitionUpdate } from "../../app/domain/petitions/updates.server";
import { CLI_ACTOR } from "../../app/platform/security/audit.server";
import { DEFAULT_SETTINGS, updateSettings } from "../../app/platform/site/settings.server";
import { DAY_MS, HOUR_MS, startOfDay } from "../../app/platform/time";
import { getDb } from "../../db/client";
import { commitments } from "../../db/schema";
import { answeredPetition } from "../support/answered-petition";
import { makeCompany, openPetition } from "../support/petition-fixtures";

/**
 * The notifications, the home page and the public news read many petitions' timelines in one go
 * (petitionsEvents: one query per source for all of them). Each petition's events must be exactly
 * its own, as read alone — a memo answering two petitions is news of both, and of no third.
 */

updateSettings(DEFAULT_SETTINGS, [{ threshold: 4, responseRequired: true, responseDays: 14 }], CLI_ACTOR);
const company = makeCompany(40);
/** Nine o'clock some forty days ago: computed, so no date here passes. */
const T0 = startOfDay(Date.now() - 40 * DAY_MS) + 9 * HOUR_MS;

describe("timelines read together", () => {
  it("give each petition exactly the events it has when read alone", async () => {
    const answered = await answeredPetition(
      company,
      {
        policy: "Keystroke logging",
        memo: "We pause the logging",
        commitments: ["A pause button", "Exemptions"],
      },
      T0,
      6,
    );
    const second = openPetition(company, "Publish what the logger keeps");
    const bystander = openPetition(company, "Quiet rooms on every floor");
    postPetitionUpdate(bystander.id, "We meet facilities on Friday.", company.member(0), T0 + DAY_MS);
    // One memo answers the first two petitions, with a commitment changed later.
    const memo = saveAnnouncement(
      null,
      announcementInputSchema.parse({
        title: "What the logger keeps, and for how long",
        body: "We will publish the retention periods.",
        responses: [
          { petitionId: String(answered.petition.id), stance: "accepted" },
          { petitionId: String(second.id), stance: "accepted" },
        ],
        commitments: [{ text: "Publish retention periods", status: "planned" }],
      }),
      company.leader,
      T0 + 25 * DAY_MS,
    );
    publishAnnouncement(memo.id, company.leader, T0 + 26 * DAY_MS);
    const [commitment] = getDb()
      .select()
      .from(commitments)
      .where(eq(commitments.announcementId, memo.id))
      .all();
    if (!commitment) throw new Error("no commitment");
    updateCommitment(commitment.id, { status: "done", note: "Published" }, company.leader, T0 + 27 * DAY_MS);

    const rows = [answered.petition, second, bystander].map((p) => {
      const row = findPetition(p.slug);
      if (!row) throw new Error("no petition");
      return row;
    });
    const together = petitionsEvents(rows);
    for (const row of rows) expect(together.get(row.id)).toEqual(petitionEvents(row));

    const kinds = (id: number) => (together.get(id) ?? []).map((e) => e.key);
    const shared = [`response-${memo.id}`, expect.stringMatching(/^commitment-update-/)];
    expect(kinds(answered.petition.id)).toEqual(expect.arrayContaining(["milestone-4", "closed", ...shared]));
    expect(kinds(second.id)).toEqual(expect.arrayContaining(shared));
    expect(kinds(second.id).filter((k) => k.startsWith("commitment-update-"))).toHaveLength(2);
    expect(kinds(second.id)).not.toContain("milestone-4");
    expect(kinds(bystander.id).sort()).toEqual(["created", "opened", expect.stringMatching(/^update-/)]);
  });
});
