import { describe, expect, it } from "vitest";
import { saveAnnouncement } from "../../app/domain/announcements/lifecycle.server";
import { announcementDetails, findAnnouncement } from "../../app/domain/announcements/reads.server";
import { grantRole } from "../../app/domain/identity/permissions.server";
import type { User } from "../../app/domain/identity/sessions.server";
import { CLI_ACTOR, listAuditEntries } from "../../app/platform/security/audit.server";
import * as announcementRoute from "../../app/routes/announcements.$slug._index";
import { callRoute } from "../support/fixtures";
import { makeCompany } from "../support/petition-fixtures";

/** A leader changes another's memo only on the author's behalf, which the memo shows and the audit log records. */

const company = makeCompany(24);
const staff = company.member;

describe("memos", () => {
  it("lets a leader change another's memo only on the author's behalf, which the memo shows and the audit log records", async () => {
    const other = staff(20);
    grantRole(other.id, "leadership", CLI_ACTOR);
    const otherLeader: User = { ...other, roles: ["leadership"] };
    const memo = saveAnnouncement(
      null,
      {
        title: "On quiet rooms",
        body: "Leadership will add quiet rooms on every floor.",
        responses: [],
        commitments: [],
      },
      company.leader,
    );
    const edit = {
      title: "On quiet rooms, rewritten",
      body: "Something else entirely, by someone else.",
      responses: [],
      commitments: [],
    };
    expect(() => saveAnnouncement(memo.id, edit, otherLeader)).toThrow(/on their behalf/);
    expect(findAnnouncement(memo.slug)?.title).toBe("On quiet rooms");
    const publish = await callRoute(
      announcementRoute,
      "action",
      otherLeader,
      `/announcements/${memo.slug}`,
      { slug: memo.slug },
      {
        intent: "publish",
      },
    );
    expect(publish.status).toBe(403);
    expect(findAnnouncement(memo.slug)?.state).toBe("draft");
    saveAnnouncement(memo.id, { ...edit, onBehalf: true }, otherLeader);
    const details = announcementDetails(findAnnouncement(memo.slug) ?? memo);
    expect(details.onBehalf.map((p) => [p.by, p.act])).toEqual([[otherLeader.name, "edit"]]);
    const audit = listAuditEntries({ action: "announcement.on-behalf" }).entries;
    expect(audit.at(-1)).toMatchObject({ details: { act: "edit", authorId: company.leader.id } });
  });
});
