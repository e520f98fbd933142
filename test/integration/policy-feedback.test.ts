import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { findReplies, repliesLookupOf, secretHashOfCode } from "../../app/browser/feedback-replies";
import { sendFeedbackAnonymously } from "../../app/demo/anonymous-signer.server";
import { secretHashOf } from "../../app/domain/policies/anonymous-feedback.server";
import { myFeedback, sendFeedback } from "../../app/domain/policies/feedback.server";
import { feedbackAggregates } from "../../app/domain/policies/feedback-inbox.server";
import { ensureFeedbackKeys } from "../../app/domain/policies/feedback-keys.server";
import {
  feedbackRepliesDigest,
  repliesLookupOf as serverLookupOf,
} from "../../app/domain/policies/feedback-replies-digest.server";
import { createPolicy, publishPolicyVersion } from "../../app/domain/policies/registry.server";
import { K } from "../../app/platform/anonymity/small-groups";
import { listAuditEntries } from "../../app/platform/security/audit.server";
import { resetRateLimits } from "../../app/platform/security/rate-limits.server";
import { DAY_MS, startOfDay } from "../../app/platform/time";
import * as repliesDigestRoute from "../../app/routes/api.feedback.replies.recent";
import * as policyRoute from "../../app/routes/policies.$slug._index";
import * as inboxRoute from "../../app/routes/policies.$slug.feedback";
import { getDb } from "../../db/client";
import { auditLog, outbox, policyFeedback, policyFeedbackReplies } from "../../db/schema";
import { callRoute } from "../support/fixtures";
import { makeCompany } from "../support/petition-fixtures";

const company = makeCompany(30);
const staff = company.member;
const owner = staff(0);
const policy = createPolicy(
  {
    title: "Model Capability Initiative data collection",
    summary: "What is logged from staff machines to train AI models, and how to opt out.",
    ownerTeam: "AI Platform",
    ownerEmails: owner.email,
    body: "Keystrokes and clicks are logged on company machines to train models.",
    changeSummary: "First version",
    effectiveAt: new Date(Date.now() - 86_400_000),
  },
  company.leader,
);
const slug = policy.slug;
const inboxPath = `/policies/${slug}/feedback`;
let anonymousSecret = "";
const counts = () => ({
  feedback: getDb().select().from(policyFeedback).all().length,
  audit: getDb().select().from(auditLog).all().length,
});

describe("sending feedback", () => {
  it("from the policy page: named or anonymous, with an optional rating; bad input changes nothing", async () => {
    const before = counts();
    const bad: Record<string, string>[] = [
      { intent: "send-feedback", body: "" },
      { intent: "send-feedback", body: "x".repeat(5_001) },
      { intent: "send-feedback", body: "Fine", rating: "7" },
      { intent: "send-feedback", body: "Fine", rating: "two" },
      { intent: "nonsense", body: "Fine" },
    ];
    for (const fields of bad) {
      const response = await callRoute(
        policyRoute,
        "action",
        staff(5),
        `/policies/${slug}`,
        { slug },
        fields,
      );
      expect(response.status).toBe(400);
    }
    expect(counts()).toEqual(before);
    expect(
      (
        await callRoute(
          policyRoute,
          "action",
          null,
          `/policies/${slug}`,
          { slug },
          { intent: "send-feedback", body: "Hi" },
        )
      ).status,
    ).toBe(302);
    expect(counts()).toEqual(before);

    const named = await callRoute(
      policyRoute,
      "action",
      staff(5),
      `/policies/${slug}`,
      { slug },
      {
        intent: "send-feedback",
        body: "The **pause button** works, but 30 minutes is too short for confidential calls.",
        rating: "3",
      },
    );
    expect(named.status).toBe(302);
    // Anonymous feedback is not sent through the signed-in form: it would carry the session.
    const throughForm = await callRoute(
      policyRoute,
      "action",
      staff(6),
      `/policies/${slug}`,
      { slug },
      {
        intent: "send-feedback",
        body: "My manager reads the logs. I cannot say this with my name on it.",
        rating: "1",
        anonymous: "on",
      },
    );
    expect(throughForm.status).toBe(400);
    expect(await throughForm.text()).toContain("with JavaScript");
    anonymousSecret = (
      await sendFeedbackAnonymously(policy.id, staff(6), {
        body: "My manager reads the logs. I cannot say this with my name on it.",
        rating: 1,
      })
    ).secret;
    expect(counts().feedback).toBe(before.feedback + 2);
    // Sending feedback is not a privileged action: nothing in the audit log links a person to it.
    expect(counts().audit).toBe(before.audit);
  });

  it("is rate limited per person", async () => {
    resetRateLimits();
    for (let i = 0; i < 5; i++)
      await sendFeedback(policy.id, { body: `Note ${i}`, anonymous: false }, staff(7));
    await expect(sendFeedback(policy.id, { body: "One more", anonymous: false }, staff(7))).rejects.toThrow(
      /a lot of feedback/,
    );
    resetRateLimits();
  });
});

