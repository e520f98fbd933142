import { describe, expect, it } from "vitest";
import { publishAnnouncement, saveAnnouncement } from "../../../app/domain/announcements/lifecycle.server";
import { postComment } from "../../../app/domain/discussion/posting.server";
import { grantRole } from "../../../app/domain/identity/permissions.server";
import type { User } from "../../../app/domain/identity/sessions.server";
import { transitionPetition } from "../../../app/domain/petitions/lifecycle.server";
import { inviteOrganizer } from "../../../app/domain/petitions/organizers.server";
import { postPetitionUpdate } from "../../../app/domain/petitions/updates.server";
import { CLI_ACTOR } from "../../../app/platform/security/audit.server";
import { resetRateLimits } from "../../../app/platform/security/rate-limits.server";
import * as announcementRoute from "../../../app/routes/announcements.$slug._index";
import * as myPetitionsRoute from "../../../app/routes/my.petitions";
import * as listRoute from "../../../app/routes/petitions._index";
import * as petitionRoute from "../../../app/routes/petitions.$slug._index";
import * as dashboardRoute from "../../../app/routes/petitions.$slug.dashboard";
import * as invitationRoute from "../../../app/routes/petitions.$slug.invitation";
import { signPublicly } from "../../support/anonymous";
import { callRoute } from "../../support/fixtures";
import { coOrganize, draftPetition, makeCompany } from "../../support/petition-fixtures";

/**
 * Loader data reaches the browser whole: it carries no person id, no directory row and no time finer
 * than the page shows (exact times line up with the ledger), to any viewer, on any page.
 */

const company = makeCompany(24);
const staff = company.member;

/** Every key path and value of a JSON document. */
function* walk(value: unknown, path = ""): Generator<[string, unknown]> {
  yield [path, value];
  if (Array.isArray(value)) for (const [i, item] of value.entries()) yield* walk(item, `${path}[${i}]`);
  else if (value && typeof value === "object")
    for (const [key, item] of Object.entries(value)) yield* walk(item, path ? `${path}.${key}` : key);
}

const PERSON_KEYS =
  /(^|\.)(creatorId|authorId|personId|byId|hiddenById|addedById|invitedById|email|ledgerHead|ipHash|department|location)$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** What of this loader data is more than its page shows: a person's id or directory row, or a time finer than a minute. */
function overshares(data: unknown, who: string, allowed: RegExp | null = null): string[] {
  const problems: string[] = [];
  for (const [path, value] of walk(data)) {
    if (PERSON_KEYS.test(path) && value !== null && !allowed?.test(path))
      problems.push(`${who}: ${path} = ${JSON.stringify(value)}`);
    if (typeof value === "number" && /(At|\.at|\.on)$/.test(path) && value > 1e12 && value % 60_000 !== 0)
      problems.push(`${who}: ${path} = ${value}`);
    if (typeof value === "string" && ISO.test(value)) {
      const t = new Date(value);
      // The pages show days and minutes: nothing finer (exact times line up with the ledger).
      if (t.getUTCSeconds() !== 0 || t.getUTCMilliseconds() !== 0)
        problems.push(`${who}: ${path} = ${value}`);
    }
  }
  return problems;
}

const loaderData = async (
  route: Parameters<typeof callRoute>[0],
  viewer: User | null,
  path: string,
  params: Record<string, string> = {},
): Promise<unknown> => {
  const response = await callRoute(route, "loader", viewer, path, params);
  expect(response.status, `${viewer?.name ?? "signed out"} on ${path}`).toBe(200);
  return response.json();
};

