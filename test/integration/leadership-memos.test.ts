import { and, eq, inArray, like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { isCommitmentOverdue, updateCommitment } from "../../app/domain/announcements/commitments.server";
import { announcementInputSchema } from "../../app/domain/announcements/forms";
import { publishAnnouncement, saveAnnouncement } from "../../app/domain/announcements/lifecycle.server";
import { memoRecipientCount, queueAnnouncementEmails } from "../../app/domain/announcements/mailing.server";
import { announcementDetails, toApiAnnouncement } from "../../app/domain/announcements/reads.server";
import type { User } from "../../app/domain/identity/sessions.server";
import { createPolicy, publishPolicyVersion } from "../../app/domain/policies/registry.server";
import { setEmailPreference } from "../../app/platform/mail/email-preferences.server";
import { resetRateLimits } from "../../app/platform/security/rate-limits.server";
import { DAY_MS, MINUTE_MS } from "../../app/platform/time";
import * as editAnnouncement from "../../app/routes/announcements.$slug.edit";
import * as newAnnouncement from "../../app/routes/announcements.new";
import { getDb } from "../../db/client";
import { announcements, commitments, outbox } from "../../db/schema";
import { signAs } from "../support/anonymous";
import { callRoute } from "../support/fixtures";
import { makeCompany, openPetition } from "../support/petition-fixtures";

const company = makeCompany(30);
const staff = (i: number): User => {
  const user = company.staff[i];
  if (!user) throw new Error(`no staff ${i}`);
  return user;
};
const { leader } = company;
const T0 = Date.UTC(2026, 5, 1, 9); // fixed clock
/** `YYYY-MM-DD` (UTC) of an instant, as date fields take it. */
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const memoCount = () => getDb().select().from(announcements).all().length;

const policy = createPolicy(
  {
    title: "Keystroke logging",
    summary: "What is logged from staff machines, and how to pause it.",
    body: "## Collection\n\nKeystrokes are logged on company machines.",
    changeSummary: "First version",
    effectiveAt: new Date(T0 - 60 * DAY_MS),
  },
  leader,
  T0 - 60 * DAY_MS,
);
publishPolicyVersion(
  policy.id,
  {
    body: "## Collection\n\nKeystrokes are logged on company machines.\n\n- Staff may pause it.",
    changeSummary: "Pause",
    effectiveAt: new Date(T0 - 30 * DAY_MS),
  },
  leader,
  { now: T0 - 30 * DAY_MS },
);

type Reply = {
  status?: string;
  initialValue?: Record<string, unknown>;
  error?: Record<string, string[] | null>;
};
const reply = async (response: Response) => ({
  status: response.status,
  body: (await response.json()) as Reply,
});

describe("commitments past their due day", () => {
  it("are overdue once the due day is over, unless done — on the page and in the API alike", () => {
    // The exemption process is due two months after T0, on a day (midnight UTC), as the form takes it.
    const dueDay = Date.parse(isoDay(T0 + 60 * DAY_MS));
    const due = new Date(dueDay);
    const inProgress = { status: "in_progress" as const, dueAt: due };
    expect(isCommitmentOverdue(inProgress, dueDay + DAY_MS - MINUTE_MS)).toBe(false);
    expect(isCommitmentOverdue(inProgress, dueDay + DAY_MS)).toBe(true);
    expect(isCommitmentOverdue({ ...inProgress, status: "done" }, dueDay + 128 * DAY_MS)).toBe(false);
    expect(isCommitmentOverdue({ status: "planned", dueAt: null }, dueDay + 1_000 * DAY_MS)).toBe(false);

    const memo = saveAnnouncement(
      null,
      announcementInputSchema.parse({
        title: "Pausing keystroke logging",
        body: "From June, everyone can pause keystroke logging for up to thirty minutes.",
        commitments: [
          { text: "Pause controls", status: "in_progress", dueAt: isoDay(T0 + 14 * DAY_MS) },
          { text: "An exemption process", status: "in_progress", dueAt: isoDay(dueDay) },
        ],
      }),
      leader,
      T0,
    );
    publishAnnouncement(memo.id, leader, T0 + DAY_MS);
    const [pause] = announcementDetails(memo, T0).commitments;
    if (!pause) throw new Error("no commitment");
    updateCommitment(pause.id, { status: "done" }, leader, T0 + 10 * DAY_MS);
    // Four months past the exemption process's due day, as in the seeded company.
    const december = dueDay + 128 * DAY_MS;
    expect(announcementDetails(memo, december).commitments.map((c) => [c.text, c.overdue])).toEqual([
      ["Pause controls", false],
      ["An exemption process", true],
    ]);
    expect(toApiAnnouncement(memo, december).commitments.map((c) => c.overdue)).toEqual([false, true]);
    expect(announcementDetails(memo, T0 + 30 * DAY_MS).commitments.some((c) => c.overdue)).toBe(false);
  });
});

describe("the memo form", () => {
  it("takes more petitions and commitments than the three and five fixed slots it had", async () => {
    const petitions = [1, 2, 3, 4].map((n) => openPetition(company, `Petition about logging number ${n}`));
    const fields: Record<string, string> = {
      title: "Our answer on logging",
      body: "We answer four petitions about logging with seven commitments.",
    };
    petitions.forEach((p, i) => {
      fields[`responses[${i}].petitionId`] = String(p.id);
      fields[`responses[${i}].stance`] = "under_review";
    });
    for (let i = 0; i < 7; i++) fields[`commitments[${i}].text`] = `Commitment number ${i + 1}`;
    const response = await callRoute(newAnnouncement, "action", leader, "/announcements/new", {}, fields);
    expect(response.status).toBe(302);
    const saved = getDb().select().from(announcements).orderBy(announcements.id).all().at(-1);
    if (!saved) throw new Error("not saved");
    expect(
      getDb().select().from(commitments).where(eq(commitments.announcementId, saved.id)).all(),
    ).toHaveLength(7);
    expect(announcementDetails(saved).responses).toHaveLength(4);
  });

  it("adds a row with a plain submit (no JavaScript): the same form comes back with one more row, as typed, and nothing is saved", async () => {
    const before = memoCount();
    const typed = {
      title: "A memo being written",
      body: "Half written, with one commitment typed so far.",
      "commitments[0].text": "Publish the list of roles",
      "commitments[0].status": "planned",
    };
    // The "Add a commitment" button: conform's insert intent, as its button posts it.
    const insert = JSON.stringify({
      type: "insert",
      payload: { name: "commitments", defaultValue: { text: "", status: "planned", dueAt: "" } },
    });
    const { status, body } = await reply(
      await callRoute(
        newAnnouncement,
        "action",
        leader,
        "/announcements/new",
        {},
        {
          ...typed,
          __intent__: insert,
        },
      ),
    );
    expect(status).toBe(200);
    expect(body.initialValue).toMatchObject({
      title: "A memo being written",
      commitments: [{ text: "Publish the list of roles", status: "planned" }, { status: "planned" }],
    });
    expect(memoCount()).toBe(before);
  });

  it("starts a policy version from the chosen policy's latest text, saving nothing; without a policy it says to choose one", async () => {
    const before = memoCount();
    const { status, body } = await reply(
      await callRoute(
        newAnnouncement,
        "action",
        leader,
        "/announcements/new",
        {},
        {
          title: "Pausing is here",
          policyId: String(policy.id),
          startFromCurrent: "on",
        },
      ),
    );
    expect(status).toBe(200);
    expect(body.initialValue).toMatchObject({
      title: "Pausing is here",
      policyBody: "## Collection\n\nKeystrokes are logged on company machines.\n\n- Staff may pause it.",
    });
    const none = await reply(
      await callRoute(
        newAnnouncement,
        "action",
        leader,
        "/announcements/new",
        {},
        {
          title: "Pausing is here",
          startFromCurrent: "on",
        },
      ),
    );
    expect(none.status).toBe(400);
    expect(none.body.error?.policyId).toEqual(["Choose the policy whose text to start from"]);
    expect(memoCount()).toBe(before);
  });

  it("does the same on the edit page of a draft", async () => {
    const draft = saveAnnouncement(
      null,
      announcementInputSchema.parse({
        title: "A draft to edit",
        body: "A draft that will change its policy.",
      }),
      leader,
      T0,
    );
    const { status, body } = await reply(
      await callRoute(
        editAnnouncement,
        "action",
        leader,
        `/announcements/${draft.slug}/edit`,
        { slug: draft.slug },
        {
          title: "A draft to edit",
          body: "A draft that will change its policy.",
          policyId: String(policy.id),
          startFromCurrent: "on",
        },
      ),
    );
    expect(status).toBe(200);
    expect(String(body.initialValue?.policyBody)).toContain("Staff may pause it.");
  });
});

describe("before publishing", () => {
  it("counts the colleagues publishing may email: public signers and organizers, each once — a colleague's email setting does not move it", async () => {
    const petition = openPetition(company, "Let staff see their own logged keystrokes");
    // Signers 10–15: public ones 10, 12, 14 (14 turned these emails off); anonymous ones 11, 13, 15.
    for (let i = 10; i < 16; i++) {
      resetRateLimits();
      await signAs(
        i % 2 ? "anonymous" : "public",
        { petitionId: petition.id, user: staff(i), ip: null },
        T0 + i,
      );
    }
    const memoFor = (at: number) =>
      saveAnnouncement(
        null,
        announcementInputSchema.parse({
          title: "Seeing your own keystrokes",
          body: "You will be able to see what was logged from your machine.",
          responses: [{ petitionId: String(petition.id), stance: "accepted" }],
        }),
        leader,
        at,
      );
    // Before and after staff 14 turns these emails off, the count is the same: it may not tell
    // leadership whose settings are what.
    const draft = memoFor(T0 + DAY_MS / 2);
    const before = memoRecipientCount(draft.id);
    setEmailPreference(staff(14).id, "petition-responses", false);
    expect(memoRecipientCount(draft.id)).toBe(before);
    // The creator (staff 0) is its organizer, and also signs: one email, counted once.
    resetRateLimits();
    await signAs("public", { petitionId: petition.id, user: staff(0), ip: null }, T0 + 100);
    const memo = saveAnnouncement(
      null,
      announcementInputSchema.parse({
        title: "Seeing your own keystrokes",
        body: "You will be able to see what was logged from your machine.",
        responses: [{ petitionId: String(petition.id), stance: "accepted" }],
      }),
      leader,
      T0 + DAY_MS,
    );
    // At most staff 0, 10, 12 and 14 (14 turned these emails off, so gets none: see below).
    expect(memoRecipientCount(memo.id)).toBe(4);

    // Publishing sends to those of them who want these emails: staff 0, 10 and 12.
    publishAnnouncement(memo.id, leader, T0 + 2 * DAY_MS);
    while (queueAnnouncementEmails(T0 + 2 * DAY_MS) > 0);
    const recipients = new Set(
      getDb()
        .select({ to: outbox.toAddress })
        .from(outbox)
        .where(
          and(
            like(outbox.subject, "%Let staff see their own logged keystrokes%"),
            inArray(outbox.kind, ["signer.response", "petition.response"]),
          ),
        )
        .all()
        .map((m) => m.to),
    );
    expect(recipients.size).toBe(3);
  });
});
