import { describe, expect, it } from "vitest";
import { editPetition } from "../../app/domain/petitions/drafting.server";
import { createPolicy, listPolicies, publishPolicyVersion } from "../../app/domain/policies/registry.server";
import { DAY_MS } from "../../app/platform/time";
import * as policiesRoute from "../../app/routes/policies._index";
import { thisHour } from "../support/dates";
import { callRoute } from "../support/fixtures";
import { makeCompany, openPetition } from "../support/petition-fixtures";

const company = makeCompany(8);
const now = thisHour();
const body = (n: number) => `Version ${n}: keystrokes and clicks are logged on company machines.`;

/** Two policies, so a subquery that read its own row's id instead of the policy's would show. */
const other = createPolicy(
  {
    title: "Travel and expenses",
    summary: "What the company pays for when staff travel for work.",
    body: "Economy class for flights under six hours.",
    changeSummary: "First version",
    effectiveAt: new Date(now - 30 * DAY_MS),
  },
  company.leader,
  now - 30 * DAY_MS,
);
const logging = createPolicy(
  {
    title: "Model Capability Initiative data collection",
    summary: "What is logged from staff machines to train AI models, and how to opt out.",
    body: body(1),
    changeSummary: "First version",
    effectiveAt: new Date(now - 20 * DAY_MS),
  },
  company.leader,
  now - 20 * DAY_MS,
);

const listed = (slug: string, at = now) => {
  const row = listPolicies(at).find((p) => p.slug === slug);
  if (!row) throw new Error(`${slug} not listed`);
  return { currentVersion: row.currentVersion, versions: row.versions, petitions: row.petitions };
};

describe("the Policies list", () => {
  it("shows the version in force and how many versions there are, as each policy's page does", () => {
    const v2 = { body: body(2), changeSummary: "Opt-out added" };
    publishPolicyVersion(logging.id, { ...v2, effectiveAt: new Date(now - 10 * DAY_MS) }, company.leader, {
      now: now - 10 * DAY_MS,
    });
    expect(listed(logging.slug)).toMatchObject({ currentVersion: 2, versions: 2 });

    // Version 3 is published today but takes effect next week: listed, not yet in force.
    const v3 = { body: body(3), changeSummary: "Retention shortened" };
    publishPolicyVersion(logging.id, { ...v3, effectiveAt: new Date(now + 7 * DAY_MS) }, company.leader, {
      now,
    });
    expect(listed(logging.slug)).toMatchObject({ currentVersion: 2, versions: 3 });
    expect(listed(logging.slug, now + 8 * DAY_MS)).toMatchObject({ currentVersion: 3, versions: 3 });
    expect(listed(other.slug)).toMatchObject({ currentVersion: 1, versions: 1 });
  });

  it("counts the public petitions about each policy", async () => {
    expect(listed(logging.slug).petitions).toBe(0);
    for (const title of ["Let staff opt out of keystroke logging", "Publish what the logging model learns"]) {
      const petition = openPetition(company, title);
      // A moderator links the open petition to the policy it asks to change.
      editPetition(
        petition.id,
        { title: petition.title, summary: petition.summary, body: petition.body, policyId: logging.id },
        company.moderator,
      );
    }
    expect(listed(logging.slug).petitions).toBe(2);
    expect(listed(other.slug).petitions).toBe(0);

    const page = await (await callRoute(policiesRoute, "loader", null, "/policies", {})).json();
    const row = page.policies.find((p: { slug: string }) => p.slug === logging.slug);
    expect(row).toMatchObject({ versions: 3, petitions: 2 });
  });
});
