import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { addMilestone, approveResponseObligation } from "../../app/domain/petitions/drafting.server";
import { transitionPetition } from "../../app/domain/petitions/lifecycle.server";
import { findPetition, listMilestones } from "../../app/domain/petitions/reads.server";
import { CLI_ACTOR, listAuditEntries } from "../../app/platform/security/audit.server";
import { resetRateLimits } from "../../app/platform/security/rate-limits.server";
import {
  DEFAULT_SETTINGS,
  getMilestoneDefaults,
  updateSettings,
} from "../../app/platform/site/settings.server";
import * as petitionRoute from "../../app/routes/petitions.$slug._index";
import { getDb } from "../../db/client";
import { milestones, outbox } from "../../db/schema";
import { signPublicly } from "../support/anonymous";
import { callRoute } from "../support/fixtures";
import { draftPetition, makeCompany, openPetition } from "../support/petition-fixtures";

/** A creator's own milestones are capped, and a response obligation is a request a moderator approves. */

const company = makeCompany(24);
const staff = company.member;

describe("milestones", () => {
  it("caps a creator's own milestones (a few, well apart) and makes a response obligation a request", async () => {
    const petition = draftPetition(staff(0));
    const add = (threshold: number, responseDays: number | null = null) =>
      addMilestone(
        petition.id,
        { threshold, responseRequired: responseDays !== null, responseDays },
        staff(0),
      );
    // The attack: 25 milestones with 1-day deadlines. The form refuses 1 day…
    const route = await callRoute(
      petitionRoute,
      "action",
      staff(0),
      `/petitions/${petition.slug}`,
      { slug: petition.slug },
      {
        intent: "add-milestone",
        threshold: "250",
        responseRequired: "on",
        responseDays: "1",
      },
    );
    expect(route.status).toBe(400);
    // …the domain refuses a fourth, and one within 100 signatures of another.
    add(250, 7);
    expect(() => add(300)).toThrow(/at least 100 signatures apart/);
    add(800);
    add(1200);
    expect(() => add(5_000)).toThrow(/at most 3 milestones/);
    const own = listMilestones(petition.id).filter((m) => m.origin === "organizer");
    expect(own.map((m) => m.threshold)).toEqual([250, 800, 1200]);
    transitionPetition(petition.id, { action: "submit" }, staff(0));
    // Asked for, not required: no obligation on leadership until a moderator approves it.
    const asked = own.find((m) => m.threshold === 250);
    expect(asked).toMatchObject({ responseRequested: true, responseRequired: false, responseDays: 7 });
    // Not the creator, not a moderator with a stake, not staff: only another moderator approves.
    expect(() => approveResponseObligation(petition.id, asked?.id ?? 0, staff(0))).toThrow(/Only moderators/);
    approveResponseObligation(petition.id, asked?.id ?? 0, company.moderator);
    expect(listMilestones(petition.id).find((m) => m.threshold === 250)?.responseRequired).toBe(true);
    expect(listAuditEntries({ action: "petition.milestone.approve-response" }).entries).toHaveLength(1);
  });

  it("queues no response obligation (nor leadership's emails) for a milestone a moderator did not approve", async () => {
    const petition = openPetition(company, "Quieter open floors before the winter");
    const creator = staff(0);
    expect(creator.id).toBe(findPetition(petition.slug)?.creatorId);
    // Milestones are added before opening only: make one on a fresh draft, open it, then sign (no
    // default milestones here, so one at 2 signatures is far enough from every other).
    const defaults = getMilestoneDefaults();
    updateSettings(DEFAULT_SETTINGS, [], CLI_ACTOR);
    const draft = draftPetition(creator, "Longer lunch breaks on Fridays for everyone");
    updateSettings(DEFAULT_SETTINGS, defaults, CLI_ACTOR);
    addMilestone(draft.id, { threshold: 2, responseRequired: true, responseDays: 7 }, creator);
    transitionPetition(draft.id, { action: "submit" }, creator);
    for (const s of [staff(1), staff(2), staff(3)]) transitionPetition(draft.id, { action: "co-sponsor" }, s);
    transitionPetition(draft.id, { action: "approve" }, company.moderator);
    for (const s of [staff(10), staff(11)]) {
      resetRateLimits();
      await signPublicly(draft.id, s);
    }
    const reached = getDb()
      .select()
      .from(milestones)
      .all()
      .find((m) => m.petitionId === draft.id && m.threshold === 2);
    expect(reached?.reachedAt).not.toBeNull();
    expect(reached?.responseDueAt).toBeNull();
    const leadership = getDb()
      .select()
      .from(outbox)
      .where(eq(outbox.kind, "milestone.leadership"))
      .all()
      .filter((m) => m.petitionId === draft.id);
    expect(leadership).toEqual([]);
  });
});
