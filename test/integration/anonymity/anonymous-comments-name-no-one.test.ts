import { and, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { hideComment } from "../../../app/domain/discussion/moderation.server";
import { editComment, postComment } from "../../../app/domain/discussion/posting.server";
import { reportedComments } from "../../../app/domain/discussion/queue.server";
import { reportComment } from "../../../app/domain/discussion/reactions.server";
import { listRevisions, loadComment, loadThread } from "../../../app/domain/discussion/thread.server";
import { grantRole } from "../../../app/domain/identity/permissions.server";
import type { User } from "../../../app/domain/identity/sessions.server";
import { requestSignIn } from "../../../app/domain/identity/sign-in.server";
import { signPetition } from "../../../app/domain/petitions/signing.server";
import { listOutbox } from "../../../app/platform/mail/outbox.server";
import { listAuditEntries } from "../../../app/platform/security/audit.server";
import { resetRateLimits } from "../../../app/platform/security/rate-limits.server";
import { DAY_MS } from "../../../app/platform/time";
import * as commentRoute from "../../../app/routes/comments.$commentId";
import * as discussionRoute from "../../../app/routes/discussions.$subjectType.$subjectId";
import * as petitionRoute from "../../../app/routes/petitions.$slug._index";
import { getDb } from "../../../db/client";
import { outbox } from "../../../db/schema";
import { signAnonymously } from "../../support/anonymous";
import { publishAnonymousComments } from "../../support/comment-batches";
import { post, reply, subjectOf } from "../../support/comments";
import { callRoute } from "../../support/fixtures";
import { makeCompany, openPetition } from "../../support/petition-fixtures";

/**
 * An anonymous comment names no one: not in pages, loader data, queues, emails or the admin outbox, and
 * not by a time finer than its day.
 */

const company = makeCompany(30);
const staff = company.member;
const organizer = staff(0);
const { moderator, leader } = company;
const admin = staff(29);
grantRole(admin.id, "admin", { id: null, label: "cli" });
admin.roles = ["admin"];

beforeEach(() => resetRateLimits());

describe("an anonymous author", () => {
  it("never shows an anonymous author's name or email to anyone, in pages, loader data, queues or emails", async () => {
    const petition = openPetition(company);
    const secret = staff(12);
    const named = await post(petition.id, staff(13), "I am named");
    // Reply emails asked for (they are off by default for anonymous comments: issue 17).
    const anonymousId = await postComment(
      subjectOf(petition.id),
      { body: "I would rather not say who I am", anonymous: true, emailReplies: true },
      secret,
    );
    const anonymousReply = await reply(named, secret, "Anonymous reply", true);
    // Published with their thread's batch (held until then: anonymous-comments-move-in-batches.test.ts).
    publishAnonymousComments();
    await reply(anonymousId, staff(14), "Answering the anonymous one");
    await reportComment(anonymousId, { reason: "other", note: "Testing the queue" }, staff(15));
    hideComment(anonymousReply, "Off-topic", moderator);

    const viewers: Array<User | null> = [null, staff(16), organizer, moderator, leader, admin];
    for (const viewer of viewers) {
      const dumps = [
        JSON.stringify(loadThread(subjectOf(petition.id), viewer, { sort: "top", page: 1 })),
        JSON.stringify(loadComment(anonymousId, viewer)),
        JSON.stringify(loadComment(anonymousReply, viewer)),
      ];
      for (const route of [
        await callRoute(petitionRoute, "loader", viewer, `/petitions/${petition.slug}`, {
          slug: petition.slug,
        }),
        await callRoute(commentRoute, "loader", viewer, `/comments/${anonymousId}`, {
          commentId: String(anonymousId),
        }),
        await callRoute(discussionRoute, "loader", viewer, `/discussions/petition/${petition.id}`, {
          subjectType: "petition",
          subjectId: String(petition.id),
        }),
      ]) {
        expect(route.status).toBe(200);
        dumps.push(await route.text());
      }
      if (viewer === moderator) dumps.push(JSON.stringify(reportedComments(moderator)));
      for (const dump of dumps) {
        expect(dump).not.toContain(secret.name ?? "??");
        expect(dump).not.toContain(secret.email);
        expect(dump).not.toContain(`"authorId"`);
      }
    }
    // The author alone sees that it is theirs.
    const own = loadComment(anonymousId, secret);
    expect(own?.comment).toMatchObject({ mine: true, authorName: null, anonymous: true });
    expect(loadComment(anonymousId, staff(16))?.comment.mine).toBe(false);

    // The reply email reaches the anonymous author; the admin outbox does not say who got it.
    const replyMail = getDb()
      .select()
      .from(outbox)
      .where(and(eq(outbox.kind, "comment.reply"), eq(outbox.toAddress, secret.email)))
      .all();
    expect(replyMail).toHaveLength(1);
    expect(replyMail[0]?.textBody).toContain("Staff Member 15 replied");
    // Not a row at all (ADR 0032): counted by day and kind, once the day has ended.
    const outboxView = listOutbox({ page: 1 }, Date.now() + DAY_MS);
    expect(outboxView.messages.filter((m) => m.kind.startsWith("comment."))).toEqual([]);
    expect(outboxView.hidden.some((g) => g.kind === "comment.reply")).toBe(true);
    expect(JSON.stringify(outboxView)).not.toContain(secret.email);
    // Audit entries of moderation name the moderator, never the author.
    expect(JSON.stringify(listAuditEntries({ action: "comment.hide" }))).not.toContain(secret.email);
  });

  it("posts a signer's reason as their comment, with the signature's choice of anonymity", async () => {
    const petition = openPetition(company);
    await signAnonymously(petition.id, staff(17), { reason: "Privacy" });
    await signPetition({
      noAnonymousSignature: true,
      petitionId: petition.id,
      user: staff(18),

      reason: "Trust",
      ip: null,
    });
    const views = loadThread(subjectOf(petition.id), staff(29), { sort: "oldest", page: 1 })?.comments ?? [];
    expect(views.map((v) => [v.authorName, v.anonymous])).toEqual([
      [null, true],
      ["Staff Member 19", false],
    ]);
  });
});

describe("times finer than the page shows", () => {
  it("dates anonymous comments by day only", async () => {
    const petition = openPetition(company);
    // fixed clock: postComment is handed the time it posts at.
    const day = Date.UTC(2026, 3, 14);
    const at = day + (15 * 60 + 37) * 60_000 + 12_000;
    const id = await postComment(subjectOf(petition.id), { body: "When?", anonymous: true }, staff(12), at);
    expect(loadComment(id, staff(12))?.comment.createdAt).toBe(day);
    publishAnonymousComments();
    expect(loadComment(id, null)?.comment.createdAt).toBe(day);
    const named = await postComment(
      subjectOf(petition.id),
      { body: "When?", anonymous: false },
      staff(13),
      at,
    );
    // A named one to the minute, as the page shows it (loader data reaches the browser whole).
    expect(loadComment(named, null)?.comment.createdAt).toBe(at - (at % 60_000));
  });

  it("dates an anonymous comment's earlier versions by day, even for moderators", async () => {
    const petition = openPetition(company);
    // fixed clock: postComment and editComment are handed their times.
    const day = Date.UTC(2026, 4, 2);
    const at = day + (10 * 60 + 11) * 60_000 + 12_000;
    const id = await postComment(subjectOf(petition.id), { body: "v1", anonymous: true }, staff(12), at);
    // Published first: nobody read a held comment's earlier text, so its edits keep none.
    publishAnonymousComments();
    await editComment(id, "v2", staff(12), at + 3_600_000);
    expect(listRevisions(id, moderator)).toEqual([
      { body: "v1", writtenAt: new Date(day), replacedAt: new Date(day) },
    ]);
  });

  it("dates a signer's reason by day (its exact time is the ledger entry's)", async () => {
    const petition = openPetition(company);
    // fixed clock: signPetition is handed the time it signs at.
    const day = Date.UTC(2026, 4, 3);
    const at = day + 9.5 * 3_600_000;
    await signPetition(
      { noAnonymousSignature: true, petitionId: petition.id, user: staff(19), reason: "Named", ip: null },
      at,
    );
    const [view] = loadThread(subjectOf(petition.id), staff(29), { sort: "top", page: 1 })?.comments ?? [];
    expect(view).toMatchObject({
      authorName: "Staff Member 20",
      dayOnly: true,
      createdAt: day,
    });
  });
});

describe("commenter emails in the admin outbox", () => {
  it("hides addresses and exact times of commenter emails in the admin outbox", async () => {
    const petition = openPetition(company);
    const id = await post(petition.id, staff(25), "Mail me");
    await reply(id, staff(26), "Replying");
    const row = getDb()
      .select()
      .from(outbox)
      .where(eq(outbox.toAddress, staff(25).email))
      .all()
      .at(-1);
    expect(row?.recipientHidden).toBe(true);
    getDb()
      .update(outbox)
      .set({ lastError: `550 5.1.1 <${staff(25).email}>: Recipient address rejected` })
      .where(eq(outbox.id, row?.id ?? 0))
      .run();
    // A commenter's email is never a row (ADR 0032), its error and address with it: a count by day.
    const tomorrow = Date.now() + DAY_MS;
    const view = listOutbox({ page: 1 }, tomorrow);
    expect(view.messages.some((m) => m.kind === "comment.reply")).toBe(false);
    expect(JSON.stringify(view)).not.toContain(staff(25).email);
    for (const group of view.hidden) expect(group.day.getTime() % 86_400_000).toBe(0);
    // Listed rows are by day: every row, sign-in links (whose recipients show) and emails to
    // organizers included, and carry no id unless failed (the retry button's).
    await requestSignIn({ email: staff(27).email, ip: null });
    const listedAll = listOutbox({ page: 1 }).messages;
    expect(listedAll.find((m) => m.kind === "sign-in")).toMatchObject({ toAddress: staff(27).email });
    expect(new Set(listedAll.map((m) => m.kind)).size).toBeGreaterThan(1);
    for (const m of listedAll) {
      if (m.status !== "failed") expect(m.id).toBeNull();
      for (const time of [m.createdAt, m.sentAt, m.nextAttemptAt])
        expect((time?.getTime() ?? 0) % 86_400_000, m.kind).toBe(0);
    }
  });
});
