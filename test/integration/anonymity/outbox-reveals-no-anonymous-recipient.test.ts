import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hideComment } from "../../../app/domain/discussion/moderation.server";
import { postComment } from "../../../app/domain/discussion/posting.server";
import { grantRole } from "../../../app/domain/identity/permissions.server";
import type { User } from "../../../app/domain/identity/sessions.server";
import { setPersonActive } from "../../../app/domain/people/directory.server";
import { petitionMailState } from "../../../app/domain/petitions/dashboard.server";
import { signPetition } from "../../../app/domain/petitions/signing.server";
import { postPetitionUpdate, queuePetitionUpdateEmails } from "../../../app/domain/petitions/updates.server";
import { sendFeedback } from "../../../app/domain/policies/feedback.server";
import { replyToFeedback } from "../../../app/domain/policies/feedback-inbox.server";
import { createPolicy } from "../../../app/domain/policies/registry.server";
import { setEmailPreference } from "../../../app/platform/mail/email-preferences.server";
import { listOutbox } from "../../../app/platform/mail/outbox.server";
import { CLI_ACTOR, listAuditEntries } from "../../../app/platform/security/audit.server";
import { resetRateLimits } from "../../../app/platform/security/rate-limits.server";
import { DAY_MS, startOfDay } from "../../../app/platform/time";
import * as auditRoute from "../../../app/routes/admin.audit";
import * as outboxRoute from "../../../app/routes/admin.outbox";
import { createSmtpTransport, deliverDueMail } from "../../../app/server/mail-sender.server";
import { getDb } from "../../../db/client";
import { comments, outbox } from "../../../db/schema";
import { signAnonymously } from "../../support/anonymous";
import { publishAnonymousComments } from "../../support/comment-batches";
import { callRoute } from "../../support/fixtures";
import { makeCompany, openPetition } from "../../support/petition-fixtures";
import { startSmtpServer } from "../../support/smtp";

/**
 * The outbox names no anonymous author (ADR 0032). The admin outbox listed emails in id order with their
 * subjects, so a reply to an anonymous author sat between two named sign-ins; and a reply email was
 * queued only for an active author, so deactivating a suspect and replying named them by a missing
 * row. Each test performs the attack and shows it learns nothing.
 */

const company = makeCompany(30);
const staff = company.member;
const admin = staff(29);
grantRole(admin.id, "admin", CLI_ACTOR);
const petition = openPetition(company, "Let staff see what the keystroke logger keeps");
const subject = { type: "petition" as const, id: petition.id };

let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
beforeAll(async () => {
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await smtp.close();
});

/**
 * An anonymous comment whose author asked for reply emails (the form's choice), published by its
 * thread's batch so that others can answer it.
 */
async function anonymousComment(author: User, body: string): Promise<number> {
  resetRateLimits();
  const id = await postComment(subject, { body, anonymous: true }, author);
  getDb().update(comments).set({ emailsAuthor: true }).where(eq(comments.id, id)).run();
  publishAnonymousComments();
  return id;
}

/** A reply; an anonymous one is published (and its email queued) by its batch, run here. */
async function replyTo(commentId: number, replier: User, anonymous = false): Promise<void> {
  resetRateLimits();
  await postComment(null, { body: "I agree with this.", anonymous, parentId: commentId }, replier);
  if (anonymous) publishAnonymousComments();
}

const rowsOfKind = (kind: "comment.reply" | "comment.hidden" | "feedback.reply") =>
  getDb().select().from(outbox).where(eq(outbox.kind, kind)).all();

/** Every field of an outbox row that any page, count or export is computed from. */
const seen = (row: typeof outbox.$inferSelect | undefined) => ({
  kind: row?.kind,
  status: row?.status,
  attempts: row?.attempts,
  lastError: row?.lastError,
  hidden: row?.recipientHidden,
  petitionId: row?.petitionId,
  createdAt: row?.createdAt.getTime(),
  sentAt: row?.sentAt?.getTime(),
  // Exact while it waits (the sender needs it; no page shows it); by the hour once done.
  nextAttemptAt:
    row?.status === "queued" ? startOfDay(row.nextAttemptAt.getTime()) : row?.nextAttemptAt.getTime(),
});

