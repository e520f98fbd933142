import { eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { updateCommitment } from "../../app/domain/announcements/commitments.server";
import { announcementInputSchema } from "../../app/domain/announcements/forms";
import {
  AnnouncementError,
  publishAnnouncement,
  publishDueAnnouncements,
  saveAnnouncement,
  scheduleAnnouncement,
} from "../../app/domain/announcements/lifecycle.server";
import { queueAnnouncementEmails } from "../../app/domain/announcements/mailing.server";
import { openObligations, sendObligationReminders } from "../../app/domain/announcements/obligations.server";
import {
  announcementDetails,
  findAnnouncement,
  responsesToPetitions,
} from "../../app/domain/announcements/reads.server";
import { grantRole } from "../../app/domain/identity/permissions.server";
import type { User } from "../../app/domain/identity/sessions.server";
import { setPersonActive } from "../../app/domain/people/directory.server";
import { transitionPetition } from "../../app/domain/petitions/lifecycle.server";
import {
  findPetition,
  listPetitions,
  petitionPage,
  withStatus,
} from "../../app/domain/petitions/reads.server";
import { signPetition, withdrawSignature } from "../../app/domain/petitions/signing.server";
import {
  createPolicy,
  diffVersions,
  PolicyError,
  policyPage,
} from "../../app/domain/policies/registry.server";
import { setEmailPreference } from "../../app/platform/mail/email-preferences.server";
import { CLI_ACTOR, listAuditEntries } from "../../app/platform/security/audit.server";
import { resetRateLimits } from "../../app/platform/security/rate-limits.server";
import { DEFAULT_SETTINGS, updateSettings } from "../../app/platform/site/settings.server";
import { DAY_MS } from "../../app/platform/time";
import * as announcementList from "../../app/routes/announcements._index";
import * as announcementPage from "../../app/routes/announcements.$slug._index";
import * as newAnnouncement from "../../app/routes/announcements.new";
import * as atomFeed from "../../app/routes/announcements[.]atom";
import * as apiAnnouncement from "../../app/routes/api.announcements.$id";
import * as policyDiff from "../../app/routes/policies.$slug.diff";
import * as newPolicy from "../../app/routes/policies.new";
import { createSmtpTransport, deliverDueMail } from "../../app/server/mail-sender.server";
import { closeDb, getDb } from "../../db/client";
import { announcements, outbox, policies as policiesTable, policyVersions } from "../../db/schema";
import { signAs } from "../support/anonymous";
import { dateTimeFromNow, dayFromNow } from "../support/dates";
import { callRoute } from "../support/fixtures";
import { makeCompany, openPetition } from "../support/petition-fixtures";
import { startSmtpServer } from "../support/smtp";

let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
beforeAll(async () => {
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await smtp.close();
});

// Small milestones so a handful of signatures reach one that requires a response.
updateSettings(DEFAULT_SETTINGS, [{ threshold: 5, responseRequired: true, responseDays: 14 }], CLI_ACTOR);
const company = makeCompany(40);
const staff = company.member;
const { leader, moderator } = company;
const admin = staff(39);
grantRole(admin.id, "admin", CLI_ACTOR);
admin.roles = ["admin"];

// fixed clock: every domain call below that takes a time is handed T0 plus an offset.
const T0 = Date.UTC(2026, 3, 1, 9);
const input = (fields: Record<string, unknown>) => announcementInputSchema.parse(fields);

async function signMany(petitionId: number, from: number, count: number, at: number) {
  for (let i = 0; i < count; i++) {
    resetRateLimits();
    await signAs(
      i % 2 ? "anonymous" : "public",
      { petitionId, user: staff(from + i), ip: null },
      at + i * 60_000,
    );
  }
}

describe("a response obligation from milestone to answer", () => {
  it("awaits a response with the due date, then shows responded once a memo answers it, emailing each signer once", async () => {
    const petition = openPetition(company, "Let staff pause keystroke logging for thirty minutes");
    // Its organizers: the creator alone (its co-sponsors endorse it; organizer emails are not theirs).
    const organizerEmails = [staff(0)].map((s) => s.email);
    await signMany(petition.id, 10, 8, T0);
    // Reached at the fifth signature: due 14 days later.
    const reachedAt = T0 + 4 * 60_000;
    const [status] = withStatus([petition]);
    expect(status?.responseDueAt?.getTime()).toBe(reachedAt + 14 * DAY_MS);
    // A due date is a moment that matters: the page shows it in its reader's zone, so its data
    // carries the minute it is due (and no more).
    expect(petitionPage(petition.slug, null)?.page.responseDueAt?.getTime()).toBe(reachedAt + 14 * DAY_MS);
    expect(
      listPetitions({ list: "awaiting-response", sort: "signatures", page: 1 }).petitions.map((p) => p.id),
    ).toContain(petition.id);
    expect(openObligations(T0).some((o) => o.petition.id === petition.id)).toBe(true);

    // One signer turns these emails off; one organizer also signed.
    setEmailPreference(staff(11).id, "petition-responses", false);
    resetRateLimits();
    await signPetition(
      { noAnonymousSignature: true, petitionId: petition.id, user: staff(1), ip: null },
      T0 + DAY_MS,
    );

    const policy = createPolicy(
      {
        title: "Model Capability Initiative data collection",
        summary: "What the company collects to train its models, and how staff can limit it.",
        body: "Keystrokes and clicks are collected on all company devices.",
        changeSummary: "First version",
        effectiveAt: new Date(T0 - 30 * DAY_MS),
        ownerTeam: "Research",
        ownerEmails: leader.email,
      },
      leader,
      T0 - 30 * DAY_MS,
    );
    const draft = saveAnnouncement(
      null,
      input({
        title: "Our response on keystroke logging",
        body: "We have listened. Staff may now pause collection for up to 30 minutes at a time.",
        responses: [{ petitionId: String(petition.id), stance: "partially_accepted" }],
        policyId: String(policy.id),
        policyBody:
          "Keystrokes and clicks are collected on all company devices. Staff may pause collection for up to 30 minutes at a time.",
        policyChangeSummary: "Pause for up to 30 minutes",
        policyEffectiveAt: new Date(T0 + 20 * DAY_MS).toISOString(),
        commitments: [{ text: "Pause controls for up to 30 minutes", status: "in_progress" }],
      }),
      leader,
      T0 + 10 * DAY_MS,
    );
    expect(draft.state).toBe("draft");
    // A draft answers nothing yet.
    expect(petitionPage(petition.slug, null)?.page.responseDueAt).not.toBeNull();
    expect(() => publishAnnouncement(draft.id, staff(20))).toThrowError(AnnouncementError);

    publishAnnouncement(draft.id, leader, T0 + 12 * DAY_MS);
    const page = petitionPage(petition.slug, null)?.page;
    expect(page?.responseDueAt).toBeNull();
    expect(page?.responded).toEqual({ stance: "partially_accepted", announcementSlug: draft.slug });
    expect(
      listPetitions({ list: "responded", sort: "signatures", page: 1 }).petitions.map((p) => p.id),
    ).toContain(petition.id);
    expect(openObligations(T0 + 12 * DAY_MS).some((o) => o.petition.id === petition.id)).toBe(false);
    const [response] = responsesToPetitions([petition.id]);
    expect(response).toMatchObject({ stance: "partially_accepted", milestoneThresholds: [5] });

    // The policy's version 2 exists, with its diff.
    const policyView = policyPage(policy.slug, T0 + 21 * DAY_MS);
    expect(policyView?.current?.version).toBe(2);
    // Rendered, the added text marked: nothing was removed.
    const diff = diffVersions(policy.id, 1, 2) ?? "";
    expect(diff.replace(/<[^>]+>/g, "")).toContain("Staff may pause collection");
    expect(diff).toContain("<ins>");
    expect(diff).not.toContain("<del>");
    expect(announcementDetails(findAnnouncement(draft.slug) ?? draft).policy).toMatchObject({
      version: 2,
      previousVersion: 1,
    });

    // Signer emails go out in batches (2 at a time here), each signer once, organizers apart.
    while (queueAnnouncementEmails(T0 + 12 * DAY_MS, 2) > 0) {
      /* next batch */
    }
    expect(queueAnnouncementEmails(T0 + 12 * DAY_MS, 2)).toBe(0);
    const queued = getDb().select().from(outbox).where(like(outbox.kind, "%response")).all();
    const signerMail = queued.filter((m) => m.kind === "signer.response").map((m) => m.toAddress);
    // The organizer who signed gets the signers' email too: leaving organizers out would let one learn
    // whether a colleague signed, by making them a co-organizer and watching the email counts.
    // Public signers only: anonymous ones (11, 13, 15, 17) cannot be emailed; they follow the page.
    const expected = [1, 10, 12, 14, 16].map((i) => staff(i).email);
    expect(signerMail.sort()).toEqual(expected.sort());
    const organizerMail = queued.filter((m) => m.kind === "petition.response").map((m) => m.toAddress);
    expect(organizerMail.sort()).toEqual([...organizerEmails].sort());
    expect(queued.find((m) => m.kind === "signer.response")?.headers?.["List-Unsubscribe-Post"]).toBe(
      "List-Unsubscribe=One-Click",
    );

    const transport = createSmtpTransport(smtp.url);
    while ((await deliverDueMail(transport, { limit: 50 })).sent > 0) {
      /* drain */
    }
    transport.close();
    for (const email of new Set([...expected, ...organizerEmails])) {
      const received = smtp.received.filter(
        (m) => m.to.includes(email) && /responded/.test(m.parsed.subject ?? ""),
      );
      // Once as a signer, once as an organizer; both for the organizer who signed.
      expect(received, email).toHaveLength(
        Number(expected.includes(email)) + Number(organizerEmails.includes(email)),
      );
    }
    expect(
      smtp.received.some((m) => m.to.includes(staff(11).email) && /responded/.test(m.parsed.subject ?? "")),
    ).toBe(false);

    // Commitments: each status change is kept with its date.
    const [commitment] = announcementDetails(draft).commitments;
    if (!commitment) throw new Error("no commitment");
    updateCommitment(
      commitment.id,
      { status: "done", note: "Shipped in the June release" },
      leader,
      T0 + 40 * DAY_MS,
    );
    expect(announcementDetails(draft).commitments[0]?.updates.map((u) => u.status)).toEqual([
      "in_progress",
      "done",
    ]);
    expect(() => updateCommitment(commitment.id, { status: "planned" }, staff(20))).toThrowError(
      AnnouncementError,
    );
    expect(listAuditEntries({ action: "announcement.publish" }).entries).toHaveLength(1);
  });

  it("reminds leadership 3 days before and on the day it becomes overdue, once each, across a restart", async () => {
    const petition = openPetition(company, "Publish the retention period for collected data");
    await signMany(petition.id, 20, 5, T0);
    const due = withStatus([petition])[0]?.responseDueAt?.getTime() ?? 0;
    const reminders = () =>
      getDb()
        .select()
        .from(outbox)
        .all()
        .filter((m) => m.kind.startsWith("obligation.") && m.subject.includes("retention period"));
    expect(sendObligationReminders(due - 4 * DAY_MS)).toBe(0);
    sendObligationReminders(due - 3 * DAY_MS);
    expect(reminders().map((m) => [m.kind, m.toAddress])).toEqual([["obligation.due-soon", leader.email]]);
    sendObligationReminders(due - 2 * DAY_MS);
    // A restart: a new connection, the same database.
    closeDb();
    sendObligationReminders(due - DAY_MS);
    expect(reminders()).toHaveLength(1);
    sendObligationReminders(due + 60_000);
    sendObligationReminders(due + DAY_MS);
    expect(reminders().map((m) => m.kind)).toEqual(["obligation.due-soon", "obligation.overdue"]);
    expect(openObligations(due + 60_000).find((o) => o.petition.id === petition.id)?.overdue).toBe(true);
  });
});

describe("scheduling and permissions", () => {
  it("publishes a scheduled announcement when its time comes, once", () => {
    const draft = saveAnnouncement(
      null,
      input({ title: "Quarterly update", body: "A scheduled memo for everyone." }),
      leader,
    );
    expect(() => scheduleAnnouncement(draft.id, new Date(T0), leader, T0 + 1)).toThrowError(/future/);
    scheduleAnnouncement(draft.id, new Date(T0 + 3_600_000), leader, T0);
    expect(publishDueAnnouncements(T0 + 60_000)).toBe(0);
    expect(publishDueAnnouncements(T0 + 2 * 3_600_000)).toBe(1);
    expect(publishDueAnnouncements(T0 + 3 * 3_600_000)).toBe(0);
    expect(findAnnouncement(String(draft.id))?.state).toBe("published");
  });

  it("does not publish a scheduled memo whose author has left: it waits for a person to decide", () => {
    const author = { ...staff(37), roles: ["leadership" as const] };
    grantRole(author.id, "leadership", CLI_ACTOR);
    const draft = saveAnnouncement(
      null,
      input({ title: "Written before leaving", body: "A memo scheduled by someone who then left." }),
      author,
    );
    scheduleAnnouncement(draft.id, new Date(T0 + 3_600_000), author, T0);
    setPersonActive(author.id, false, CLI_ACTOR);
    expect(publishDueAnnouncements(T0 + 2 * 3_600_000)).toBe(0);
    expect(findAnnouncement(String(draft.id))?.state).toBe("scheduled");
    setPersonActive(author.id, true, CLI_ACTOR);
    expect(publishDueAnnouncements(T0 + 2 * 3_600_000)).toBe(1);
  });

  it("keeps earlier versions when a published memo is edited, and lets only leadership and admins write", () => {
    const memo = saveAnnouncement(
      null,
      input({ title: "A memo to edit", body: "The first text of this memo." }),
      admin,
    );
    publishAnnouncement(memo.id, admin);
    const edit = input({ title: "A memo, edited", body: "The second text of this memo." });
    // Another's memo: edited only on its author's behalf (ADR 0028).
    expect(() => saveAnnouncement(memo.id, edit, leader)).toThrowError(/on their behalf/);
    const edited = saveAnnouncement(memo.id, { ...edit, onBehalf: true }, leader);
    expect(edited.updatedAfterPublishingAt).not.toBeNull();
    expect(announcementDetails(edited).revisions.map((r) => r.title)).toEqual(["A memo to edit"]);
    for (const user of [staff(5), moderator]) {
      expect(() =>
        saveAnnouncement(null, input({ title: "Not allowed", body: "Staff cannot write memos." }), user),
      ).toThrowError(AnnouncementError);
      expect(() =>
        createPolicy(
          {
            title: "A policy",
            summary: "Not allowed to create it.",
            body: "Some policy text here.",
            changeSummary: "x",
            effectiveAt: new Date(),
          },
          user,
        ),
      ).toThrowError(PolicyError);
    }
  });

  it("answers only public petitions", () => {
    const hiddenDraft = openPetition(company, "A petition that will be hidden");
    expect(() =>
      saveAnnouncement(
        null,
        input({
          title: "Answering a draft",
          body: "This should not be possible at all.",
          responses: [{ petitionId: "999999", stance: "declined" }],
        }),
        leader,
      ),
    ).toThrowError(/only answer/);
    expect(hiddenDraft.state).toBe("open");
  });
});

describe("the pages' actions", () => {
  const call = callRoute;

  it("answers bad input with a 400 and people without the right with a 403, changing nothing", async () => {
    const count = () => getDb().select().from(announcements).all().length;
    const before = count();
    const bad: Array<Record<string, string>> = [
      {},
      { title: "x", body: "too short" },
      {
        title: "A fine title",
        body: "A body that is long enough to keep.",
        "responses[0].petitionId": "abc",
        "responses[0].stance": "accepted",
      },
      { title: "A fine title", body: "A body that is long enough to keep.", policyId: "1" },
      {
        title: "A fine title",
        body: "A body that is long enough to keep.",
        "commitments[0].text": "x".repeat(400),
      },
      {
        title: "A fine title",
        body: "A body that is long enough to keep.",
        "commitments[0].text": "ok",
        "commitments[0].dueAt": "not a date",
      },
    ];
    for (const fields of bad) {
      const response = await call(newAnnouncement, "action", leader, "/announcements/new", {}, fields);
      expect(response.status, JSON.stringify(fields)).toBe(400);
    }
    const unknownPetition = await call(
      newAnnouncement,
      "action",
      leader,
      "/announcements/new",
      {},
      {
        title: "A fine title",
        body: "A body that is long enough to keep.",
        "responses[0].petitionId": "999999",
        "responses[0].stance": "accepted",
      },
    );
    expect(unknownPetition.status).toBe(400);
    expect(
      (
        await call(
          newAnnouncement,
          "action",
          staff(5),
          "/announcements/new",
          {},
          { title: "A fine title", body: "A body that is long enough to keep." },
        )
      ).status,
    ).toBe(403);
    expect((await call(newAnnouncement, "action", null, "/announcements/new", {}, {})).status).toBe(302);
    expect(count()).toBe(before);

    const draft = saveAnnouncement(
      null,
      input({ title: "A draft to act on", body: "Only leadership can publish this." }),
      leader,
    );
    const page = (as: User | null, fields: Record<string, string>) =>
      call(announcementPage, "action", as, `/announcements/${draft.slug}`, { slug: draft.slug }, fields);
    expect((await page(staff(5), { intent: "publish" })).status).toBe(403);
    expect((await page(moderator, { intent: "publish" })).status).toBe(403);
    expect((await page(leader, { intent: "schedule", publishAt: "soon" })).status).toBe(400);
    expect((await page(leader, { intent: "schedule", publishAt: dateTimeFromNow(-1) })).status).toBe(400);
    expect(
      (await page(leader, { intent: "commitment", commitmentId: "999999", status: "done" })).status,
    ).toBe(404);
    expect((await page(leader, { intent: "launch" })).status).toBe(400);
    expect(findAnnouncement(draft.slug)?.state).toBe("draft");
    // A draft is nobody's business but leadership's: page, API, feed.
    expect(
      (await call(announcementPage, "loader", staff(5), `/announcements/${draft.slug}`, { slug: draft.slug }))
        .status,
    ).toBe(404);
    expect(
      (await call(announcementPage, "loader", leader, `/announcements/${draft.slug}`, { slug: draft.slug }))
        .status,
    ).toBe(200);
    expect(
      (
        await call(apiAnnouncement, "loader", null, `/api/announcements/${draft.id}`, {
          id: String(draft.id),
        })
      ).status,
    ).toBe(404);
    expect(await (await call(atomFeed, "loader", null, "/announcements.atom", {})).text()).not.toContain(
      "A draft to act on",
    );

    const policies = () => getDb().select().from(policyVersions).all().length;
    const versionsBefore = policies();
    expect((await call(newPolicy, "action", leader, "/policies/new", {}, { title: "P" })).status).toBe(400);
    expect((await call(newPolicy, "action", staff(5), "/policies/new", {}, {})).status).toBe(403);
    expect(
      (
        await call(
          newPolicy,
          "action",
          leader,
          "/policies/new",
          {},
          {
            title: "Policy with a stranger",
            summary: "A policy owned by someone unknown.",
            body: "Some policy text that is long enough.",
            effectiveAt: dayFromNow(-30),
            ownerEmails: "nobody@nowhere.example",
          },
        )
      ).status,
    ).toBe(400);
    expect(policies()).toBe(versionsBefore);
    const policy = getDb().select().from(policiesTable).get();
    if (!policy) throw new Error("no policy");
    const diff = (query: string) =>
      call(policyDiff, "loader", null, `/policies/${policy.slug}/diff?${query}`, { slug: policy.slug });
    expect((await diff("from=1&to=2")).status).toBe(200);
    expect((await diff("from=1&to=99")).status).toBe(404);
    expect((await diff("from=x&to=2")).status).toBe(400);
    expect((await diff("")).status).toBe(400);
  });

  it("escapes titles and text in the Atom feed", async () => {
    const memo = saveAnnouncement(
      null,
      input({ title: 'Pay & <conditions> "now"', body: "Text with <script>alert(1)</script> & more." }),
      leader,
    );
    publishAnnouncement(memo.id, leader);
    const xml = await (await call(atomFeed, "loader", null, "/announcements.atom", {})).text();
    expect(xml).toContain("<title>Pay &amp; &lt;conditions&gt; &quot;now&quot;</title>");
    expect(xml).not.toContain("<script>");
  });
});

describe("a memo's emails to signers", () => {
  it("emails a signer once even when the signature the batch started from is withdrawn between batches", async () => {
    const a = openPetition(company, "First petition a signer signs");
    const b = openPetition(company, "Second petition the same signer signs");
    const signer = staff(30);
    const others = [31, 32, 33].map(staff);
    for (const user of [signer, ...others]) {
      resetRateLimits();
      await signPetition({ noAnonymousSignature: true, petitionId: a.id, user, ip: null });
      resetRateLimits();
      await signPetition({ noAnonymousSignature: true, petitionId: b.id, user, ip: null });
    }
    const memo = saveAnnouncement(
      null,
      input({
        title: "Answering two petitions",
        body: "One memo answers both petitions at once.",
        responses: [
          { petitionId: String(a.id), stance: "declined" },
          { petitionId: String(b.id), stance: "under_review" },
        ],
      }),
      leader,
    );
    publishAnnouncement(memo.id, leader);
    queueAnnouncementEmails(Date.now(), 1);
    resetRateLimits();
    withdrawSignature(a.id, signer);
    while (queueAnnouncementEmails(Date.now(), 1) > 0) {
      /* next batch */
    }
    const mail = getDb()
      .select()
      .from(outbox)
      .all()
      // This memo's emails, by the titles it answers (the outbox keeps only the hour it queued them).
      .filter(
        (m) =>
          m.kind === "signer.response" &&
          (m.subject.includes("petition a signer signs") ||
            m.subject.includes("petition the same signer signs")),
      );
    for (const user of [signer, ...others]) {
      expect(
        mail.filter((m) => m.toAddress === user.email),
        user.email,
      ).toHaveLength(1);
    }
  });

  it("sends no page the email batches' cursor, which is the person id of a signer", async () => {
    const petition = openPetition(company, "A petition whose signers a memo emails");
    for (const user of [staff(35), staff(36)]) {
      resetRateLimits();
      await signPetition({ noAnonymousSignature: true, petitionId: petition.id, user, ip: null });
    }
    const draft = saveAnnouncement(
      null,
      input({
        title: "Answering the emailed signers",
        body: "A memo whose signer emails go out in batches.",
        responses: [{ petitionId: String(petition.id), stance: "accepted" }],
      }),
      leader,
    );
    publishAnnouncement(draft.id, leader);
    queueAnnouncementEmails(Date.now(), 1);
    const memo = getDb().select().from(announcements).where(eq(announcements.id, draft.id)).get();
    expect(memo?.emailCursor).toBeGreaterThan(0);
    for (const as of [null, staff(31), leader]) {
      const page = await callRoute(announcementPage, "loader", as, `/announcements/${memo?.slug}`, {
        slug: memo?.slug ?? "",
      });
      const list = await callRoute(announcementList, "loader", as, "/announcements", {});
      for (const response of [page, list]) {
        expect(response.status).toBe(200);
        const data = await response.text();
        expect(data).toContain("Answering the emailed signers");
        expect(data).not.toMatch(/emailCursor|emailsDoneAt/);
      }
    }
  });
});

describe("answers and commitments", () => {
  it("refuses to publish an answer to a petition hidden since the draft, and keeps hidden petitions off leadership's queue", async () => {
    const petition = openPetition(company, "A petition hidden after the draft");
    await signMany(petition.id, 34, 5, Date.now());
    expect(openObligations().some((o) => o.petition.id === petition.id)).toBe(true);
    const memo = saveAnnouncement(
      null,
      input({
        title: "Answering it",
        body: "An answer to a petition that gets hidden.",
        responses: [{ petitionId: String(petition.id), stance: "declined" }],
      }),
      leader,
    );
    transitionPetition(petition.id, { action: "hide", reason: "Names a colleague" }, moderator);
    expect(() => publishAnnouncement(memo.id, leader)).toThrowError(/no longer public/);
    expect(openObligations().some((o) => o.petition.id === petition.id)).toBe(false);
  });

  it("moves a commitment's due date later, the move kept in its history", () => {
    const memo = saveAnnouncement(
      null,
      input({
        title: "A memo with a commitment",
        body: "We commit to one thing here.",
        commitments: [{ text: "Do it", dueAt: dayFromNow(30) }],
      }),
      leader,
    );
    publishAnnouncement(memo.id, leader);
    const [commitment] = announcementDetails(memo).commitments;
    const later = dayFromNow(60);
    updateCommitment(
      commitment?.id ?? 0,
      { status: "in_progress", dueAt: new Date(later), announcementId: memo.id },
      leader,
    );
    const [after] = announcementDetails(memo).commitments;
    expect(after?.dueAt?.toISOString().slice(0, 10)).toBe(later);
    expect(after?.updates.at(-1)).toMatchObject({ status: "in_progress", note: `Now due ${later}` });
    expect(() =>
      updateCommitment(commitment?.id ?? 0, { status: "done", announcementId: memo.id + 1 }, leader),
    ).toThrowError(/no such commitment/);
  });
});

describe("slugs and dates", () => {
  it("never makes an all-digit slug, which would read as an id", () => {
    const memo = saveAnnouncement(
      null,
      input({ title: "20260", body: "A memo whose title is only digits." }),
      leader,
    );
    expect(memo.slug).toBe("20260-announcement");
    expect(findAnnouncement(memo.slug)?.id).toBe(memo.id);
  });

  it("keeps a petition's creation date when it changes state", () => {
    const petition = openPetition(company, "A petition whose creation date must stay");
    const created = findPetition(petition.slug)?.createdAt.getTime();
    transitionPetition(petition.id, { action: "close" }, moderator, Date.now() + DAY_MS);
    expect(findPetition(petition.slug)?.createdAt.getTime()).toBe(created);
    expect(findPetition(petition.slug)?.updatedAt.getTime()).toBeGreaterThan(created ?? 0);
  });
});
