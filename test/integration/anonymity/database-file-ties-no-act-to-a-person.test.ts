import { existsSync, readFileSync, statSync } from "node:fs";
import Database from "better-sqlite3";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getConfig } from "../../../app/config.server";
import { sendFeedbackAnonymously } from "../../../app/demo/anonymous-signer.server";
import { publishHeldComments } from "../../../app/domain/discussion/batches.server";
import { forgetAnonymousAuthors } from "../../../app/domain/discussion/forgetting.server";
import { dismissReports } from "../../../app/domain/discussion/moderation.server";
import { postComment } from "../../../app/domain/discussion/posting.server";
import { reportComment } from "../../../app/domain/discussion/reactions.server";
import { grantRole } from "../../../app/domain/identity/permissions.server";
import { createSession } from "../../../app/domain/identity/sessions.server";
import { completeSignIn, requestSignIn } from "../../../app/domain/identity/sign-in.server";
import { setPersonActive } from "../../../app/domain/people/directory.server";
import { createPolicy } from "../../../app/domain/policies/registry.server";
import { checkpointAfterForgetting, noteForgotten } from "../../../app/platform/runtime/forgetting.server";
import { actorOf, CLI_ACTOR } from "../../../app/platform/security/audit.server";
import { resetRateLimits } from "../../../app/platform/security/rate-limits.server";
import { DAY_MS } from "../../../app/platform/time";
import { runScheduledJobs } from "../../../app/server/boot.server";
import { createSmtpTransport, deliverDueMail } from "../../../app/server/mail-sender.server";
import { closeDb, getDb } from "../../../db/client";
import { comments, outbox } from "../../../db/schema";
import { signAnonymously } from "../../support/anonymous";
import { publishAnonymousComments } from "../../support/comment-batches";
import { makeCompany, openPetition } from "../../support/petition-fixtures";
import { startSmtpServer } from "../../support/smtp";

/**
 * The operator's view: after known people sign anonymously, comment anonymously past the forgetting
 * time and send anonymous feedback, everything in the database file — every table and column, found
 * from the schema, so a table added later cannot escape — its free pages and its WAL is scanned for
 * anything that ties those acts to those people (docs/anonymity.md).
 */

type Row = Record<string, unknown>;

const CENTURY_MS = 100 * 365 * DAY_MS;
/** A number that reads as a time in milliseconds (within a century of now). */
const TIMESTAMP = (value: unknown): value is number =>
  typeof value === "number" && Math.abs(value - Date.now()) < CENTURY_MS;

