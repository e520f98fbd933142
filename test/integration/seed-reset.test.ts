import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { sendFeedbackAnonymously } from "../../app/demo/anonymous-signer.server";
import { wipeData } from "../../app/demo/seed.server";
import { postComment } from "../../app/domain/discussion/posting.server";
import { signPetition } from "../../app/domain/petitions/signing.server";
import { postPetitionUpdate } from "../../app/domain/petitions/updates.server";
import { createPolicy } from "../../app/domain/policies/registry.server";
import { getDb } from "../../db/client";
import { signAnonymously } from "../support/anonymous";
import { makeCompany, openPetition } from "../support/petition-fixtures";

describe("resetting the demo data", () => {
  it("empties every data table — whatever references what — and keeps the configuration", async () => {
    const company = makeCompany(10);
    const [a, b] = company.staff;
    if (!a || !b) throw new Error("staff missing");
    const petition = openPetition(company);
    await signPetition({ noAnonymousSignature: true, petitionId: petition.id, user: b, ip: null });
    await signAnonymously(petition.id, a);
    await postComment({ type: "petition", id: petition.id }, { body: "First", anonymous: false }, b);
    postPetitionUpdate(petition.id, "An update for the signers of this petition.", a);
    const policy = createPolicy(
      {
        title: "Logging policy",
        summary: "What is logged and why.",
        body: "Everything typed is logged for training.",
        effectiveAt: new Date(0),
        changeSummary: "First",
      },
      company.leader,
    );
    await sendFeedbackAnonymously(policy.id, b, { body: "Too much" });
    const db = getDb();
    const rows = (table: string) => db.get<{ n: number }>(sql.raw(`select count(*) as n from "${table}"`)).n;
    const settingsBefore = rows("milestone_defaults");
    db.transaction((tx) => wipeData(tx));
    for (const table of [
      "people",
      "petitions",
      "signatures",
      "ledger_entries",
      "comments",
      "comment_threads",
      "policies",
      "policy_versions",
      "policy_feedback",
      "petition_updates",
      "outbox",
      "audit_log",
      "milestones",
    ]) {
      expect(rows(table), table).toBe(0);
    }
    expect(rows("milestone_defaults")).toBe(settingsBefore);
    // The append-only triggers are back.
    expect(
      db.all<{ name: string }>(
        sql`select name from sqlite_master where type = 'trigger' and sql like '%append-only%'`,
      ).length,
    ).toBeGreaterThan(0);
  });
});