async function deliver(now?: () => number) {
  const transport = createSmtpTransport(smtp.url);
  try {
    return await deliverDueMail(transport, now ? { now } : {});
  } finally {
    transport.close();
  }
}

const tomorrow = () => Date.now() + DAY_MS;
const today = () => new Date(Date.now() - (Date.now() % DAY_MS)).toISOString();

describe("the admin outbox's order", () => {
  it("lists no email to a hidden recipient: sign-ins around an anonymous reply say nothing of it", async () => {
    const commenter = staff(5);
    const [aisha, tom] = [staff(6), staff(7)];
    const commentId = await anonymousComment(commenter, "The logger keeps every keystroke for a year.");
    // The attack: aisha signs in, "a verified colleague" replies to the anonymous commenter, tom signs
    // in. In id order with subjects, the reply sat between the two and named aisha as its author.
    const { requestSignIn } = await import("../../../app/domain/identity/sign-in.server");
    await requestSignIn({ email: aisha.email, ip: null });
    await replyTo(commentId, aisha, true);
    await requestSignIn({ email: tom.email, ip: null });
    expect(rowsOfKind("comment.reply").at(-1)).toMatchObject({
      toAddress: commenter.email,
      recipientHidden: true,
    });

    const response = await callRoute(outboxRoute, "loader", admin, "/admin/outbox", {});
    expect(response.status).toBe(200);
    const page = (await response.json()) as ReturnType<typeof listOutbox>;
    const text = JSON.stringify(page);
    // No row of it: not its kind, subject, recipient — so nothing to place between the sign-ins.
    expect(page.messages.map((m) => m.kind)).not.toContain("comment.reply");
    expect(text).not.toContain("replied");
    expect(text).not.toContain(commenter.email);
    const signIns = page.messages.filter((m) => m.kind === "sign-in").map((m) => m.toAddress);
    expect(signIns.slice(0, 2)).toEqual([tom.email, aisha.email]);
    // No sequential id either (a gap would mark a hidden email between them), nor a time finer than
    // the day.
    for (const m of page.messages) {
      expect(m.id).toBeNull();
      for (const time of [m.createdAt, m.nextAttemptAt, m.sentAt])
        if (time) expect(Date.parse(String(time)) % DAY_MS).toBe(0);
    }
    // The status filters count listed rows only, and today's hidden emails are not counted yet: a
    // count that moved while an admin watched would date the reply to the second.
    expect(page.hidden.filter((g) => String(g.day) === today())).toEqual([]);
    const listed = getDb().select().from(outbox).where(eq(outbox.recipientHidden, false)).all().length;
    expect(Object.values(page.totals).reduce((a, b) => a + b, 0)).toBe(listed);

    // Tomorrow it is a count of its kind for its day, with nothing to order it by.
    const later = listOutbox({ page: 1 }, tomorrow());
    const group = later.hidden.find((g) => g.kind === "comment.reply" && g.day.toISOString() === today());
    expect(group?.queued).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(later)).not.toContain(commenter.email);
  });
});

