import { writeFileSync } from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { takeBackupNow } from "../../../app/domain/backups/on-demand.server";
import { grantRole } from "../../../app/domain/identity/permissions.server";
import { setPersonActive } from "../../../app/domain/people/directory.server";
import {
  type ImportReport,
  importDirectory,
  summarizeImport,
} from "../../../app/domain/people/directory-import.server";
import { transitionPetition } from "../../../app/domain/petitions/lifecycle.server";
import { en } from "../../../app/i18n/catalogs/en";
import { generateBlindKeyPair } from "../../../app/platform/anonymity/blind-signatures.server";
import { petitionScope } from "../../../app/platform/anonymity/token-messages";
import { readSaid, wordsOf } from "../../../app/platform/said";
import { actorOf, CLI_ACTOR } from "../../../app/platform/security/audit.server";
import { logNewKey } from "../../../app/platform/transparency/key-entries.server";
import * as backupsRoute from "../../../app/routes/admin.backups";
import * as directoryRoute from "../../../app/routes/admin.directory";
import * as personRoute from "../../../app/routes/admin.people.$personId";
import * as petitionRoute from "../../../app/routes/petitions.$slug._index";
import { intlOf } from "../../../app/web/reader.server";
import { getDb } from "../../../db/client";
import { people } from "../../../db/schema";
import { callRoute, sessionCookie, TEST_BASE_URL } from "../../support/fixtures";
import { draftPetition, makeCompany } from "../../support/petition-fixtures";

/**
 * The admin side's refusals — the directory and its people, backups, the public log — are written in
 * the reader's language on a page (ADR 0041), while the CLI, the JSON API and the logs keep the English
 * they always answered with, word for word.
 */
const company = makeCompany(6);
const admin = company.staff[5];
if (!admin) throw new Error("company too small");
grantRole(admin.id, "admin", CLI_ACTOR);
const speaksGerman = (person: { id: number }) =>
  getDb().update(people).set({ locale: "de" }).where(eq(people.id, person.id)).run();
speaksGerman(admin);
speaksGerman(company.moderator);

type Reply = {
  error?: Record<string, string[] | null> | null;
  result?: { error?: Record<string, string[]> };
};

