import { parse as parseCsv } from "csv-parse/sync";
import { and, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { fetchToken } from "../../app/demo/anonymous-signer.server";
import { publishHeldComments } from "../../app/domain/discussion/batches.server";
import { forgetAnonymousAuthors } from "../../app/domain/discussion/forgetting.server";
import { postComment } from "../../app/domain/discussion/posting.server";
import { loadComment } from "../../app/domain/discussion/thread.server";
import { grantRole } from "../../app/domain/identity/permissions.server";
import { importDirectory } from "../../app/domain/people/directory-import.server";
import { listPublicSigners } from "../../app/domain/petitions/counts.server";
import { exportSigners } from "../../app/domain/petitions/dashboard.server";
import { verifyLedger } from "../../app/domain/petitions/ledger.server";
import { transitionPetition } from "../../app/domain/petitions/lifecycle.server";
import { CLI_ACTOR } from "../../app/platform/security/audit.server";
import { DAY_MS } from "../../app/platform/time";
import * as adminErasures from "../../app/routes/admin.erasures";
import * as myDataPage from "../../app/routes/my.data";
import { getDb } from "../../db/client";
import {
  auditLog,
  comments,
  notificationReads,
  notificationSettings,
  people,
  petitionFollows,
  petitions,
  sessions,
  signatures,
  tokenIssuance,
} from "../../db/schema";
import { signAnonymously, signPublicly } from "../support/anonymous";
import { commentRow, post, subjectOf } from "../support/comments";
import { callRoute } from "../support/fixtures";
import { makeCompany, openPetition, userByEmail } from "../support/petition-fixtures";

const db = getDb();
const company = makeCompany(8);
const person = company.member(4);
const admin = company.member(7);
grantRole(admin.id, "admin", CLI_ACTOR);
const T = Date.now();

const stillOpen = openPetition(company, "A petition still taking signatures");
const signedAnonymously = openPetition(company, "A petition they signed anonymously");
const closed = openPetition(company, "A petition that has closed");

const auditActions = (personId: number) =>
  db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.targetType, "person"), eq(auditLog.targetId, String(personId))))
    .all()
    .map((e) => e.action);