describe("emails to a deactivated author", () => {
  it("queues the same email for a deactivated suspect; the sender drops it exactly as it delivers one", async () => {
    const suspect = staff(10);
    const innocent = staff(11);
    const replier = staff(12);
    const theirs = await anonymousComment(suspect, "Nobody asked us before the logger went in.");
    const other = await anonymousComment(innocent, "The opt-out form is nowhere to be found.");
    await deliver(); // whatever is queued so far, so the counts below are of these two alone
    // The attack: deactivate the suspect, reply to the anonymous comment, look at the outbox.
    setPersonActive(suspect.id, false, { id: admin.id, email: admin.email });
    const before = rowsOfKind("comment.reply").length;
    await replyTo(theirs, replier);
    await replyTo(other, replier);
    const [toSuspect, toInnocent] = rowsOfKind("comment.reply").slice(before);
    expect(rowsOfKind("comment.reply").length).toBe(before + 2);
    expect(toSuspect?.toAddress).toBe(suspect.email);
    expect(seen(toSuspect)).toEqual(seen(toInnocent));

    // Delivered: the innocent gets theirs, the suspect nothing, and the outbox cannot tell them apart.
    expect(await deliver()).toEqual({ sent: 2, failed: 0 });
    await smtp.waitFor((m) => m.to.includes(innocent.email));
    expect(smtp.received.filter((m) => m.to.includes(suspect.email))).toEqual([]);
    const row = (id?: number) =>
      getDb()
        .select()
        .from(outbox)
        .where(eq(outbox.id, id ?? 0))
        .get();
    expect(row(toSuspect?.id)?.status).toBe("sent");
    expect(seen(row(toSuspect?.id))).toEqual(seen(row(toInnocent?.id)));
    const counts = listOutbox({ page: 1 }, tomorrow()).hidden;
    expect(JSON.stringify(counts)).not.toContain(suspect.email);

    // Reactivating soon after is flagged in the audit log, with how long they were inactive.
    setPersonActive(suspect.id, true, { id: admin.id, email: admin.email });
    const [entry] = listAuditEntries({ action: "person.activate" }).entries;
    expect(entry).toMatchObject({ targetId: String(suspect.id) });
    expect(entry?.details).toMatchObject({
      flagged: true,
      reactivatedAfter: expect.stringMatching(/minute/),
    });
    const audit = await callRoute(auditRoute, "loader", admin, "/admin/audit", {});
    expect(JSON.stringify(await audit.json())).toMatch(
      /"flagged":"Reactivated [^"]*minute[^"]* after a deactivation"/,
    );
  });

  it("queues a stand-in for a reply to one's own comment, and drops an opted-out author's at send time", async () => {
    const author = staff(13);
    const commentId = await anonymousComment(author, "The logger's vendor keeps copies.");
    await deliver();
    const before = rowsOfKind("comment.reply").length;
    // The author answering their own anonymous comment, under their name: no email for them, but a
    // missing row would say the named replier wrote the anonymous comment.
    await replyTo(commentId, author);
    const standIn = rowsOfKind("comment.reply").at(-1);
    expect(rowsOfKind("comment.reply").length).toBe(before + 1);
    expect(standIn).toMatchObject({ toAddress: "", textBody: "", withheld: true, recipientHidden: true });
    // Opted out of reply emails: still queued, for the sender to drop.
    setEmailPreference(author.id, "comment-replies", false);
    await replyTo(commentId, staff(14));
    const optedOut = rowsOfKind("comment.reply").at(-1);
    expect(rowsOfKind("comment.reply").length).toBe(before + 2);
    expect(optedOut).toMatchObject({ toAddress: author.email, optOutTopic: "comment-replies" });
    const received = smtp.received.length;
    expect(await deliver()).toEqual({ sent: 2, failed: 0 });
    expect(smtp.received.length).toBe(received);
    for (const id of [standIn?.id, optedOut?.id])
      expect(
        getDb()
          .select()
          .from(outbox)
          .where(eq(outbox.id, id ?? 0))
          .get()?.status,
      ).toBe("sent");
    setEmailPreference(author.id, "comment-replies", true);
  });

  it("tells a hidden comment's deactivated author nothing, and shows nothing either", async () => {
    const author = staff(15);
    const commentId = await anonymousComment(author, "Say what the logger keeps.");
    await deliver();
    setPersonActive(author.id, false, CLI_ACTOR);
    hideComment(commentId, "Off topic", company.moderator);
    const hidden = rowsOfKind("comment.hidden").at(-1);
    expect(hidden).toMatchObject({ toAddress: author.email, recipientId: author.id, recipientHidden: true });
    expect(await deliver()).toEqual({ sent: 1, failed: 0 });
    expect(smtp.received.filter((m) => m.to.includes(author.email))).toEqual([]);
    setPersonActive(author.id, true, CLI_ACTOR);
  });

  it("does the same for replies to a feedback author", async () => {
    const owner = staff(20);
    const policy = createPolicy(
      {
        title: "Keystroke logging policy",
        summary: "What is logged and why.",
        ownerTeam: "AI Platform",
        ownerEmails: owner.email,
        body: "Everything typed is logged.",
        changeSummary: "First",
        effectiveAt: new Date(Date.now() - DAY_MS),
      },
      company.leader,
    );
    const suspect = staff(21);
    const innocent = staff(22);
    const a = await sendFeedback(policy.id, { body: "Too much is logged.", anonymous: false }, suspect);
    const b = await sendFeedback(policy.id, { body: "Who reads it?", anonymous: false }, innocent);
    await deliver();
    setPersonActive(suspect.id, false, CLI_ACTOR);
    const before = rowsOfKind("feedback.reply").length;
    replyToFeedback(a, "Thank you, we are looking at it.", owner);
    replyToFeedback(b, "Thank you, we are looking at it.", owner);
    const [toSuspect, toInnocent] = rowsOfKind("feedback.reply").slice(before);
    expect(seen(toSuspect)).toEqual(seen(toInnocent));
    expect(await deliver()).toEqual({ sent: 2, failed: 0 });
    await smtp.waitFor((m) => m.to.includes(innocent.email));
    expect(smtp.received.filter((m) => m.to.includes(suspect.email))).toEqual([]);
    const row = (id?: number) =>
      getDb()
        .select()
        .from(outbox)
        .where(eq(outbox.id, id ?? 0))
        .get();
    expect(seen(row(toSuspect?.id))).toEqual(seen(row(toInnocent?.id)));
    setPersonActive(suspect.id, true, CLI_ACTOR);
  });

  it("fails a dropped email like a delivered one while SMTP is down", async () => {
    const suspect = staff(16);
    const innocent = staff(17);
    const theirs = await anonymousComment(suspect, "The logger runs during calls.");
    const other = await anonymousComment(innocent, "The logger runs at night.");
    await deliver();
    setPersonActive(suspect.id, false, CLI_ACTOR);
    const before = rowsOfKind("comment.reply").length;
    await replyTo(theirs, staff(18));
    await replyTo(other, staff(18));
    const [toSuspect, toInnocent] = rowsOfKind("comment.reply").slice(before);
    await smtp.goDown();
    try {
      expect(await deliver()).toEqual({ sent: 0, failed: 2 });
    } finally {
      await smtp.comeBack();
    }
    const row = (id?: number) =>
      getDb()
        .select()
        .from(outbox)
        .where(eq(outbox.id, id ?? 0))
        .get();
    expect(row(toSuspect?.id)).toMatchObject({ status: "queued", attempts: 1 });
    expect({ ...seen(row(toSuspect?.id)), nextAttemptAt: 0, lastError: "" }).toEqual({
      ...seen(row(toInnocent?.id)),
      nextAttemptAt: 0,
      lastError: "",
    });
    // Back up: both go out at their next attempt, recorded alike.
    expect(await deliver(() => Date.now() + DAY_MS)).toEqual({ sent: 2, failed: 0 });
    expect(seen(row(toSuspect?.id))).toEqual(seen(row(toInnocent?.id)));
    setPersonActive(suspect.id, true, CLI_ACTOR);
  });

  it("lets no one count a deactivated anonymous signer in the emails of an update", async () => {
    // Two petitions alike: a public signer who wants updates and an anonymous signer each. The
    // anonymous signer of the first is deactivated before the organizers post an update.
    const results: unknown[] = [];
    for (const [i, deactivate] of [false, true].entries()) {
      const p = openPetition(company, `Publish the logger's retention schedule, part ${i + 1}`);
      await signPetition({
        noAnonymousSignature: true,
        petitionId: p.id,
        user: staff(23 + i * 2),
        wantsUpdates: true,
        ip: null,
      });
      const anonymous = staff(24 + i * 2);
      await signAnonymously(p.id, anonymous);
      if (deactivate) setPersonActive(anonymous.id, false, CLI_ACTOR);
      postPetitionUpdate(p.id, "The schedule is due next week.", staff(0));
      for (let n = 0; n < 5 && queuePetitionUpdateEmails() > 0; n++);
      results.push(petitionMailState(p.id));
      if (deactivate) setPersonActive(anonymous.id, true, CLI_ACTOR);
    }
    expect(results[0]).toEqual(results[1]);
    expect(JSON.stringify(results[0])).toContain("signer.update");
  });
});