describe("the owners' inbox", () => {
  it("is for the policy's owners and admins only", async () => {
    expect((await callRoute(inboxRoute, "loader", owner, inboxPath, { slug })).status).toBe(200);
    expect((await callRoute(inboxRoute, "loader", staff(5), inboxPath, { slug })).status).toBe(403);
    expect((await callRoute(inboxRoute, "loader", company.leader, inboxPath, { slug })).status).toBe(403);
    expect((await callRoute(inboxRoute, "loader", null, inboxPath, { slug })).status).toBe(302);
    expect(
      (
        await callRoute(
          inboxRoute,
          "action",
          staff(5),
          inboxPath,
          { slug },
          { intent: "status", feedbackId: "1", status: "read" },
        )
      ).status,
    ).toBe(403);
  });

  it("shows anonymous feedback with no trace of its author, and named feedback with its author", async () => {
    const response = await callRoute(inboxRoute, "loader", owner, inboxPath, { slug });
    const text = await response.text();
    const author = staff(6);
    expect(text).toContain("My manager reads the logs.");
    // (Its department is not checked: the named author here works in the same one.)
    for (const trace of [author.email, `"${author.name}"`, "authorId"]) {
      expect(text).not.toContain(trace);
    }
    const data = JSON.parse(text) as {
      inbox: { items: { anonymous: boolean; author: unknown; createdAt: string; dayOnly: boolean }[] };
    };
    const anonymousItem = data.inbox.items.find((i) => i.anonymous);
    expect(anonymousItem?.author).toBeNull();
    expect(anonymousItem?.createdAt).toMatch(/T00:00:00\.000Z$/);
    expect(data.inbox.items.find((i) => !i.anonymous && i.author)).toBeDefined();
    expect(text).toContain(staff(5).name ?? "?");
  });

  it("filters by version, status and tag; tags and statuses are audited by feedback id only", async () => {
    const id = getDb().select().from(policyFeedback).where(eq(policyFeedback.anonymous, true)).get()?.id ?? 0;
    const act = (fields: Record<string, string>) =>
      callRoute(inboxRoute, "action", owner, inboxPath, { slug }, fields);
    expect((await act({ intent: "tag", feedbackId: String(id), tag: "Needs Legal" })).status).toBe(302);
    expect((await act({ intent: "tag", feedbackId: String(id), tag: "<script>" })).status).toBe(400);
    expect((await act({ intent: "status", feedbackId: String(id), status: "acted" })).status).toBe(302);
    expect((await act({ intent: "status", feedbackId: String(id), status: "done" })).status).toBe(400);
    expect((await act({ intent: "status", feedbackId: "999999", status: "read" })).status).toBe(404);
    const load = async (query: string) =>
      (await (await callRoute(inboxRoute, "loader", owner, `${inboxPath}?${query}`, { slug })).json()) as {
        inbox: { items: { id: number; tags: string[]; status: string }[]; tags: string[] };
      };
    expect((await load("tag=needs-legal")).inbox.items.map((i) => i.id)).toEqual([id]);
    expect((await load("status=acted")).inbox.items.map((i) => i.id)).toEqual([id]);
    expect((await load("status=new")).inbox.items.map((i) => i.id)).not.toContain(id);
    expect((await load("version=1")).inbox.items.length).toBeGreaterThan(1);
    expect((await load("version=2")).inbox.items).toEqual([]);
    expect((await load("")).inbox.tags).toEqual(["needs-legal"]);
    const entries = listAuditEntries({ actorEmail: owner.email }).entries.filter((e) =>
      e.action.startsWith("feedback."),
    );
    expect(entries.map((e) => e.action).sort()).toEqual(["feedback.status", "feedback.tag"]);
    for (const entry of entries) {
      expect(entry.targetId).toBe(String(id));
      expect(JSON.stringify(entry)).not.toContain(staff(6).email);
    }
    await act({ intent: "untag", feedbackId: String(id), tag: "needs-legal" });
    expect((await load("")).inbox.tags).toEqual([]);
  });
});