describe("loader data", () => {
  it("carries no person ids, no departments and no time finer than the page shows, to any viewer", async () => {
    const petition = draftPetition(staff(0), "A petition whose data is read whole by the browser");
    coOrganize(petition, staff(0), staff(21));
    transitionPetition(petition.id, { action: "submit" }, staff(0));
    for (const s of [staff(1), staff(2), staff(3)])
      transitionPetition(petition.id, { action: "co-sponsor" }, s);
    transitionPetition(petition.id, { action: "approve" }, company.moderator);
    for (const s of [staff(12), staff(13)]) {
      resetRateLimits();
      await signPublicly(petition.id, s);
    }
    resetRateLimits();
    await postComment(
      { type: "petition", id: petition.id },
      { body: "Named, and timed", anonymous: false },
      staff(14),
    );
    const problems: string[] = [];
    for (const viewer of [
      null,
      staff(12),
      staff(1),
      staff(21),
      staff(0),
      company.moderator,
      company.leader,
    ]) {
      const data = await loaderData(petitionRoute, viewer, `/petitions/${petition.slug}`, {
        slug: petition.slug,
      });
      problems.push(...overshares(data, viewer?.name ?? "signed out"));
    }
    expect(problems).toEqual([]);
  });

  it("holds for a memo's page too: its author, who acted on their behalf, its discussion", async () => {
    const memo = saveAnnouncement(
      null,
      {
        title: "On the data the browser gets",
        body: "Leadership answers here.",
        responses: [],
        commitments: [{ text: "Fewer meetings", dueAt: undefined, status: "planned" }],
      },
      company.leader,
    );
    const assistant = staff(18);
    grantRole(assistant.id, "leadership", CLI_ACTOR);
    const onBehalf: User = { ...assistant, roles: ["leadership"] };
    publishAnnouncement(memo.id, onBehalf, Date.now(), undefined, true);
    resetRateLimits();
    await postComment(
      { type: "announcement", id: memo.id },
      { body: "Named, and timed", anonymous: false },
      staff(14),
    );
    const problems: string[] = [];
    for (const viewer of [null, staff(14), onBehalf, company.leader]) {
      const data = await loaderData(announcementRoute, viewer, `/announcements/${memo.slug}`, {
        slug: memo.slug,
      });
      problems.push(...overshares(data, `memo, ${viewer?.name ?? "signed out"}`));
    }
    expect(problems).toEqual([]);
  });

  it("holds for the dashboard, the lists, My petitions and the invitation page too", async () => {
    const creator = staff(0);
    const petition = draftPetition(creator, "A petition whose dashboard data is read whole");
    coOrganize(petition, creator, staff(22));
    inviteOrganizer(petition.id, staff(23).email, creator);
    transitionPetition(petition.id, { action: "submit" }, creator);
    for (const s of [staff(1), staff(2), staff(3)])
      transitionPetition(petition.id, { action: "co-sponsor" }, s);
    transitionPetition(petition.id, { action: "approve" }, company.moderator);
    for (const s of [staff(15), staff(16)]) {
      resetRateLimits();
      await signPublicly(petition.id, s);
    }
    postPetitionUpdate(petition.id, "The first update, posted at an exact time.", creator);
    transitionPetition(petition.id, { action: "declare-victory", note: "We won it." }, creator);
    const admin = staff(19);
    grantRole(admin.id, "admin", CLI_ACTOR);
    const adminUser: User = { ...admin, roles: ["admin"] };
    const problems: string[] = [];
    const dashboard = `/petitions/${petition.slug}/dashboard`;
    // Signers by department and location are the page's small-group-suppressed counts; beside them,
    // the directory's headcounts of the groups shown (the bars' denominators), the folded ones as one sum.
    const breakdowns = /^dashboard\.breakdowns\.(headcounts\.)?(department|location)$/;
    // The creator's remove buttons post co-organizers' and invitees' ids: those only, and only to them.
    const creatorData = await loaderData(dashboardRoute, creator, dashboard, { slug: petition.slug });
    problems.push(
      ...overshares(
        creatorData,
        "creator",
        new RegExp(`${breakdowns.source}|^organizers\\[\\d+\\]\\.personId$`),
      ),
    );
    for (const [who, viewer] of [
      ["co-organizer", staff(22)],
      ["moderator", company.moderator],
      ["admin", adminUser],
    ] as const)
      problems.push(
        ...overshares(
          await loaderData(dashboardRoute, viewer, dashboard, { slug: petition.slug }),
          who,
          breakdowns,
        ),
      );
    for (const list of ["open", "won", "closed"])
      for (const viewer of [null, staff(15)])
        problems.push(
          ...overshares(await loaderData(listRoute, viewer, `/petitions?list=${list}`), `list ${list}`),
        );
    for (const [who, viewer] of [
      ["creator", creator],
      ["co-sponsor", staff(1)],
      ["co-organizer", staff(22)],
      ["signer", staff(15)],
    ] as const)
      problems.push(...overshares(await loaderData(myPetitionsRoute, viewer, "/my/petitions"), `my ${who}`));
    problems.push(
      ...overshares(
        await loaderData(invitationRoute, staff(23), `/petitions/${petition.slug}/invitation`, {
          slug: petition.slug,
        }),
        "invitee",
      ),
    );
    expect(problems).toEqual([]);
    // And the exception is the creator's alone.
    const coOrganizerView = await loaderData(dashboardRoute, staff(22), dashboard, { slug: petition.slug });
    const coOrganizerData = JSON.stringify(coOrganizerView);
    expect(coOrganizerData).not.toContain(`"personId":${staff(22).id}`);
    // Not in the list's keys either.
    expect(coOrganizerData).not.toContain(`co-organizer-${staff(22).id}"`);
    expect(coOrganizerData).not.toContain(`invited-${staff(23).id}"`);
    expect(JSON.stringify(creatorData)).toContain(`"personId":${staff(22).id}`);
  });
});
