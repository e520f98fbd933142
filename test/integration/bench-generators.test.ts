import { describe, expect, it } from "vitest";
import { checkCounts } from "../../app/domain/petitions/counts.server";
import { verifyLedger } from "../../app/domain/petitions/ledger.server";
import { insertPeople, insertSessions, insertSignatures } from "../../bench/generate";
import { getDb } from "../../db/client";
import { makeCompany, openPetition } from "../support/petition-fixtures";

/**
 * The benchmarks' data generators write rows as the domain would: they are not run by `npm test`
 * otherwise, and a schema change once left bench:page and bench:scale unable to start unnoticed.
 */
describe("the benchmarks' generators", () => {
  it("write people, sessions and signatures the domain reads back consistently", async () => {
    const company = makeCompany(6);
    const petition = openPetition(company, "Generated petition");
    const people = insertPeople(30, "generated");
    insertSignatures(petition.id, people, { from: Date.now() - 86_400_000, to: Date.now() - 60_000 });
    expect(checkCounts().ok).toBe(true);
    expect(verifyLedger(petition.id).ok).toBe(true);
    const rows = getDb()
      .$client.prepare<[number], { visibility: string; department: string | null }>(
        "select visibility, department from signatures where petition_id = ?",
      )
      .all(petition.id);
    expect(rows).toHaveLength(30);
    // Public signatures carry the signer's department, as signPetition writes them; anonymous ones none.
    expect(rows.filter((r) => r.visibility === "public").every((r) => r.department !== null)).toBe(true);
    expect(rows.filter((r) => r.visibility === "anonymous").every((r) => r.department === null)).toBe(true);
    const cookies = await insertSessions(people.slice(0, 3));
    expect(cookies).toHaveLength(3);
    for (const cookie of cookies) expect(cookie).toMatch(/^__session=/);
  });
});