describe("replies", () => {
  it("reach an anonymous author only through the receipt code their device keeps, never by email", async () => {
    const author = staff(6);
    const id = getDb().select().from(policyFeedback).where(eq(policyFeedback.anonymous, true)).get()?.id ?? 0;
    // Stored with no author at all.
    expect(getDb().select().from(policyFeedback).where(eq(policyFeedback.id, id)).get()?.authorId).toBeNull();
    const before = getDb().select().from(outbox).all().length;
    const replied = await callRoute(
      inboxRoute,
      "action",
      owner,
      inboxPath,
      { slug },
      {
        intent: "reply",
        feedbackId: String(id),
        body: "Thank you. Nobody outside the AI Platform team can read the logs; we will publish the access list.",
      },
    );
    expect(replied.status).toBe(302);
    // Nobody to email: nothing queued, nothing in the company's mail logs.
    expect(getDb().select().from(outbox).all().length).toBe(before);

    const inbox = await (await callRoute(inboxRoute, "loader", owner, inboxPath, { slug })).text();
    expect(inbox).toContain("we will publish the access list");
    expect(inbox).not.toContain(author.email);
    const audit = listAuditEntries({ action: "feedback.reply" }).entries;
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain(author.email);

    // Its author reads it from the public digest of replies, with the receipt code their device holds.
    const opened = await findReplies(feedbackRepliesDigest(Date.now()), anonymousSecret);
    expect(opened?.replies.map((r) => r.bodyHtml).join("")).toContain("we will publish the access list");
    // The author's session reads nothing of it.
    expect(myFeedback(author)).toEqual([]);
    expect(myFeedback(owner)).toEqual([]);
  });

  it("reach the digest every view of My feedback downloads, which only the receipt code's holder opens", async () => {
    const now = Date.now();
    const digest = feedbackRepliesDigest(now);
    // The browser finds the entry as the server made it: the same hash of the code, the same lookup.
    expect(await secretHashOfCode(anonymousSecret)).toBe(secretHashOf(anonymousSecret));
    const lookup = await repliesLookupOf(secretHashOf(anonymousSecret));
    expect(lookup).toBe(serverLookupOf(secretHashOf(anonymousSecret)));
    expect(digest.entries.map(([place]) => place)).toContain(lookup);
    const entry = await findReplies(digest, anonymousSecret);
    expect(entry).toMatchObject({
      policyTitle: policy.title,
      policySlug: slug,
      body: "My manager reads the logs. I cannot say this with my name on it.",
      rating: 1,
    });
    expect(entry?.replies).toHaveLength(1);
    expect(entry?.replies[0]?.bodyHtml).toContain("we will publish the access list");
    // Another code, or none of the right shape, opens nothing.
    expect(await findReplies(digest, "A".repeat(43))).toBeNull();
    expect(await findReplies(digest, "not a receipt code")).toBeNull();
    // Named feedback (its author reads replies on My feedback with their session) is not in it.
    expect(digest.entries).toHaveLength(1);
  });

  it("are in a digest with nothing readable without the receipt code: no text, no hash, no id, no time finer than the day", async () => {
    const text = JSON.stringify(feedbackRepliesDigest(Date.now()));
    const item = getDb().select().from(policyFeedback).where(eq(policyFeedback.anonymous, true)).get();
    if (!item?.replySecretHash) throw new Error("no anonymous feedback");
    for (const plain of [
      "we will publish the access list",
      "AI Platform",
      "My manager reads the logs",
      policy.title,
      slug,
      item.replySecretHash,
      anonymousSecret,
    ])
      expect(text).not.toContain(plain);
    expect(text).not.toMatch(new RegExp(`[\\[,]${item.id}[\\],]`));
    const digest = JSON.parse(text) as { entries: Array<[string, string]> };
    expect(Object.keys(digest)).toEqual(["entries"]);
    for (const [lookup, sealed] of digest.entries) {
      expect(lookup).toMatch(/^[0-9a-f]{16}$/);
      expect(sealed).toMatch(/^[A-Za-z0-9_-]+$/);
    }
    // Opened, its times are days: the day the feedback was sent and the day of each reply.
    const entry = await findReplies(digest, anonymousSecret);
    const day = (ms: number) => new Date(startOfDay(ms)).toISOString().slice(0, 10);
    expect(entry?.sentOn).toBe(day(item.createdAt.getTime()));
    const reply = getDb().select().from(policyFeedbackReplies).get();
    expect(entry?.replies.map((r) => r.at)).toEqual([day(reply?.createdAt.getTime() ?? 0)]);
  });

  it("are the same digest for two signed-in colleagues and without a cookie, which sets no cookie", async () => {
    const answers = [];
    for (const as of [staff(6), staff(9), null]) {
      const response = await callRoute(repliesDigestRoute, "loader", as, "/api/feedback/replies/recent", {});
      expect(response.status).toBe(200);
      expect(response.headers.get("Set-Cookie")).toBeNull();
      expect(response.headers.get("Cache-Control")).toBe("no-store");
      answers.push(await response.text());
    }
    expect(new Set(answers).size).toBe(1);
    expect(JSON.parse(answers[0] ?? "{}").entries).toHaveLength(1);
  });

  it("leave the digest 90 days after the latest reply", () => {
    const reply = getDb().select().from(policyFeedbackReplies).get();
    const repliedAt = reply?.createdAt.getTime() ?? 0;
    expect(feedbackRepliesDigest(repliedAt + 89 * DAY_MS).entries).toHaveLength(1);
    expect(feedbackRepliesDigest(repliedAt + 91 * DAY_MS).entries).toEqual([]);
  });

  it("refuses empty and oversize replies, changing nothing", async () => {
    const id = getDb().select().from(policyFeedback).get()?.id ?? 0;
    const before = counts();
    for (const body of ["", "x".repeat(5_001)]) {
      expect(
        (
          await callRoute(
            inboxRoute,
            "action",
            owner,
            inboxPath,
            { slug },
            { intent: "reply", feedbackId: String(id), body },
          )
        ).status,
      ).toBe(400);
    }
    expect(counts()).toEqual(before);
  });
});