describe("the operator's view of the database file", () => {
  it("holds nothing that ties anonymous acts to the people who made them", async () => {
    const company = makeCompany(16);
    const petition = openPetition(company, "Let staff pause keystroke logging during private calls");
    const policy = createPolicy(
      {
        title: "Logging policy",
        summary: "What is logged and why.",
        body: "Everything typed is logged for training.",
        effectiveAt: new Date(Date.now() - DAY_MS),
        changeSummary: "First",
      },
      company.leader,
    );
    const actors = company.staff.slice(5, 11);
    const bystanders = company.staff.slice(11, 16);
    const db = getDb();
    // Everyone has a session (an exact time that could join); every actor also signs in again later.
    for (const person of [...actors, ...bystanders]) createSession(db, person.id);

    const tokenIds = new Set<string>();
    for (const [i, actor] of actors.entries()) {
      const token = await signAnonymously(petition.id, actor, { reason: `Reason number ${i} for signing.` });
      tokenIds.add(token.tokenId);
      createSession(db, actor.id);
    }
    const commentIds = new Set<number>();
    const longAgo = Date.now() - 40 * DAY_MS;
    for (const [i, actor] of actors.entries()) {
      commentIds.add(
        await postComment(
          { type: "petition", id: petition.id },
          // They asked for reply emails (off by default for anonymous comments: issue 17).
          { body: `An anonymous comment, number ${i}.`, anonymous: true, emailReplies: true },
          actor,
          longAgo + i * 1_000,
        ),
      );
    }
    // Held until their thread's batch; the minute job publishes them (leftovers of a day before).
    expect(publishHeldComments()).toBe(actors.length);
    const feedbackIds = new Set<number>();
    for (const actor of actors) {
      feedbackIds.add(
        (await sendFeedbackAnonymously(policy.id, actor, { body: "Too much is logged.", rating: 2 })).id,
      );
    }
    // Public acts by bystanders, so the scan has named rows beside the anonymous ones.
    const namedIds: number[] = [];
    for (const person of bystanders) {
      namedIds.push(
        await postComment(
          { type: "petition", id: petition.id },
          { body: "Named comment.", anonymous: false },
          person,
        ),
      );
    }
    // The actors report a named comment, and a moderator resolves the reports: reporters are
    // "shown to nobody", and once resolved they are kept by nothing (test/integration/comments/reports-and-moderation.test.ts).
    for (const [i, actor] of actors.entries())
      await reportComment(namedIds[i % namedIds.length] as number, { reason: "offensive" }, actor);
    for (const id of namedIds) dismissReports(id, company.moderator);

    // Colleagues reply to the anonymous comments: their authors (who asked for reply emails) are
    // emailed, and the mail sender delivers it.
    const [replier] = bystanders;
    if (!replier) throw new Error("no bystander");
    for (const commentId of commentIds) {
      resetRateLimits(); // one colleague replying to all of them: their posting limit is not the point
      // An hour later: a reply's own time says when its named author wrote, not the one it answers.
      await postComment(
        null,
        { body: "A named reply.", anonymous: false, parentId: commentId },
        replier,
        Date.now() + 60 * 60_000,
      );
    }
    const actorEmails = actors.map((a) => a.email);
    const mailedActors = () =>
      db.$client
        .prepare<[], { to_address: string }>("select to_address from outbox")
        .all()
        .filter((m) => actorEmails.includes(m.to_address));
    expect(mailedActors().length).toBeGreaterThan(0);
    db.$client.prepare("update outbox set status = 'sent' where kind = 'comment.reply'").run();

    // The forgetting job, as the scheduler runs it.
    noteForgotten(forgetAnonymousAuthors());
    expect(checkpointAfterForgetting()).toBe(true);
    // No delivered email is left to tie a comment to its author's address.
    expect(mailedActors()).toEqual([]);

    const actorIds = new Set(actors.map((a) => a.id));
    const actorTexts = actors.flatMap((a) => [a.email, a.name ?? ""]).filter(Boolean);
    // The actors' sessions: an exact time beside an anonymous act that matches one would name them.
    const sessionTimes = db.$client
      .prepare<[], { created_at: number; person_id: number }>("select created_at, person_id from sessions")
      .all()
      .filter((s) => actorIds.has(s.person_id))
      .map((s) => s.created_at);
    const path = getConfig().databasePath;
    closeDb();

    const file = new Database(path, { readonly: true });
    const tables = file
      .prepare<[], { name: string; sql: string }>(
        "select name, sql from sqlite_master where type = 'table' and name not like 'sqlite_%'",
      )
      .all();
    const foreignKeys = new Map(
      tables.map((t) => [
        t.name,
        file
          .prepare<[], { table: string; from: string }>(
            `select "table", "from" from pragma_foreign_key_list('${t.name}')`,
          )
          .all(),
      ]),
    );

    /** Whether a row is an anonymous act, or refers to one (by a foreign key or by its token id). */
    const isAct = (table: string, row: Row) => {
      if (table === "comments" && commentIds.has(Number(row.id))) return true;
      if (table === "policy_feedback" && feedbackIds.has(Number(row.id))) return true;
      if (Object.values(row).some((v) => typeof v === "string" && [...tokenIds].some((t) => v.includes(t))))
        return true;
      return (foreignKeys.get(table) ?? []).some(
        (fk) =>
          (fk.table === "comments" && commentIds.has(Number(row[fk.from]))) ||
          (fk.table === "policy_feedback" && feedbackIds.has(Number(row[fk.from]))),
      );
    };

    let actRows = 0;
    const actTables = new Set<string>();
    for (const { name } of tables) {
      const rows = file.prepare<[], Row>(`select * from "${name}"`).all();
      const peopleColumns = (foreignKeys.get(name) ?? [])
        .filter((fk) => fk.table === "people")
        .map((fk) => fk.from);
      for (const row of rows) {
        if (!isAct(name, row)) continue;
        actRows++;
        actTables.add(name);
        const where = `${name} ${JSON.stringify(row).slice(0, 200)}`;
        // No shared id: no column pointing at a person holds one of the actors.
        for (const column of peopleColumns) expect(actorIds.has(Number(row[column])), where).toBe(false);
        // No name or address of theirs.
        for (const value of Object.values(row)) {
          if (typeof value === "string")
            for (const text of actorTexts) expect(value, where).not.toContain(text);
        }
        // No exact time: every time in it is a batch's or a day's start, or far from every session.
        for (const value of Object.values(row)) {
          if (!TIMESTAMP(value) || value % 60_000 === 0) continue;
          for (const at of sessionTimes) expect(Math.abs(value - at), where).toBeGreaterThan(5_000);
        }
      }
    }
    // No resolved report names its reporter.
    const reports = file
      .prepare<[], { reporter_id: number | null; resolved_at: number | null }>(
        "select reporter_id, resolved_at from comment_reports",
      )
      .all();
    expect(reports.length).toBe(actors.length);
    for (const row of reports) expect(row).toEqual({ reporter_id: null, resolved_at: expect.any(Number) });
    // The scan saw the acts (signatures, their ledger entries and reason comments, comments, feedback).
    expect(actRows).toBeGreaterThanOrEqual(actors.length * 4);
    for (const table of ["anonymous_signatures", "ledger_entries", "comments", "policy_feedback"]) {
      expect(actTables).toContain(table);
    }
    // No correlated order: what holds anonymous signatures is keyed by the token, not by insertion.
    const tokenTable = tables.find((t) => t.name === "anonymous_signatures");
    expect(tokenTable?.sql).toMatch(/WITHOUT ROWID/i);
    // The issuance list names the actors — and every bystander with a token alike — with the day only.
    const issued = file.prepare<[], { issued_on: number }>("select issued_on from token_issuance").all();
    for (const row of issued) expect(row.issued_on % DAY_MS).toBe(0);

    // Free pages hold nothing (secure_delete zeroes what is deleted or overwritten).
    const bytes = readFileSync(path);
    const pageSize = bytes.readUInt16BE(16) === 1 ? 65_536 : bytes.readUInt16BE(16);
    let trunk = bytes.readUInt32BE(32);
    while (trunk !== 0) {
      const page = bytes.subarray((trunk - 1) * pageSize, trunk * pageSize);
      const leaves = page.readUInt32BE(4);
      for (let i = 0; i < leaves; i++) {
        const leaf = page.readUInt32BE(8 + i * 4);
        const content = bytes.subarray((leaf - 1) * pageSize, leaf * pageSize);
        expect(
          content.every((b) => b === 0),
          `free page ${leaf}`,
        ).toBe(true);
      }
      trunk = page.readUInt32BE(0);
    }
    // And the WAL is empty after the forgetting checkpoint: no older page versions remain.
    if (existsSync(`${path}-wal`)) expect(statSync(`${path}-wal`).size).toBe(0);
    file.close();
  });
  it("keeps no sign-in link, and no exact time beside an anonymous act, in sign-in tokens, sessions, the outbox and the audit log", async () => {
    const company = makeCompany(16);
    const petition = openPetition(company, "Let staff see what the keystroke logger keeps");
    const cameFor = `/petitions/${petition.slug}`;
    const actors = company.staff.slice(5, 9);
    const [replier, admin] = company.staff.slice(12, 14);
    if (!replier || !admin) throw new Error("no colleagues");
    grantRole(admin.id, "admin", CLI_ACTOR);
    const smtp = await startSmtpServer();
    const deliver = async (now: number) => {
      const transport = createSmtpTransport(smtp.url);
      await deliverDueMail(transport, { now: () => now });
      transport.close();
    };
    // Each actor signs in by email for the petition, then acts anonymously 2 s later — in the past,
    // so the directory's, the admin's and the scheduler's own times (now) are far from every act.
    const actTimes: number[] = [];
    for (const [i, actor] of actors.entries()) {
      const askedAt = Date.now() - (60 - i * 10) * 60_000;
      resetRateLimits();
      await requestSignIn({ email: actor.email, redirectTo: cameFor, ip: null }, askedAt);
      const link = getDb()
        .select({ text: outbox.textBody })
        .from(outbox)
        .where(eq(outbox.toAddress, actor.email))
        .all()
        .at(-1);
      const token = /token=([\w-]+)/.exec(link?.text ?? "")?.[1] ?? "";
      await deliver(askedAt + 500);
      expect(completeSignIn(token, askedAt + 1_000)).toMatchObject({ ok: true, redirectTo: cameFor });
      const actAt = askedAt + 3_000;
      actTimes.push(actAt);
      const commentId = await postComment(
        { type: "petition", id: petition.id },
        { body: `Anonymous, number ${i}.`, anonymous: true },
        actor,
        actAt,
      );
      getDb().update(comments).set({ emailsAuthor: true }).where(eq(comments.id, commentId)).run();
      // Its thread's batch publishes it (the 24-hour rule: the batch's own time is not the act's).
      publishAnonymousComments();
      // A colleague replies; the actor is emailed (an exact queue or delivery time would join).
      resetRateLimits();
      await postComment(
        null,
        { body: "A named reply.", anonymous: false, parentId: commentId },
        replier,
        actAt + 500,
      );
      await deliver(actAt + 1_000);
    }
    // An admin deactivates and reactivates one of them (the audit log records it, flagged).
    const [probed] = actors;
    if (!probed) throw new Error("no actor");
    setPersonActive(probed.id, false, actorOf(admin));
    setPersonActive(probed.id, true, actorOf(admin));
    // The minute scheduler's jobs: forgetting, expired links, the checkpoint.
    await runScheduledJobs();
    await smtp.close();

    const actorIds = new Set(actors.map((a) => a.id));
    const actorEmails = actors.map((a) => a.email);
    const db = getDb().$client;
    expect(db.prepare("select * from sign_in_tokens").all()).toEqual([]);
    const about = (row: Row) =>
      ["person_id", "recipient_id", "actor_id"].some((c) => actorIds.has(Number(row[c]))) ||
      (row.target_type === "person" && actorIds.has(Number(row.target_id))) ||
      Object.values(row).some((v) => typeof v === "string" && actorEmails.some((e) => v.includes(e)));
    const seen = new Set<string>();
    for (const table of ["sign_in_tokens", "sessions", "outbox", "audit_log", "people"]) {
      for (const row of db.prepare<[], Row>(`select * from "${table}"`).all()) {
        if (!about(row)) continue;
        seen.add(table);
        const where = `${table} ${JSON.stringify(row).slice(0, 200)}`;
        for (const value of Object.values(row)) {
          // Not the page anyone came for.
          if (typeof value === "string") expect(value, where).not.toContain(cameFor);
          // No time within a minute of an act, unless it is an hour's start.
          if (!TIMESTAMP(value) || value % (60 * 60_000) === 0) continue;
          for (const at of actTimes) expect(Math.abs(value - at), where).toBeGreaterThan(60_000);
        }
      }
    }
    expect([...seen].sort()).toEqual(["audit_log", "outbox", "people", "sessions"]);
  });
});