describe("a German admin", () => {
  it("is told in German why a directory file cannot be read, and nothing changes; the CLI says it in English", async () => {
    const file = new FormData();
    file.set("intent", "preview");
    file.set("file", new File(["email,name\nzoe@corp.example,Zoe Zimmer\n"], "staff.csv"));
    const answer = await directoryRoute.action({
      request: new Request(`${TEST_BASE_URL}/admin/directory`, {
        method: "POST",
        headers: { Cookie: await sessionCookie(admin.id) },
        body: file,
      }),
      params: {},
      context: { clientIp: "192.0.2.1", cspNonce: "" },
    });
    expect(answer.status).toBe(400);
    const { result } = (await answer.json()) as Reply;
    expect(result?.error?.file).toEqual([
      "Die Kopfzeile muss email,name,department,location enthalten (optional: active); fehlend: department, location. Es wurde nichts geändert.",
    ]);
    expect(() => importDirectory("email,name\nzoe@corp.example,Zoe Zimmer\n", CLI_ACTOR)).toThrowError(
      /^The header row must contain email,name,department,location \(optional: active\); missing: department, location\.$/,
    );
  });

  it("reads in German why a row of a previewed directory file would be refused; the CLI's report stays English", async () => {
    const csv =
      "email,name,department,location,active\nnot-an-email,Broken,Sales,Berlin,\nanna@corp.example,,Sales,Berlin,\n" +
      "bert@corp.example,Bert,Sales,Berlin,maybe\ncarla@corp.example,Carla,Sales,Berlin,\ncarla@corp.example,Carla,Sales,Berlin,\n";
    const file = new FormData();
    file.set("intent", "preview");
    file.set("file", new File([csv], "staff.csv"));
    const answer = await directoryRoute.action({
      request: new Request(`${TEST_BASE_URL}/admin/directory`, {
        method: "POST",
        headers: { Cookie: await sessionCookie(admin.id) },
        body: file,
      }),
      params: {},
      context: { clientIp: "192.0.2.1", cspNonce: "" },
    });
    expect(answer.status).toBe(200);
    const { preview } = (await answer.json()) as { preview: { report: ImportReport } };
    // As the page writes each reason (app/components/said.tsx), in the admin's language.
    const german = intlOf({ locale: "de", timeZone: "Europe/Berlin" });
    const inGerman = (text: string) => {
      const said = readSaid(text, (key) => key in en);
      if (!said) throw new Error(`not catalog words: ${text}`);
      return wordsOf(said, german);
    };
    expect(preview.report.rejected.map((row) => [row.line, row.reasons.map(inGerman)])).toEqual([
      [2, ["Keine gültige E-Mail-Adresse (erwartet wird z. B. name@company.com)"]],
      [3, ["Die Spalte name ist leer"]],
      [4, ["Die Spalte active muss true oder false enthalten, nicht „maybe“"]],
      [6, ["carla@corp.example steht bereits in Zeile 5"]],
    ]);
    expect(summarizeImport(preview.report).split("\n").slice(-4)).toEqual([
      "  line 2: Enter a valid email address, like name@company.com",
      "  line 3: name is empty",
      '  line 4: active must be true or false, not "maybe"',
      "  line 6: carla@corp.example already appears on line 5",
    ]);
  });

  it("is told in German on a person's page that they cannot deactivate themselves, or that nothing awaits a confirmation", async () => {
    const here = `/admin/people/${admin.id}`;
    const params = { personId: String(admin.id) };
    const own = await callRoute(personRoute, "action", admin, here, params, { intent: "deactivate" });
    expect(own.status).toBe(400);
    expect(((await own.json()) as Reply).error?.[""]).toEqual(["Sie können sich nicht selbst deaktivieren."]);
    const held = await callRoute(personRoute, "action", admin, here, params, {
      intent: "refuse-directory-change",
    });
    expect(held.status).toBe(404);
    expect(((await held.json()) as Reply).error?.[""]).toEqual(["Hier wartet nichts auf eine Bestätigung."]);
    expect(() => setPersonActive(admin.id, false, actorOf(admin))).toThrowError(
      /^You cannot deactivate yourself\.$/,
    );
  });

  it("is told in German that a backup could not be taken, with the command's own reason", async () => {
    // The backup command runs in a child process with this process's environment: pointed at a file
    // that is no database, it fails the way a damaged disk would.
    const notADatabase = path.join(path.dirname(process.env.DATABASE_URL ?? ""), "not-a-database.db");
    writeFileSync(notADatabase, "This is not a SQLite database.\n".repeat(200));
    const database = process.env.DATABASE_URL;
    process.env.DATABASE_URL = notADatabase;
    let answer: Response;
    try {
      answer = await callRoute(backupsRoute, "action", admin, "/admin/backups", {}, { intent: "backup" });
    } finally {
      process.env.DATABASE_URL = database;
    }
    expect(answer.status).toBe(503);
    const { error } = (await answer.json()) as { error: string };
    expect(error).toMatch(
      /^Die Sicherung konnte nicht erstellt werden: .*is not a SQLite database \(SQLITE_NOTADB\)/,
    );
    expect(error).not.toMatch(/The backup could not be taken/);
    // What the domain answers the CLI and the logs with is the English it always was.
    await expect(takeBackupNow(admin, async () => ({ code: 1, output: "" }))).rejects.toThrowError(
      /^The backup could not be taken: the backup command failed$/,
    );
  });
});

describe("a German moderator", () => {
  it("is told in German when the public log already holds a key for the petition they approve; the log's English stays", async () => {
    const [creator, ...sponsors] = company.staff;
    if (!creator) throw new Error("company too small");
    const petition = draftPetition(creator, "Ein Schlüssel fürs Leben");
    transitionPetition(petition.id, { action: "submit" }, creator);
    for (const sponsor of sponsors.slice(0, 3))
      transitionPetition(petition.id, { action: "co-sponsor" }, sponsor);
    // A key for this petition already in the log (a restored database, a second server): refused.
    const scope = petitionScope(petition.id);
    getDb().transaction(() => logNewKey(scope, generateBlindKeyPair(), Date.now()), {
      behavior: "immediate",
    });

    const answer = await callRoute(
      petitionRoute,
      "action",
      company.moderator,
      `/petitions/${petition.slug}`,
      { slug: petition.slug },
      { intent: "transition", step: "approve" },
    );
    expect(answer.status).toBe(409);
    expect(((await answer.json()) as Reply).error?.[""]).toEqual([
      `Das öffentliche Protokoll enthält bereits einen Signaturschlüssel für ${scope}; ein zweiter würde seine Inhaber voneinander unterscheidbar machen.`,
    ]);
    expect(() => transitionPetition(petition.id, { action: "approve" }, company.moderator)).toThrowError(
      `The public log already holds a signing key for ${scope}; a second one would tell its holders apart.`,
    );
  });
});
