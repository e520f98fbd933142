import { describe, expect, it } from "vitest";
import { auditLogInWords } from "../../app/domain/audit/audit-entries.server";
import { grantRole } from "../../app/domain/identity/permissions.server";
import { importDirectory } from "../../app/domain/people/directory-import.server";
import { createPolicy } from "../../app/domain/policies/registry.server";
import { en } from "../../app/i18n/catalogs/en";
import { intlFor, translatorOf } from "../../app/i18n/translate";
import { CLI_ACTOR, recordAudit } from "../../app/platform/security/audit.server";
import * as auditRoute from "../../app/routes/admin.audit";
import { AUDIT_ACTIONS } from "../../app/vocabulary/audit-actions";
import { getDb } from "../../db/client";
import { dayFromNow } from "../support/dates";
import { callRoute } from "../support/fixtures";
import { makeCompany, openPetition } from "../support/petition-fixtures";

const company = makeCompany(10);
const admin = company.staff[9];
if (!admin) throw new Error("no admin");
grantRole(admin.id, "admin", CLI_ACTOR);
admin.roles = ["admin"];
const actor = { id: admin.id, email: admin.email };
const petition = openPetition(company, "Let staff keep their own desk");
grantRole(company.staff[1]?.id ?? 0, "moderator", actor);
importDirectory(
  "email,name,department,location\nstaff2@corp.example,Staff Member 2,Research,Berlin\n",
  actor,
);
const policy = createPolicy(
  {
    title: "Desk booking",
    summary: "How desks are booked on office days.",
    body: "Desks are booked a day ahead.",
    changeSummary: "First version",
    effectiveAt: new Date(`${dayFromNow(-30)}T00:00:00Z`),
  },
  company.leader,
);

const t = translatorOf(intlFor("en", "UTC", en));
type Entry = ReturnType<typeof auditLogInWords>["entries"][number];
/** The entry's sentence as the page says it, in English, with who and what filled in as text. */
const sentence = (e: Entry) =>
  t(e.said, { who: e.actor.text, target: e.target?.text ?? "", action: e.actionInWords });

/** An action code (role.grant, petition.co-sponsor.drop). */
const CODE = /\b[a-z-]+\.[a-z.-]+\b/;

describe("the audit log in words", () => {
  it("says each action as a sentence, names its target with a link, and lists details without codes, ids or JSON", () => {
    const { entries } = auditLogInWords({});
    const grant = entries.find((e) => e.action === "role.grant" && e.actor.text === "Staff Member 10");
    expect(grant && sentence(grant)).toBe("Staff Member 10 granted a role to Staff Member 2.");
    expect(grant).toMatchObject({
      actor: { text: "Staff Member 10", email: admin.email },
      target: { text: "Staff Member 2", to: `/admin/people/${company.staff[1]?.id}` },
      details: [
        { label: "Role", value: { text: "moderator" } },
        { label: "Email", value: { text: "staff2@corp.example" } },
      ],
    });
    const approve = entries.find((e) => e.action === "petition.approve");
    expect(approve && sentence(approve)).toBe(
      "Morgan Moderator approved the petition “Let staff keep their own desk”.",
    );
    expect(approve?.target).toEqual({
      text: "the petition “Let staff keep their own desk”",
      to: `/petitions/${petition.slug}`,
    });
    expect(approve?.actor.text).toBe("Morgan Moderator");

    const created = entries.find((e) => e.action === "policy.create");
    expect(created && sentence(created)).toMatch(/ created the policy “Desk booking”\.$/);
    expect(created?.target).toEqual({ text: "the policy “Desk booking”", to: `/policies/${policy.slug}` });

    // The directory import's moves are a list in words, not JSON.
    const imported = entries.find(
      (e) => e.action === "directory.import" && e.actor.text === "Staff Member 10",
    );
    expect(imported?.details).toContainEqual({
      label: "Who moved",
      value: { items: ["staff2@corp.example: department Engineering → Research; location London → Berlin"] },
    });
    expect(imported?.details).toContainEqual({
      label: "Deactivate everyone not in the file",
      value: { text: "no" },
    });

    // The command line and the server are said in words.
    expect(entries.some((e) => e.actor.text === "The command line")).toBe(true);
    for (const entry of entries) {
      expect(sentence(entry)).not.toMatch(CODE);
      for (const { value } of entry.details)
        for (const text of "text" in value ? [value.text] : "items" in value ? value.items : [])
          expect(text).not.toMatch(/[{}[\]]|":/);
    }
  });

  it("filters by plain names: the actions by what happened, the actor by email or by the words the page shows", async () => {
    const { actions } = auditLogInWords({});
    expect(actions).toContainEqual({ value: "role.grant", name: "Role granted" });
    expect(actions.map((a) => a.name)).toEqual(
      [...actions.map((a) => a.name)].sort((a, b) => a.localeCompare(b)),
    );
    expect(actions.every((a) => !CODE.test(a.name))).toBe(true);
    expect(
      auditLogInWords({ action: "role.grant" }).entries.every((e) =>
        sentence(e).includes(" granted a role to "),
      ),
    ).toBe(true);
    const byCli = auditLogInWords({ who: "The command line" }).entries;
    expect(byCli.length).toBeGreaterThan(0);
    expect(byCli.every((e) => e.actor.text === "The command line")).toBe(true);
    expect(
      auditLogInWords({ who: admin.email.toUpperCase() }).entries.every((e) => e.actor.email === admin.email),
    ).toBe(true);

    const response = await callRoute(
      auditRoute,
      "loader",
      admin,
      "/admin/audit?who=cli&action=role.grant",
      {},
    );
    expect(response.status).toBe(200);
    const staffResponse = await callRoute(auditRoute, "loader", company.staff[3] ?? null, "/admin/audit", {});
    expect(staffResponse.status).toBe(403);
  });
});

describe("every action the log knows", () => {
  it("has a name for the filter and a sentence in the catalogs, the sentence naming who acted", () => {
    for (const code of AUDIT_ACTIONS) {
      expect(Object.hasOwn(en, `admin.audit.action.${code}`), code).toBe(true);
      expect(en[`admin.audit.said.${code}` as keyof typeof en], code).toMatch(/\{who\}/);
    }
  });

  it("says a code the catalogs do not know yet in words, never blank", () => {
    recordAudit(getDb(), CLI_ACTOR, "petition.teleport", { type: "petition", id: String(petition.id) });
    const entry = auditLogInWords({ action: "petition.teleport" }).entries[0];
    expect(entry && sentence(entry)).toBe(
      "The command line did “petition teleport” to the petition “Let staff keep their own desk”.",
    );
    expect(auditLogInWords({}).actions).toContainEqual({
      value: "petition.teleport",
      name: "Petition teleport",
    });
  });
});
