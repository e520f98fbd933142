import { count, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createSession } from "../../app/domain/identity/sessions.server";
import { findPersonByEmail } from "../../app/domain/people/directory.server";
import {
  importDirectory,
  MalformedDirectoryError,
  summarizeImport,
} from "../../app/domain/people/directory-import.server";
import { CLI_ACTOR } from "../../app/platform/security/audit.server";
import { getDb } from "../../db/client";
import { auditLog, people, sessions } from "../../db/schema";

const db = () => getDb();
const peopleCount = () => db().select({ n: count() }).from(people).get()?.n ?? 0;
const imp = (csv: string, deactivateMissing = false) =>
  importDirectory(csv, CLI_ACTOR, { deactivateMissing });

const GOOD = `email,name,department,location
ada@corp.example,Ada Lovelace,Engineering,London
Grace@Corp.Example,Grace Hopper,Research,New York
"linus@corp.example","Pauling, Linus",Legal,Berlin
`;

describe("importDirectory", () => {
  it("adds people, then re-importing the same file changes nothing", () => {
    const first = imp(GOOD);
    expect(first.added).toEqual([2, 3, 4]);
    expect(first.rejected).toEqual([]);
    expect(findPersonByEmail(db(), "GRACE@corp.example")?.name).toBe("Grace Hopper");
    expect(findPersonByEmail(db(), "linus@corp.example")?.name).toBe("Pauling, Linus");
    const again = imp(GOOD);
    expect(again).toMatchObject({
      added: [],
      updated: [],
      deactivated: [],
      unchanged: [2, 3, 4],
      rejected: [],
    });
    expect(peopleCount()).toBe(3);
  });

  it("upserts by email ignoring case and reports updated and deactivated rows by line", () => {
    const ada = findPersonByEmail(db(), "ada@corp.example");
    if (!ada) throw new Error("ada missing");
    createSession(db(), ada.id);
    const report = imp(`Email,Name,Department,Location,Active
ADA@CORP.EXAMPLE,Ada Lovelace,Engineering,London,false
grace@corp.example,Grace Hopper,Research,Remote,true
linus@corp.example,"Pauling, Linus",Legal,Berlin,yes
`);
    expect(report).toMatchObject({ added: [], updated: [3], deactivated: [2], unchanged: [4], rejected: [] });
    expect(findPersonByEmail(db(), "ada@corp.example")?.active).toBe(false);
    expect(findPersonByEmail(db(), "grace@corp.example")?.location).toBe("Remote");
    // Deactivation revokes sessions at once.
    expect(db().select().from(sessions).where(eq(sessions.personId, ada.id)).all()).toEqual([]);
    expect(peopleCount()).toBe(3);
  });

  it("rejects bad rows with their line numbers and applies the rest", () => {
    const report = imp(`email,name,department,location,active
new.one@corp.example,New One,Sales,Toronto,
not-an-email,Broken,Sales,Toronto,
new.two@corp.example,,Sales,Toronto,
new.three@corp.example,New Three,Sales,Toronto,maybe
NEW.ONE@corp.example,Duplicate,Sales,Toronto,
`);
    expect(report.added).toEqual([2]);
    expect(report.rejected.map((r) => r.line)).toEqual([3, 4, 5, 6]);
    // The CLI's report, in English word for word.
    expect(summarizeImport(report).split("\n").slice(-4)).toEqual([
      "  line 3: Enter a valid email address, like name@company.com",
      "  line 4: name is empty",
      '  line 5: active must be true or false, not "maybe"',
      "  line 6: new.one@corp.example already appears on line 2",
    ]);
  });

  it.each([
    ["an empty file", ""],
    ["a missing column", "email,name,department\nx@corp.example,X,Sales\n"],
    ["an unknown column", "email,name,department,location,salary\nx@corp.example,X,Sales,Berlin,1\n"],
    ["an unclosed quote", 'email,name,department,location\nx@corp.example,"X,Sales,Berlin\n'],
    ["a ragged row", "email,name,department,location\nx@corp.example,X,Sales\n"],
  ])("refuses %s without changing anything", (_label, csv) => {
    const before = db().select().from(people).all();
    const auditBefore = db().select({ n: count() }).from(auditLog).get()?.n;
    expect(() => imp(csv)).toThrowError(MalformedDirectoryError);
    expect(db().select().from(people).all()).toEqual(before);
    expect(db().select({ n: count() }).from(auditLog).get()?.n).toBe(auditBefore);
  });

  it("deactivates directory people missing from a full file only when asked", () => {
    const partial = "email,name,department,location\ngrace@corp.example,Grace Hopper,Research,Remote\n";
    expect(imp(partial).deactivatedMissing).toEqual([]);
    expect(findPersonByEmail(db(), "linus@corp.example")?.active).toBe(true);
    const full = imp(partial, true);
    expect(full.deactivatedMissing).toContain("linus@corp.example");
    expect(full.deactivatedMissing).not.toContain("grace@corp.example");
    expect(findPersonByEmail(db(), "linus@corp.example")?.active).toBe(false);
  });

  it("records each import in the audit log", () => {
    const entries = db().select().from(auditLog).where(eq(auditLog.action, "directory.import")).all();
    expect(entries.length).toBeGreaterThanOrEqual(4);
    expect(entries.at(-1)).toMatchObject({ actorLabel: "cli", actorId: null });
  });
});
