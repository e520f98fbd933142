import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { grantRole } from "../../app/domain/identity/permissions.server";
import type { User } from "../../app/domain/identity/sessions.server";
import { transitionPetition } from "../../app/domain/petitions/lifecycle.server";
import { findPetition, listCoSponsors } from "../../app/domain/petitions/reads.server";
import { CLI_ACTOR, listAuditEntries } from "../../app/platform/security/audit.server";
import * as discussionRoute from "../../app/routes/discussions.$subjectType.$subjectId";
import * as petitionRoute from "../../app/routes/petitions.$slug._index";
import { getDb } from "../../db/client";
import { outbox } from "../../db/schema";
import { callRoute } from "../support/fixtures";
import { draftPetition, makeCompany, openPetition } from "../support/petition-fixtures";

/**
 * Co-sponsors and an early close: what the creator alone decides, what needs a moderator without a
 * stake, and that a petition still collecting co-sponsors is found by its link only.
 */

const company = makeCompany(24);
const staff = company.member;

describe("co-sponsors and an early close", () => {
  it("lets the creator alone drop a co-sponsor before opening, which sends a petition short of them back to collecting", async () => {
    const creator = staff(0);
    const sponsorModerator = staff(17);
    grantRole(sponsorModerator.id, "moderator", CLI_ACTOR);
    const petition = draftPetition(creator, "A petition a stranger co-sponsored");
    transitionPetition(petition.id, { action: "submit" }, creator);
    for (const s of [staff(7), staff(8), staff(9)])
      transitionPetition(petition.id, { action: "co-sponsor" }, s);
    expect(findPetition(petition.slug)?.state).toBe("awaiting_moderation");
    const drop = (who: User, personId: number) =>
      callRoute(
        petitionRoute,
        "action",
        who,
        `/petitions/${petition.slug}`,
        { slug: petition.slug },
        {
          intent: "drop-co-sponsor",
          personId: String(personId),
        },
      );
    // A co-sponsor cannot drop another (they see it awaiting moderation, but it is not theirs), nor can a moderator.
    expect((await drop(staff(8), staff(7).id)).status).toBe(403);
    expect((await drop(company.moderator, staff(7).id)).status).toBe(403);
    expect((await drop(creator, staff(7).id)).status).toBe(302);
    expect(findPetition(petition.slug)?.state).toBe("collecting");
    // Collecting, a co-sponsor sees it and still cannot drop another.
    expect((await drop(staff(8), staff(9).id)).status).toBe(403);
    expect(listCoSponsors(petition.id).map((c) => c.id)).toEqual([staff(8).id, staff(9).id]);
    // Dropped once is dropped: they cannot co-sponsor it again, and a second drop is a 409.
    expect(() => transitionPetition(petition.id, { action: "co-sponsor" }, staff(7))).toThrow();
    expect((await drop(creator, staff(7).id)).status).toBe(409);
    transitionPetition(petition.id, { action: "co-sponsor" }, sponsorModerator);
    expect(findPetition(petition.slug)?.state).toBe("awaiting_moderation");
    transitionPetition(petition.id, { action: "approve" }, company.moderator);
    // Open: co-sponsors stay (their endorsement is part of its record).
    expect((await drop(creator, staff(8).id)).status).toBe(409);
    expect(listCoSponsors(petition.id)).toHaveLength(3);
    expect(listAuditEntries({ action: "petition.co-sponsor.drop" }).entries).toHaveLength(1);
  });

  it("finds a petition collecting co-sponsors by its link, not by counting up numbers", async () => {
    const petition = draftPetition(staff(0), "A petition shared with a few colleagues only");
    transitionPetition(petition.id, { action: "submit" }, staff(0));
    const get = (who: User, address: string) =>
      callRoute(petitionRoute, "loader", who, `/petitions/${address}`, { slug: address });
    const coSponsor = (who: User, address: string) =>
      callRoute(
        petitionRoute,
        "action",
        who,
        `/petitions/${address}`,
        { slug: address },
        {
          intent: "transition",
          step: "co-sponsor",
        },
      );
    expect((await get(staff(9), String(petition.id))).status).toBe(404);
    expect((await coSponsor(staff(9), String(petition.id))).status).toBe(404);
    expect(listCoSponsors(petition.id)).toEqual([]);
    // With the link it shares, a colleague co-sponsors; its creator and moderators find it either way.
    expect((await get(staff(9), petition.slug)).status).toBe(200);
    expect((await coSponsor(staff(9), petition.slug)).status).toBe(302);
    expect((await get(staff(0), String(petition.id))).status).toBe(200);
    expect((await get(company.moderator, String(petition.id))).status).toBe(200);
  });

  it("makes an early close the creator's request, with a reason, that a moderator without a stake decides", async () => {
    const creator = staff(0);
    const sponsorModerator = staff(18);
    grantRole(sponsorModerator.id, "moderator", CLI_ACTOR);
    const petition = draftPetition(creator, "A petition its creator wants closed early");
    transitionPetition(petition.id, { action: "submit" }, creator);
    for (const s of [staff(7), staff(8), sponsorModerator])
      transitionPetition(petition.id, { action: "co-sponsor" }, s);
    transitionPetition(petition.id, { action: "approve" }, company.moderator);
    const step = (who: User, fields: Record<string, string>) =>
      callRoute(
        petitionRoute,
        "action",
        who,
        `/petitions/${petition.slug}`,
        { slug: petition.slug },
        {
          intent: "transition",
          ...fields,
        },
      );
    const reason = "The policy it targets was withdrawn last week.";
    // Neither a co-sponsor nor the creator closes it: the creator asks.
    expect((await step(staff(7), { step: "request-close", reason })).status).toBe(403);
    expect((await step(creator, { step: "close" })).status).toBe(403);
    expect((await step(creator, { step: "request-close", reason })).status).toBe(302);
    expect((await step(creator, { step: "request-close", reason })).status).toBe(409);
    const asked = findPetition(petition.slug);
    expect(asked).toMatchObject({ state: "open", closeRequestReason: reason });
    const mail = getDb()
      .select()
      .from(outbox)
      .where(eq(outbox.kind, "petition.close_requested"))
      .all()
      .filter((m) => m.petitionId === petition.id);
    // The moderators without a stake are asked; the one who co-sponsored it is not, and cannot close it.
    expect(mail.map((m) => m.toAddress)).toContain(company.moderator.email);
    expect(mail.map((m) => m.toAddress)).not.toContain(sponsorModerator.email);
    expect(mail[0]?.textBody).toContain(reason);
    expect((await step({ ...sponsorModerator, roles: ["moderator"] }, { step: "close" })).status).toBe(403);
    expect((await step(company.moderator, { step: "close" })).status).toBe(302);
    expect(findPetition(petition.slug)).toMatchObject({ state: "closed", wonAt: null });
  });
});

