import { describe, expect, it } from "vitest";
import { listCoSponsors } from "../../app/domain/petitions/reads.server";
import { mayReadSignerNames } from "../../app/domain/petitions/rights.server";
import * as apiPetitionRoute from "../../app/routes/api.petitions.$idOrSlug._index";
import * as discussionRoute from "../../app/routes/discussions.$subjectType.$subjectId";
import * as petitionRoute from "../../app/routes/petitions.$slug._index";
import * as feedRoute from "../../app/routes/petitions.$slug.feed[.]atom";
import * as signersRoute from "../../app/routes/petitions.$slug.signers";
import { signAs } from "../support/anonymous";
import { callRoute } from "../support/fixtures";
import { makeCompany, openPetition } from "../support/petition-fixtures";

/**
 * Names belong to colleagues, counts to everyone: a reader who is not signed in reads how many
 * signed, publicly and anonymously, and no public signer's name or department — on the signers page,
 * in the JSON API or in the Atom feed.
 */

const company = makeCompany(12);
const petition = openPetition(company, "Let staff choose their own standing desks");
const signers = company.staff.slice(4, 8);
// Each gives a reason: a signer's reason is a comment in the discussion, under their name.
for (const user of signers)
  await signAs("public", { petitionId: petition.id, user, ip: null, reason: "My wrists need it." });
await signAs("anonymous", {
  petitionId: petition.id,
  user: company.staff[9] as NonNullable<(typeof company.staff)[9]>,
  ip: null,
});
const path = `/petitions/${petition.slug}/signers`;
const names = signers.map((s) => s.name ?? "");

describe("public signers' names", () => {
  it("are read by colleagues, and by nobody signed out, who reads the counts", async () => {
    expect(mayReadSignerNames(null)).toBe(false);
    expect(mayReadSignerNames(company.staff[0] ?? null)).toBe(true);

    const colleague = await (
      await callRoute(signersRoute, "loader", company.staff[0] ?? null, path, { slug: petition.slug })
    ).json();
    expect(colleague).toMatchObject({ namesShown: true, publicCount: 4, anonymousCount: 1 });
    expect((colleague as { signers: Array<{ name: string; department: string }> }).signers).toHaveLength(4);
    for (const name of names) expect(JSON.stringify(colleague)).toContain(name);

    const outsider = await callRoute(signersRoute, "loader", null, path, { slug: petition.slug });
    expect(outsider.status).toBe(200);
    const shown = await outsider.json();
    expect(shown).toMatchObject({ namesShown: false, signers: [], publicCount: 4, anonymousCount: 1 });
    const text = JSON.stringify(shown);
    for (const name of names) expect(text).not.toContain(name);
    expect(text).not.toContain("Engineering");
  });

  it("are in neither the JSON API nor the Atom feed, which everyone reads", async () => {
    const api = await (
      await callRoute(apiPetitionRoute, "loader", null, `/api/petitions/${petition.slug}`, {
        idOrSlug: petition.slug,
      })
    ).text();
    const feed = await (
      await callRoute(feedRoute, "loader", null, `/petitions/${petition.slug}/feed.atom`, {
        slug: petition.slug,
      })
    ).text();
    expect(api).toContain(petition.title);
    for (const body of [api, feed]) {
      for (const name of names) expect(body).not.toContain(name);
      expect(body).not.toContain("Engineering");
    }
  });

  it("are neither beside their reasons in the discussion nor among the co-sponsors, for anyone signed out", async () => {
    const coSponsors = listCoSponsors(petition.id).map((c) => c.name ?? "");
    expect(coSponsors.length).toBeGreaterThan(0);
    const read = async (viewer: (typeof company.staff)[number] | null) => [
      await (
        await callRoute(petitionRoute, "loader", viewer ?? null, `/petitions/${petition.slug}`, {
          slug: petition.slug,
        })
      ).text(),
      await (
        await callRoute(discussionRoute, "loader", viewer ?? null, `/discussions/petition/${petition.id}`, {
          subjectType: "petition",
          subjectId: String(petition.id),
        })
      ).text(),
    ];
    const [page, discussion] = await read(null);
    expect(page).toContain("My wrists need it.");
    for (const body of [page, discussion]) {
      for (const name of [...names, ...coSponsors]) expect(body).not.toContain(name);
      expect(body).not.toContain("Engineering");
    }
    // A colleague reads who said it.
    const [colleaguePage] = await read(company.staff[0] ?? null);
    for (const name of [...names, ...coSponsors]) expect(colleaguePage).toContain(name);
  });
});
