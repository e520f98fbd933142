import { beforeEach, describe, expect, it } from "vitest";
import { dismissReports, hideComment } from "../../app/domain/discussion/moderation.server";
import { deleteComment, postComment } from "../../app/domain/discussion/posting.server";
import { reportComment } from "../../app/domain/discussion/reactions.server";
import type { User } from "../../app/domain/identity/sessions.server";
import { resetRateLimits } from "../../app/platform/rate-limits.server";
import { DAY_MS } from "../../app/platform/time";
import { getDb } from "../../db/client";
import { makeCompany, openPetition } from "../support/petition-fixtures";

/**
 * Issue 17's findings on discussions, each performed as the review did and shown to learn nothing
 * now: ids that place anonymous items in time (7), email trails of anonymous comments (8), and
 * reports that name their reporters forever (11).
 */

const company = makeCompany(24);
const staff = (i: number): User => {
  const user = company.staff[i];
  if (!user) throw new Error(`no staff ${i}`);
  return user;
};
const { moderator } = company;

beforeEach(() => resetRateLimits());

const post = (petitionId: number, user: User, body: string, anonymous = false, at = Date.now()) =>
  postComment({ type: "petition", id: petitionId }, { body, anonymous }, user, at);

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

describe("finding 11: reporters", () => {
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
});
