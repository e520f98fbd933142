import { describe, expect, it } from "vitest";
import { rolesOf } from "../../app/domain/identity/permissions.server";
import type { User } from "../../app/domain/identity/sessions.server";
import { findPersonByEmail } from "../../app/domain/people/directory.server";
import { importDirectory } from "../../app/domain/people/directory-import.server";
import { petitionDashboard } from "../../app/domain/petitions/dashboard.server";
import { transitionPetition } from "../../app/domain/petitions/lifecycle.server";
import { findPetition } from "../../app/domain/petitions/reads.server";
import { CLI_ACTOR } from "../../app/platform/security/audit.server";
import { DAY_MS, startOfDay } from "../../app/platform/time";
import { getDb } from "../../db/client";
import { signAs } from "../support/anonymous";
import { makeCompany, openPetition } from "../support/petition-fixtures";

/**
 * The organizer dashboard shows each department's and location's public signers as a share of its
 * colleagues in the directory — through small-group suppression: a headcount only for a group shown,
 * the folded groups' as one sum beside their one combined count. A closed petition says when it
 * closed, not "Today 0".
 */

// 20 engineers in London, a moderator (People, Berlin), a leader (Operations, London)…
const company = makeCompany(20);
// …10 in Sales in New York, 3 in Legal in Berlin, and one engineer who left.
importDirectory(
  [
    "email,name,department,location",
    ...Array.from({ length: 10 }, (_, i) => `sales${i}@corp.example,Sales Person ${i},Sales,New York`),
    ...Array.from({ length: 3 }, (_, i) => `legal${i}@corp.example,Legal Person ${i},Legal,Berlin`),
  ].join("\n"),
  CLI_ACTOR,
);
const person = (email: string): User => {
  const found = findPersonByEmail(getDb(), email);
  if (!found) throw new Error(`${email} missing`);
  return { ...found, roles: rolesOf(found.id) };
};
const NOW = Date.now();
const YESTERDAY = startOfDay(NOW) - DAY_MS + 9 * 3_600_000;

const petition = openPetition(company, "Let every office choose its own heating schedule");
const signers = [
  ...company.staff.slice(4, 12), // 8 engineers, London
  ...Array.from({ length: 6 }, (_, i) => person(`sales${i}@corp.example`)), // 6 of 10 in Sales, New York
  ...Array.from({ length: 2 }, (_, i) => person(`legal${i}@corp.example`)), // 2 of 3 in Legal, Berlin
];
for (const [i, user] of signers.entries())
  await signAs("public", { petitionId: petition.id, user, ip: null }, YESTERDAY + i * 60_000);

describe("the dashboard's shares of headcount", () => {
  it("gives a headcount for each shown group, and the folded groups' only as one sum", async () => {
    const current = findPetition(String(petition.id));
    if (!current) throw new Error("petition missing");
    const { breakdowns } = await petitionDashboard(current, {}, NOW);
    // Legal (2), People (0) and Operations (0) are under 5; folding them alone would give away 2, so
    // Sales (6) joins them: only Engineering is shown.
    expect(breakdowns.department.rows.filter((r) => r.shown)).toEqual([
      { label: "Engineering", shown: true, total: 8 },
    ]);
    expect(breakdowns.department.folded).toBe(8);
    expect(breakdowns.headcounts.department).toEqual({ shown: { Engineering: 20 }, folded: 10 + 3 + 1 + 1 });
    // By location: London 8 of 21 (the leader too), New York 6 of 10; Berlin (2 signers) folded
    // alone would be told by subtraction, so New York joins it.
    expect(breakdowns.location.rows.filter((r) => r.shown)).toEqual([
      { label: "London", shown: true, total: 8 },
    ]);
    expect(breakdowns.headcounts.location).toEqual({ shown: { London: 21 }, folded: 10 + 4 });
    // No headcount of a folded group on its own.
    for (const label of ["Legal", "Sales", "People", "Operations"])
      expect(breakdowns.headcounts.department.shown).not.toHaveProperty(label);
  });

  it("says when a closed petition closed instead of counting today's and the week's signatures", async () => {
    const open = findPetition(String(petition.id));
    if (!open) throw new Error("petition missing");
    expect((await petitionDashboard(open, {}, NOW)).recent).toEqual({ today: 0, lastWeek: signers.length });
    transitionPetition(petition.id, { action: "close" }, company.moderator, NOW);
    const closed = findPetition(String(petition.id));
    if (!closed) throw new Error("petition missing");
    const dashboard = await petitionDashboard(closed, {}, NOW);
    expect(dashboard.recent).toBeNull();
    expect(dashboard.closedOn).toEqual(new Date(startOfDay(NOW)));
  });
});