describe("erasure, asked for by the person and carried out by an admin", () => {
  it("withdraws open signatures, keeps closed ones and named comments, and the ledgers still verify", async () => {
    await signPublicly(stillOpen.id, person, T);
    await signPublicly(closed.id, person, T);
    await signAnonymously(signedAnonymously.id, person, { at: T });
    const commentId = await post(closed.id, person, "What I said under my name", false, T);
    transitionPetition(closed.id, { action: "close" }, company.moderator, T);

    const asked = await callRoute(
      myDataPage,
      "action",
      person,
      "/my/data",
      {},
      { intent: "request-erasure" },
    );
    expect(asked.status).toBe(302);
    expect(auditActions(person.id)).toContain("person.erasure-requested");
    // Asking twice changes nothing more.
    const again = await callRoute(
      myDataPage,
      "action",
      person,
      "/my/data",
      {},
      { intent: "request-erasure" },
    );
    expect(again.status).toBe(409);

    // Without the confirmation, nothing happens.
    const unconfirmed = await callRoute(
      adminErasures,
      "action",
      admin,
      "/admin/erasures",
      {},
      {
        intent: "erase",
        personId: String(person.id),
      },
    );
    expect(unconfirmed.status).toBe(400);
    expect(db.select().from(people).where(eq(people.id, person.id)).get()?.erasedAt).toBeNull();
    // Nobody but an admin carries it out.
    const byStaff = await callRoute(
      adminErasures,
      "action",
      company.member(5),
      "/admin/erasures",
      {},
      {
        intent: "erase",
        personId: String(person.id),
        confirm: "on",
      },
    );
    expect(byStaff.status).toBe(403);

    const done = await callRoute(
      adminErasures,
      "action",
      admin,
      "/admin/erasures",
      {},
      {
        intent: "erase",
        personId: String(person.id),
        confirm: "on",
      },
    );
    expect(done.status).toBe(302);

    const row = db.select().from(people).where(eq(people.id, person.id)).get();
    expect(row).toMatchObject({ name: null, department: null, location: null, active: false });
    expect(row?.email).not.toBe(person.email);
    expect(row?.erasedAt).not.toBeNull();
    expect(db.select().from(sessions).where(eq(sessions.personId, person.id)).all()).toEqual([]);
    expect(db.select().from(tokenIssuance).where(eq(tokenIssuance.personId, person.id)).all()).toEqual([]);

    const signatureOn = (petitionId: number) =>
      db
        .select()
        .from(signatures)
        .where(and(eq(signatures.petitionId, petitionId), eq(signatures.personId, person.id)))
        .get();
    expect(signatureOn(stillOpen.id)?.withdrawnAt).not.toBeNull();
    expect(signatureOn(closed.id)?.withdrawnAt).toBeNull();
    expect(db.select().from(comments).where(eq(comments.id, commentId)).get()?.authorId).toBe(person.id);
    // What is kept names nobody: a former colleague, with no department.
    expect(listPublicSigners(closed.id, 1).signers).toEqual([
      expect.objectContaining({ name: null, department: null, former: true }),
    ]);
    expect(loadComment(commentId, company.member(1))?.comment).toMatchObject({ authorFormer: true });

    for (const petition of [stillOpen, signedAnonymously, closed]) {
      expect(verifyLedger(petition.id), `ledger of ${petition.title}`).toMatchObject({ ok: true });
    }
    const counts = db.select({ id: petitions.id, count: petitions.signatureCount }).from(petitions).all();
    expect(counts.find((p) => p.id === stillOpen.id)?.count).toBe(0);
    expect(counts.find((p) => p.id === closed.id)?.count).toBe(1);

    const entries = db.select().from(auditLog).where(eq(auditLog.action, "person.erased")).all();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actorId: admin.id, targetId: String(person.id) });
    expect(entries[0]?.details).toEqual({ withdrawn: 1, kept: 1 });
    // The audit entry names no address (the log is never rewritten).
    expect(JSON.stringify(entries[0]?.details)).not.toContain("@");
  });

  it("keeps an account made again for the same colleague from a second token for an open petition", async () => {
    importDirectory(
      `email,name,department,location\n${person.email},Staff Member 5,Engineering,London\n`,
      CLI_ACTOR,
    );
    const again = userByEmail(person.email);
    expect(again.id).not.toBe(person.id);
    const before = db
      .select()
      .from(petitions)
      .where(eq(petitions.id, signedAnonymously.id))
      .get()?.signatureCount;
    await expect(fetchToken(signedAnonymously, again, T)).rejects.toThrow(/already prepared/);
    // A colleague never erased is issued theirs as ever.
    await expect(fetchToken(signedAnonymously, company.member(6), T)).resolves.toBeDefined();
    expect(
      db.select().from(petitions).where(eq(petitions.id, signedAnonymously.id)).get()?.signatureCount,
    ).toBe(before);
  });

  it("leaves nothing that ties what is kept back to them: follows, audit entries, forgotten comments, the signers file", async () => {
    const leaving = company.member(5);
    const colleague = company.member(6);
    const petition = openPetition(company, "A petition that closes after they sign");
    await signPublicly(petition.id, leaving, T);
    // Both ask to be emailed replies; the colleague's author is forgotten by the schedule only.
    const asked = { body: "An anonymous comment", anonymous: true, emailReplies: true };
    const theirComment = await postComment(subjectOf(petition.id), asked, leaving, T);
    const colleagueComment = await postComment(subjectOf(petition.id), asked, colleague, T);
    db.insert(notificationSettings)
      .values({ personId: leaving.id, cadence: "daily", mailedThrough: new Date(T) })
      .run();
    db.insert(petitionFollows).values({ personId: leaving.id, petitionId: stillOpen.id }).run();
    db.insert(notificationReads)
      .values({ personId: leaving.id, eventKey: `${stillOpen.id}-opened` })
      .run();
    transitionPetition(petition.id, { action: "close" }, company.moderator, T);

    await callRoute(myDataPage, "action", leaving, "/my/data", {}, { intent: "request-erasure" });
    const fields = { intent: "erase", personId: String(leaving.id), confirm: "on" };
    expect((await callRoute(adminErasures, "action", admin, "/admin/erasures", {}, fields)).status).toBe(302);

    // What they followed, their digest choice and read marks are gone.
    for (const table of [notificationSettings, petitionFollows, notificationReads]) {
      expect.soft(db.select().from(table).where(eq(table.personId, leaving.id)).all()).toEqual([]);
    }
    // Neither entry the erasure path wrote pairs their address with their id (the log is append-only).
    const written = db
      .select()
      .from(auditLog)
      .where(
        and(
          eq(auditLog.targetId, String(leaving.id)),
          inArray(auditLog.action, ["person.erasure-requested", "person.erased"]),
        ),
      )
      .all();
    expect.soft(written).toHaveLength(2);
    expect.soft(JSON.stringify(written)).not.toContain(leaving.email);

    // Once both are published and the forgetting time has passed, their comment is like anyone's.
    publishHeldComments(T + 2 * DAY_MS);
    forgetAnonymousAuthors(T + 400 * DAY_MS);
    const forgotten = (id: number) => {
      const row = commentRow(id);
      return { authorId: row?.authorId, emailsAuthor: row?.emailsAuthor, held: row?.held };
    };
    expect.soft(forgotten(theirComment)).toEqual({ authorId: null, emailsAuthor: false, held: false });
    expect.soft(forgotten(theirComment)).toEqual(forgotten(colleagueComment));

    // The signers file shows them as the signers page does: a former colleague, no department.
    const csv = parseCsv(exportSigners(petition, company.member(0), T), { columns: true }) as Array<
      Record<string, string>
    >;
    expect
      .soft(csv.filter((r) => r.visibility === "public"))
      .toEqual([expect.objectContaining({ name: "A former colleague", department: "" })]);
  });
});
