import { and, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import {
  dismissReports,
  hideComment,
  restoreComment,
  setThreadLock,
} from "../../../app/domain/discussion/moderation.server";
import { deleteComment, editComment } from "../../../app/domain/discussion/posting.server";
import { reportedComments } from "../../../app/domain/discussion/queue.server";
import { reportComment, setVote } from "../../../app/domain/discussion/reactions.server";
import { loadComment, loadThread } from "../../../app/domain/discussion/thread.server";
import { grantRole } from "../../../app/domain/identity/permissions.server";
import type { User } from "../../../app/domain/identity/sessions.server";
import { answerInvitation, inviteOrganizer } from "../../../app/domain/petitions/organizers.server";
import { signPetition } from "../../../app/domain/petitions/signing.server";
import { listAuditEntries } from "../../../app/platform/security/audit.server";
import { resetRateLimits } from "../../../app/platform/security/rate-limits.server";
import {
  DEFAULT_SETTINGS,
  getMilestoneDefaults,
  updateSettings,
} from "../../../app/platform/site/settings.server";
import { DAY_MS } from "../../../app/platform/time";
import { getDb } from "../../../db/client";
import { outbox } from "../../../db/schema";
import {
  commentAction,
  commentRow,
  discussionAction,
  post,
  refused,
  reply,
  subjectOf,
} from "../../support/comments";
import { migratedBefore } from "../../support/migrations";
import { makeCompany, openPetition } from "../../support/petition-fixtures";

const company = makeCompany(30);
const staff = company.member;
const { moderator } = company;
const admin = staff(29);
grantRole(admin.id, "admin", { id: null, label: "cli" });
admin.roles = ["admin"];

beforeEach(() => resetRateLimits());

describe("reports and moderation", () => {
  it("hides a comment at the configured number of reports, once per person, and the author still sees it", async () => {
    const petition = openPetition(company);
    const author = staff(10);
    const id = await post(petition.id, author, "Contested opinion");
    await reportComment(id, { reason: "spam" }, staff(11));
    await refused(() => reportComment(id, { reason: "spam" }, staff(11)), 409, /already reported/);
    await refused(() => reportComment(id, { reason: "spam" }, author), 403);
    await reportComment(id, { reason: "offensive" }, staff(12));
    expect(commentRow(id)?.hiddenAt).toBeNull();
    expect(await reportComment(id, { reason: "harassment", note: "Targets a colleague" }, staff(13))).toEqual(
      {
        hidden: true,
      },
    );
    expect(loadComment(id, staff(14))?.comment).toMatchObject({ state: "hidden", bodyHtml: null });
    expect(loadComment(id, author)?.comment).toMatchObject({
      state: "hidden",
      bodyHtml: "<p>Contested opinion</p>",
    });
    expect(loadComment(id, moderator)?.comment).toMatchObject({ openReports: 3, hiddenPendingReview: true });
    const queued = reportedComments(moderator).find((q) => q.comment.id === id);
    expect(queued?.reports.map((r) => r.reason)).toEqual(["spam", "offensive", "harassment"]);
    expect(JSON.stringify(queued)).not.toMatch(/Staff Member 1[234]/);
    expect(listAuditEntries({ action: "comment.auto-hide" }).entries.length).toBeGreaterThan(0);

    // Dismissing the reports shows it again.
    dismissReports(id, moderator);
    expect(loadComment(id, staff(14))?.comment.state).toBe("visible");
    expect(reportedComments(moderator).some((q) => q.comment.id === id)).toBe(false);
  });

  it("follows the threshold an admin sets", async () => {
    updateSettings({ ...DEFAULT_SETTINGS, commentReportThreshold: 1 }, getMilestoneDefaults(), {
      id: admin.id,
      email: admin.email,
    });
    try {
      const petition = openPetition(company);
      const id = await post(petition.id, staff(10));
      expect((await reportComment(id, { reason: "off_topic" }, staff(11))).hidden).toBe(true);
    } finally {
      updateSettings(DEFAULT_SETTINGS, getMilestoneDefaults(), { id: admin.id, email: admin.email });
    }
  });

  it("lets moderators hide (telling the author), restore and lock; all audited; nobody else may", async () => {
    const petition = openPetition(company);
    const author = staff(15);
    const id = await post(petition.id, author, "Something moderators dislike");
    for (const intent of ["hide", "restore", "dismiss"]) {
      const response = await commentAction(staff(16), id, { intent, reason: "Because" });
      expect(response.status).toBe(403);
    }
    expect(
      (await discussionAction(staff(16), petition.id, { intent: "lock", reason: "Calm down" })).status,
    ).toBe(403);
    expect((await commentAction(null, id, { intent: "vote", up: "1" })).status).toBe(302);
    expect(commentRow(id)?.score).toBe(0);

    await refused(() => hideComment(id, "Personal attack", staff(16)), 403);
    hideComment(id, "Personal attack", moderator);
    const mail = getDb()
      .select()
      .from(outbox)
      .where(and(eq(outbox.kind, "comment.hidden"), eq(outbox.toAddress, author.email)))
      .all();
    expect(mail).toHaveLength(1);
    expect(mail[0]?.textBody).toContain("Reason: Personal attack");
    expect(loadComment(id, staff(16))?.comment.bodyHtml).toBeNull();
    expect(loadComment(id, author)?.comment.hiddenReason).toBe("Personal attack");
    await refused(() => setVote(id, true, staff(16)), 409);
    restoreComment(id, moderator);
    expect(loadComment(id, staff(16))?.comment.state).toBe("visible");

    // A moderator does not review their own comment.
    const own = await post(petition.id, moderator, "Moderator speaking");
    await refused(() => hideComment(own, "Self", moderator), 403, /Another moderator/);

    setThreadLock(subjectOf(petition.id), { locked: true, reason: "Cooling off" }, moderator);
    await refused(() => post(petition.id, staff(16)), 409, /locked by a moderator: Cooling off/);
    await refused(() => reply(id, staff(16)), 409);
    await refused(() => editComment(id, "Edit while locked", author), 409);
    expect(loadThread(subjectOf(petition.id), null, { sort: "top", page: 1 })?.thread).toMatchObject({
      locked: { reason: "Cooling off" },
      canPost: false,
    });
    // The signing reason waits out the lock on the signature itself, and signing still works.
    const signed = await signPetition({
      noAnonymousSignature: true,
      petitionId: petition.id,
      user: staff(17),

      reason: "Locked but signing",
      ip: null,
    });
    expect(signed.receipt.seq).toBeGreaterThan(0);
    setThreadLock(subjectOf(petition.id), { locked: false }, moderator);
    expect(await post(petition.id, staff(16), "Back to talking")).toBeGreaterThan(0);

    const actions = listAuditEntries({ actorEmail: moderator.email }).entries.map((e) => e.action);
    for (const action of [
      "comment.hide",
      "comment.restore",
      "comment-thread.lock",
      "comment-thread.unlock",
    ]) {
      expect(actions).toContain(action);
    }
  });

  it("keeps moderators out of their own cause: petitions they organize, comments they reported", async () => {
    const organizingModerator = { ...staff(27), roles: ["moderator" as const] };
    grantRole(organizingModerator.id, "moderator", { id: null, label: "cli" });
    const petition = openPetition({ staff: [organizingModerator, staff(1), staff(2), staff(3)], moderator });
    const id = await post(petition.id, staff(5), "About the organizer");
    await refused(
      () => hideComment(id, "I dislike it", organizingModerator),
      403,
      /You have a stake in this/,
    );
    await refused(
      () => setThreadLock(subjectOf(petition.id), { locked: true, reason: "Mine" }, organizingModerator),
      403,
    );
    expect(
      loadThread(subjectOf(petition.id), organizingModerator, { sort: "top", page: 1 })?.thread.canModerate,
    ).toBe(false);
    const other = openPetition(company);
    const reported = await post(other.id, staff(5), "Reported by a moderator");
    await reportComment(reported, { reason: "spam" }, moderator);
    await refused(() => hideComment(reported, "Spam", moderator), 403, /another moderator/);

    // A moderator merely invited to co-organize still moderates (an invitation is the creator's act,
    // not theirs); once they accept, they have a stake and stand aside.
    const invited = { ...staff(28), roles: ["moderator" as const] };
    grantRole(invited.id, "moderator", { id: null, label: "cli" });
    inviteOrganizer(petition.id, invited.email, organizingModerator);
    expect(loadThread(subjectOf(petition.id), invited, { sort: "top", page: 1 })?.thread.canModerate).toBe(
      true,
    );
    hideComment(id, "Names a colleague", invited);
    answerInvitation(petition.id, true, invited);
    expect(loadThread(subjectOf(petition.id), invited, { sort: "top", page: 1 })?.thread.canModerate).toBe(
      false,
    );
    await refused(() => restoreComment(id, invited), 403, /another moderator/);
  });
});

type ReportRow = {
  comment_id: number;
  reporter_id: number | null;
  created_at: number;
  resolved_at: number | null;
};
const reportsOf = (commentId: number) =>
  getDb()
    .$client.prepare<[number], ReportRow>(
      "select comment_id, reporter_id, created_at, resolved_at from comment_reports where comment_id = ?",
    )
    .all(commentId);

describe("reporters", () => {
  it("forgets who reported once the report is resolved, however it is resolved", async () => {
    const petition = openPetition(company, "A petition with a contested discussion");
    const author = staff(2);
    const reporters = [staff(3), staff(4)];
    const dismissed = await post(petition.id, author, "Contested, and kept");
    const hidden = await post(petition.id, author, "Contested, and hidden");
    const deleted = await post(petition.id, author, "Contested, and deleted by its author");
    for (const id of [dismissed, hidden, deleted])
      for (const reporter of reporters) await reportComment(id, { reason: "offensive" }, reporter);
    // While open, the report knows its reporter: once per person, and not judged by them.
    expect(reportsOf(dismissed).map((r) => r.reporter_id)).toEqual(reporters.map((r) => r.id));

    dismissReports(dismissed, moderator);
    hideComment(hidden, "Off topic", moderator);
    deleteComment(deleted, author);
    for (const id of [dismissed, hidden, deleted]) {
      const rows = reportsOf(id);
      expect(rows).toHaveLength(2);
      for (const row of rows) {
        expect(row.resolved_at).not.toBeNull();
        // No link from the report to its reporter, and no exact time to join one by.
        expect(row.reporter_id).toBeNull();
        expect(row.created_at % DAY_MS).toBe(0);
      }
    }
    // Nothing else in the database ties the reporters to these comments either.
    const ids = reporters.map((r) => r.id);
    const linked = getDb()
      .$client.prepare<[string], { n: number }>(
        "select count(*) as n from comment_reports where reporter_id in (select value from json_each(?))",
      )
      .get(JSON.stringify(ids));
    expect(linked?.n).toBe(0);

    // A new report on the kept comment is one per person again, among the open ones.
    await reportComment(dismissed, { reason: "spam" }, reporters[0] as User);
    await expect(reportComment(dismissed, { reason: "spam" }, reporters[0] as User)).rejects.toMatchObject({
      status: 409,
    });
  });

  it("forgets the reporters of reports resolved before the upgrade, and keeps those of open ones", () => {
    const db = migratedBefore("_forget_reporters");
    const { client } = db;
    client.exec(`insert into people (id, email, name) values (1, 'a@corp.example', 'A'), (2, 'r@corp.example', 'R'), (3, 's@corp.example', 'S');
      insert into comment_threads (id, subject_type, subject_id) values (1, 'policy', 1);
      insert into comments (id, thread_id, depth, author_id, body, body_html) values (1, 1, 1, 1, 'x', '<p>x</p>');
      insert into comment_reports (comment_id, reporter_id, reason, created_at, resolved_at, resolution)
        values (1, 2, 'spam', 1000000123, 1000000999, 'dismissed'), (1, 3, 'spam', 1000000456, null, null);`);
    db.upgrade();
    const rows = client
      .prepare("select reporter_id, created_at, resolved_at from comment_reports order by reporter_id")
      .all();
    expect(rows).toEqual([
      { reporter_id: null, created_at: 1000000123 - (1000000123 % DAY_MS), resolved_at: 1000000999 },
      { reporter_id: 3, created_at: 1000000456, resolved_at: null },
    ]);
    db.done();
  });
});