describe("a petition collecting co-sponsors", () => {
  it("is not found by number through its discussion, by viewing or by posting; its organizers and moderators find it, and an open petition's discussion is everyone's", async () => {
    const creator = staff(0);
    const petition = draftPetition(creator, "A petition shared with a few colleagues only, again");
    transitionPetition(petition.id, { action: "submit" }, creator);
    const discussion = `/discussions/petition/${petition.id}`;
    const params = { subjectType: "petition", subjectId: String(petition.id) };
    const view = (who: User | null) => callRoute(discussionRoute, "loader", who, discussion, params);
    const stranger = staff(7);
    const seen = await view(stranger);
    expect(seen.status).toBe(404);
    expect(await seen.text()).not.toContain(petition.title);
    expect((await view(null)).status).toBe(404);
    // Posting answered "the discussion opens when the petition opens": that told the number was a petition collecting.
    const post = await callRoute(discussionRoute, "action", stranger, discussion, params, {
      intent: "post",
      body: "Is there anything here?",
    });
    expect(post.status).toBe(404);
    expect(await post.text()).not.toMatch(/opens when/);
    // Those it is shared with by right see it either way; colleagues with its link see the petition.
    expect((await view(creator)).status).toBe(200);
    expect((await view(company.moderator)).status).toBe(200);
    const bySlug = await callRoute(petitionRoute, "loader", stranger, `/petitions/${petition.slug}`, {
      slug: petition.slug,
    });
    expect(bySlug.status).toBe(200);
    const open = openPetition(company, "An open petition with a discussion");
    expect(
      (
        await callRoute(discussionRoute, "loader", stranger, `/discussions/petition/${open.id}`, {
          subjectType: "petition",
          subjectId: String(open.id),
        })
      ).status,
    ).toBe(200);
  });
});