describe("aggregates", () => {
  it("count and average per version, suppressing small groups", async () => {
    // Version 1 so far: 2 + 5 items, 1 anonymous — its anonymous part is small, so it is not shown.
    let result = feedbackAggregates(policy.id, owner);
    expect(result.rows).toEqual([{ label: "Version 1", shown: false, average: null }]);
    expect(result.folded).toBe(result.total);

    // More anonymous feedback on version 1 makes it safe to show; a new version starts small.
    for (let i = 10; i < 14; i++)
      await sendFeedbackAnonymously(policy.id, staff(i), { body: "Too much logging", rating: 2 });
    publishPolicyVersion(
      policy.id,
      {
        body: "Pause for up to 30 minutes.",
        changeSummary: "Pause button",
        effectiveAt: new Date(Date.now() - 1_000),
      },
      company.leader,
    );
    await sendFeedbackAnonymously(policy.id, staff(20), { body: "Better", rating: 4 });
    await sendFeedback(policy.id, { body: "Still bad", rating: 2, anonymous: false }, staff(21));
    result = feedbackAggregates(policy.id, owner);
    const v1 = result.rows.find((r) => r.label === "Version 1");
    const v2 = result.rows.find((r) => r.label === "Version 2");
    // Version 2 alone is small, so version 1 is folded with it: nothing can be subtracted.
    expect(v2).toEqual({ label: "Version 2", shown: false, average: null });
    expect(v1).toMatchObject({ shown: false });
    expect(result.total).toBe(13);
    for (let i = 22; i < 27; i++)
      await sendFeedbackAnonymously(policy.id, staff(i), { body: "Fine now", rating: 5 });
    result = feedbackAggregates(policy.id, owner);
    expect(result.rows.find((r) => r.label === "Version 1")).toMatchObject({
      shown: true,
      total: 11,
      average: 2,
    });
    expect(result.rows.find((r) => r.label === "Version 2")).toMatchObject({
      shown: true,
      total: 7,
      average: 4.4,
    });
    expect(result.folded).toBeNull();
    expect(K).toBe(5);
  });
});

describe("a new week's feedback keys", () => {
  it("are made off the event loop: requests keep being answered while the scheduler makes them", async () => {
    const second = createPolicy(
      {
        title: "Badge access logging",
        summary: "Which doors log badge swipes, and for how long.",
        ownerTeam: "Security",
        ownerEmails: owner.email,
        body: "Badge swipes are logged at every door.",
        changeSummary: "First version",
        effectiveAt: new Date(Date.now() - 86_400_000),
      },
      company.leader,
    );
    const nextWeek = Date.now() + 7 * 86_400_000;
    const scopes = () =>
      getDb().$client.prepare("select count(*) as n from blind_keys where scope like 'feedback:%'").get() as {
        n: number;
      };
    const before = scopes().n;
    // The event loop's turns while the keys are made: each RSA key made synchronously would hold it
    // for the whole time (no turn at all until every key is done).
    let turns = 0;
    let running = true;
    const spin = () => {
      if (!running) return;
      turns++;
      setImmediate(spin);
    };
    setImmediate(spin);
    const made = await ensureFeedbackKeys(nextWeek);
    running = false;
    expect(made).toBe(2);
    expect(scopes().n).toBe(before + 2);
    expect(turns).toBeGreaterThanOrEqual(2);
    // Idempotent: the week's keys exist now.
    expect(await ensureFeedbackKeys(nextWeek)).toBe(0);
    expect(second.slug).not.toBe(slug);
  });
});
