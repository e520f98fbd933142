import { beforeEach, describe, expect, it } from "vitest";
import { grantRole } from "../../../app/domain/identity/permissions.server";
import type { User } from "../../../app/domain/identity/sessions.server";
import { resetRateLimits } from "../../../app/platform/security/rate-limits.server";
import { commentAction, commentRow, discussionAction, post } from "../../support/comments";
import { draftPetition, makeCompany, openPetition } from "../../support/petition-fixtures";

const company = makeCompany(30);
const staff = company.member;
const organizer = staff(0);
const { moderator, leader } = company;
const admin = staff(29);
grantRole(admin.id, "admin", { id: null, label: "cli" });
admin.roles = ["admin"];

beforeEach(() => resetRateLimits());

describe("who may do what", () => {
  it("sends signed-out visitors to sign in, and refuses every action to those it is not theirs to take", async () => {
    const petition = openPetition(company);
    const author = staff(23);
    const id = await post(petition.id, author, "A comment to act on");
    const signedOut: Array<Record<string, string>> = [
      { intent: "reply", body: "x" },
      { intent: "edit", body: "x" },
      { intent: "delete" },
      { intent: "vote", up: "1" },
      { intent: "report", reason: "spam" },
      { intent: "hide", reason: "Because" },
      { intent: "restore" },
      { intent: "dismiss" },
    ];
    for (const fields of signedOut) {
      const response = await commentAction(null, id, fields);
      expect(response.status, fields.intent).toBe(302);
      expect(response.headers.get("Location"), fields.intent).toMatch(/^\/sign-in\?redirectTo=/);
    }
    const discussionIntents: Array<Record<string, string>> = [
      { intent: "post", body: "x" },
      { intent: "lock", reason: "Because" },
      { intent: "unlock" },
    ];
    for (const fields of discussionIntents) {
      const response = await discussionAction(null, petition.id, fields);
      expect(response.headers.get("Location"), fields.intent).toMatch(/^\/sign-in\?redirectTo=/);
    }
    // Staff who did not write it: no edit or delete; nobody but moderators moderates or locks.
    const other = staff(24);
    const expectations: Array<[User, Record<string, string>, number]> = [
      [other, { intent: "edit", body: "Hijack" }, 403],
      [other, { intent: "delete" }, 403],
      [other, { intent: "hide", reason: "Because" }, 403],
      [other, { intent: "restore" }, 403],
      [other, { intent: "dismiss" }, 403],
      [organizer, { intent: "hide", reason: "Because" }, 403],
      [leader, { intent: "hide", reason: "Because" }, 403],
      [admin, { intent: "hide", reason: "Because" }, 403],
      [author, { intent: "vote", up: "1" }, 403],
      [author, { intent: "report", reason: "spam" }, 403],
      [moderator, { intent: "edit", body: "Moderators do not rewrite people" }, 403],
      [moderator, { intent: "restore" }, 409],
    ];
    for (const [user, fields, status] of expectations) {
      const response = await commentAction(user, id, fields);
      expect(response.status, `${user.email} ${fields.intent}`).toBe(status);
    }
    for (const user of [other, organizer, leader, admin]) {
      expect((await discussionAction(user, petition.id, { intent: "lock", reason: "Because" })).status).toBe(
        403,
      );
    }
    expect(commentRow(id)).toMatchObject({
      body: "A comment to act on",
      hiddenAt: null,
      score: 0,
      openReports: 0,
    });
    // A comment on a petition the viewer may not see is not there at all.
    const draft = draftPetition(organizer);
    expect((await discussionAction(staff(24), draft.id, { intent: "post", body: "Hello?" })).status).toBe(
      404,
    );
    expect((await commentAction(staff(24), 999_999, { intent: "vote", up: "1" })).status).toBe(404);
  });
});
