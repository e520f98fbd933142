import { describe, expect, it } from "vitest";
import { findPetition } from "../../app/domain/petitions/reads.server";
import { signPetition } from "../../app/domain/petitions/signing.server";
import { petitionTimeline } from "../../app/domain/petitions/timeline.server";
import { resetRateLimits } from "../../app/platform/security/rate-limits.server";
import { MINUTE_MS } from "../../app/platform/time";
import * as petitionRoute from "../../app/routes/petitions.$slug._index";
import * as invalidateRoute from "../../app/routes/petitions.$slug.invalidate";
import { callRoute } from "../support/fixtures";
import { makeCompany, openPetition } from "../support/petition-fixtures";

const company = makeCompany(20);
const { moderator } = company;

async function signedBy(petitionId: number, indexes: number[], at: number) {
  for (const i of indexes) {
    const user = company.staff[i];
    if (!user) throw new Error(`no staff ${i}`);
    resetRateLimits();
    await signPetition({ noAnonymousSignature: true, petitionId, user, ip: "192.0.2.10" }, at);
  }
}

describe("an invalidation of signatures", () => {
  it("appears on the petition's public timeline as a number and a category: never who, nor the moderator's words", async () => {
    const petition = openPetition(company, "Let staff opt out of keystroke logging");
    const at = Date.now();
    await signedBy(petition.id, [4, 5, 6, 7, 8, 9], at);
    await signedBy(petition.id, [10, 11, 12, 13, 14], at + 10 * MINUTE_MS);
    // The first six signed within a minute: a script, say.
    // Through the page, as a moderator confirms it: without a category it is refused, keeping the number.
    const path = `/petitions/${petition.slug}/invalidate`;
    const confirm = {
      intent: "confirm",
      from: new Date(at - MINUTE_MS).toISOString(),
      to: new Date(at + MINUTE_MS).toISOString(),
      expected: "6",
      reason: "Staff Member 5 ran a script from the shared kiosk",
    };
    const refused = await callRoute(
      invalidateRoute,
      "action",
      moderator,
      path,
      { slug: petition.slug },
      confirm,
    );
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ matched: 6 });
    expect(
      petitionTimeline(petition)
        .map((e) => e.text)
        .join("\n"),
    ).not.toContain("invalidated");

    const done = await callRoute(
      invalidateRoute,
      "action",
      moderator,
      path,
      { slug: petition.slug },
      {
        ...confirm,
        category: "automated",
      },
    );
    expect(done.status).toBe(302);
    const row = findPetition(petition.slug);
    if (!row) throw new Error("petition gone");
    expect(row.signatureCount).toBe(5);

    const page = await (
      await callRoute(petitionRoute, "loader", company.staff[15] ?? null, `/petitions/${petition.slug}`, {
        slug: petition.slug,
      })
    ).json();
    const events = (page.timeline as Array<{ text: string }>).filter((e) => /invalidated/.test(e.text));
    expect(events.map((e) => e.text)).toEqual([
      "6 signatures invalidated by a moderator: signed automatically, in bulk",
    ]);
    const told = JSON.stringify(page.timeline);
    for (const word of ["Staff Member", "script", "kiosk", "staff"]) expect(told).not.toContain(word);
  });
});
