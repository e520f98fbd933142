import { count } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { grantRole } from "../../app/domain/identity/permissions.server";
import { findPersonByEmail } from "../../app/domain/people/directory.server";
import {
  confirmDirectoryImport,
  deleteExpiredDirectoryPreviews,
  importDirectory,
  PENDING_IMPORT_MS,
  previewDirectoryImport,
  StaleImportPreview,
} from "../../app/domain/people/directory-import.server";
import { CLI_ACTOR } from "../../app/platform/security/audit.server";
import * as directoryRoute from "../../app/routes/admin.directory";
import { getDb } from "../../db/client";
import { auditLog, pendingDirectoryImports, people, sessions } from "../../db/schema";
import { sessionCookie, TEST_BASE_URL } from "../support/fixtures";

const db = () => getDb();
importDirectory(
  `email,name,department,location
admin@corp.example,Ada Admin,IT,London
other.admin@corp.example,Otto Admin,IT,Berlin
ben@corp.example,Ben Baker,Sales,London
cleo@corp.example,Cleo Carter,Sales,Paris
dan@corp.example,Dan Dixon,Legal,Berlin
`,
  CLI_ACTOR,
);
const person = (email: string) => {
  const found = findPersonByEmail(db(), email);
  if (!found) throw new Error(`${email} missing`);
  return found;
};
const admin = person("admin@corp.example");
const otherAdmin = person("other.admin@corp.example");
for (const a of [admin, otherAdmin]) grantRole(a.id, "admin", CLI_ACTOR);

/** Everything an import could change: the directory, sessions, the audit log. */
const state = () => ({
  people: db().select().from(people).all(),
  sessions: db().select({ n: count() }).from(sessions).get()?.n,
  audit: db().select({ n: count() }).from(auditLog).get()?.n,
});

// Ben moves to Paris, Dan is deactivated, Erin is new; Cleo is not in the file.
const FILE = `email,name,department,location,active
admin@corp.example,Ada Admin,IT,London,true
other.admin@corp.example,Otto Admin,IT,Berlin,true
ben@corp.example,Ben Baker,Sales,Paris,true
dan@corp.example,Dan Dixon,Legal,Berlin,false
erin@corp.example,Erin Evans,Research,London,true
not-an-email,Nobody,Sales,London,true
`;

describe("importing the directory from the admin page", () => {
  it("previews the counts — added, updated, deactivated, everyone not in the file — and changes nothing", () => {
    const before = state();
    const { pendingId, report } = previewDirectoryImport(FILE, admin, { deactivateMissing: true });
    expect(pendingId).toMatch(/^[0-9a-f]{64}$/);
    expect(report).toMatchObject({
      added: [6],
      updated: [4],
      deactivated: [5],
      unchanged: [2, 3],
      deactivatedMissing: ["cleo@corp.example"],
    });
    expect(report.rejected).toHaveLength(1);
    expect(state()).toEqual(before);
  });

  it("refuses a confirm by another admin, and one after the preview expired, changing nothing", () => {
    const { pendingId } = previewDirectoryImport(FILE, admin, { deactivateMissing: true });
    const before = state();
    expect(() => confirmDirectoryImport(pendingId, otherAdmin)).toThrowError(StaleImportPreview);
    expect(() => confirmDirectoryImport(pendingId, admin, Date.now() + PENDING_IMPORT_MS + 1)).toThrowError(
      /expired/,
    );
    expect(() => confirmDirectoryImport("0".repeat(64), admin)).toThrowError(StaleImportPreview);
    expect(state()).toEqual(before);
  });

  it("forgets a preview nobody confirmed once its hour is over: the file it holds is not kept, nor backed up", () => {
    const kept = () => getDb().select({ n: count() }).from(pendingDirectoryImports).get()?.n ?? 0;
    const { pendingId } = previewDirectoryImport(`${FILE}\n`, admin);
    const before = kept();
    expect(deleteExpiredDirectoryPreviews()).toBe(0);
    expect(kept()).toBe(before);
    expect(deleteExpiredDirectoryPreviews(Date.now() + PENDING_IMPORT_MS + 1)).toBeGreaterThan(0);
    expect(kept()).toBe(0);
    expect(() => confirmDirectoryImport(pendingId, admin)).toThrowError(StaleImportPreview);
  });

  it("refuses the confirm when the directory changed since the preview, so it never does what was not shown", () => {
    const { pendingId } = previewDirectoryImport(FILE, admin, { deactivateMissing: true });
    // Someone joins the directory in between: "deactivate everyone not in the file" would now reach them.
    importDirectory("email,name,department,location\nfay@corp.example,Fay Fox,Sales,Paris\n", CLI_ACTOR);
    const before = state();
    expect(() => confirmDirectoryImport(pendingId, admin)).toThrowError(/changed since this preview/);
    expect(state()).toEqual(before);
    expect(person("fay@corp.example").active).toBe(true);
  });

  it("imports on confirm exactly what the preview showed, once", () => {
    const { pendingId, report } = previewDirectoryImport(FILE, admin, { deactivateMissing: true });
    expect(confirmDirectoryImport(pendingId, admin)).toEqual(report);
    expect(person("ben@corp.example").location).toBe("Paris");
    expect(person("dan@corp.example").active).toBe(false);
    expect(person("cleo@corp.example").active).toBe(false);
    expect(person("fay@corp.example").active).toBe(false);
    expect(person("erin@corp.example").name).toBe("Erin Evans");
    const before = state();
    expect(() => confirmDirectoryImport(pendingId, admin)).toThrowError(/already imported/);
    expect(state()).toEqual(before);
  });

  it("takes the file on the page as a preview (a 200, nothing changed), then imports on the confirm", async () => {
    const cookie = await sessionCookie(admin.id);
    const call = (body: FormData | URLSearchParams) =>
      directoryRoute.action({
        request: new Request(`${TEST_BASE_URL}/admin/directory`, {
          method: "POST",
          headers: { Cookie: cookie },
          body,
        }),
        params: {},
        context: { clientIp: "192.0.2.1", cspNonce: "" },
      });
    const file = new FormData();
    file.set("intent", "preview");
    file.set(
      "file",
      new File(["email,name,department,location\ngus@corp.example,Gus Green,IT,Rome\n"], "staff.csv"),
    );
    const before = state();
    const previewed = await call(file);
    expect(previewed.status).toBe(200);
    const { preview } = (await previewed.json()) as {
      preview: { pendingId: string; report: { added: number[] } };
    };
    expect(preview.report.added).toEqual([2]);
    expect(state().people).toEqual(before.people);

    const bad = await call(new URLSearchParams({ intent: "confirm", pendingId: "not-a-hash" }));
    expect(bad.status).toBe(400);
    const confirmed = await call(new URLSearchParams({ intent: "confirm", pendingId: preview.pendingId }));
    expect(confirmed.status).toBe(200);
    expect(person("gus@corp.example").location).toBe("Rome");
    const again = await call(new URLSearchParams({ intent: "confirm", pendingId: preview.pendingId }));
    expect(again.status).toBe(409);
  });
});
