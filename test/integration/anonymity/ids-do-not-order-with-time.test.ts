import { beforeEach, describe, expect, it } from "vitest";
import { sendFeedbackAnonymously } from "../../../app/demo/anonymous-signer.server";
import { publishHeldComments } from "../../../app/domain/discussion/batches.server";
import { loadThread } from "../../../app/domain/discussion/thread.server";
import { sendFeedback } from "../../../app/domain/policies/feedback.server";
import { feedbackInbox } from "../../../app/domain/policies/feedback-inbox.server";
import { createPolicy } from "../../../app/domain/policies/registry.server";
import { resetRateLimits } from "../../../app/platform/security/rate-limits.server";
import { DAY_MS, MINUTE_MS, startOfDay } from "../../../app/platform/time";
import { getDb } from "../../../db/client";
import { post } from "../../support/comments";
import { migratedBefore } from "../../support/migrations";
import { makeCompany, openPetition } from "../../support/petition-fixtures";

/**
 * Ids do not place anonymous items in time: named comments and feedback show their ids and times, and
 * with ids in time order the named items just below and just above an anonymous item's id gave the
 * times it was written between (a median 3.9 h; 9 of 84 within an hour). Ids are random now (ADR 31).
 */

const company = makeCompany(24);
const staff = company.member;

beforeEach(() => resetRateLimits());

/** Pairs out of time order among items listed with their ids and exact times. */
function inversions(items: { id: number; at: number }[]): { inverted: number; pairs: number } {
  let inverted = 0;
  let pairs = 0;
  for (const [i, a] of items.entries())
    for (const b of items.slice(i + 1)) {
      if (a.at === b.at) continue;
      pairs++;
      if (a.at < b.at !== a.id < b.id) inverted++;
    }
  return { inverted, pairs };
}

/**
 * An adversary's window: the named items whose ids are just below and just above the anonymous item's
 * give the times it was written between (a median 3.9 h; 9 of 84 within an hour).
 */
function idWindow(named: { id: number; at: number }[], anonymousId: number) {
  const below = named.filter((n) => n.id < anonymousId).map((n) => n.at);
  const above = named.filter((n) => n.id > anonymousId).map((n) => n.at);
  return { from: below.length ? Math.max(...below) : null, to: above.length ? Math.min(...above) : null };
}

describe("comment and feedback ids", () => {
  it("gives comments ids that do not order with time, and sorts anonymous ones by their day only", async () => {
    const petition = openPetition(company, "A petition whose discussion is read by an adversary");
    const subject = { type: "petition" as const, id: petition.id };
    // Two days ago, a named comment every ten minutes from 08:00, by colleagues whose times are exact
    // on the page; one anonymous comment at 10:05, between the 12th and the 13th.
    const day = startOfDay(Date.now()) - 2 * DAY_MS;
    const at = (i: number) => day + 8 * 60 * MINUTE_MS + i * 10 * MINUTE_MS;
    let anonymousId = 0;
    for (let i = 0; i < 40; i++) {
      resetRateLimits();
      await post(petition.id, staff(5 + (i % 10)), `Named comment ${i}`, false, at(i));
      if (i === 12)
        anonymousId = await post(petition.id, staff(20), "Anonymous", true, at(12) + 5 * MINUTE_MS);
    }
    // Held until its thread's batch: the minute job publishes it now, two days on (a leftover of its day).
    expect(publishHeldComments()).toBe(1);

    // What a viewer sees: ids and the named comments' times (to the minute), the anonymous one's day.
    const page = (sort: "newest" | "oldest", n: number) =>
      loadThread(subject, staff(21), { sort, page: n })?.comments ?? [];
    const seen = [...page("oldest", 1), ...page("oldest", 2), ...page("oldest", 3)];
    expect(seen).toHaveLength(41);
    const anonymous = seen.find((c) => c.anonymous);
    expect(anonymous?.id).toBe(anonymousId);
    expect(anonymous?.createdAt).toBe(day);
    const named = seen.filter((c) => !c.anonymous).map((c) => ({ id: c.id, at: c.createdAt }));
    expect(named.map((n) => n.at)).toEqual([...Array(40).keys()].map(at));

    // The ids carry no order: about half of all pairs of named comments are out of time order (it
    // was none), so the window between the ids around the anonymous one tells nothing.
    const { inverted, pairs } = inversions(named);
    expect(inverted / pairs).toBeGreaterThan(0.2);
    expect(inverted / pairs).toBeLessThan(0.8);
    // The adversary's method, tried on the named comments whose times are known: with ordered ids each
    // one's window held its time (and was ten minutes wide); now most do not hold it at all.
    const held = named.filter((n) => {
      const window = idWindow(
        named.filter((o) => o !== n),
        n.id,
      );
      return (window.from ?? -Infinity) <= n.at && n.at <= (window.to ?? Infinity);
    });
    expect(held.length).toBeLessThan(named.length / 2);

    // Nor does the sort: the anonymous comment sits at its day's start, before every named comment of
    // that day oldest first, after them newest first — wherever in the day it was written.
    expect(seen[0]?.id).toBe(anonymousId);
    const newest = [...page("newest", 1), ...page("newest", 2), ...page("newest", 3)];
    expect(newest.at(-1)?.id).toBe(anonymousId);
    // And the database holds its day only.
    const stored = getDb()
      .$client.prepare<[number], { created_at: number }>("select created_at from comments where id = ?")
      .get(anonymousId);
    expect(stored?.created_at).toBe(day);
  });

  it("gives policy feedback ids that do not order with time; the owners' inbox is in time order", async () => {
    const owner = staff(0);
    const policy = createPolicy(
      {
        title: "Monitoring policy",
        summary: "What is monitored.",
        ownerEmails: owner.email,
        body: "Screens are recorded.",
        changeSummary: "First",
        effectiveAt: new Date(Date.now() - 3 * DAY_MS),
      },
      company.leader,
    );
    const day = startOfDay(Date.now()) - DAY_MS;
    const at = (i: number) => day + 9 * 60 * MINUTE_MS + i * 7 * MINUTE_MS;
    for (let i = 0; i < 30; i++) {
      resetRateLimits();
      await sendFeedback(
        policy.id,
        { body: `Named feedback ${i}`, anonymous: false },
        staff(1 + (i % 20)),
        at(i),
      );
    }
    const { id: anonymousId } = await sendFeedbackAnonymously(policy.id, staff(22), { body: "Anonymous" });

    const inbox = [1, 2].flatMap((n) => feedbackInbox(policy.id, owner, { page: n }).items);
    expect(inbox).toHaveLength(31);
    const named = inbox.filter((f) => !f.anonymous).map((f) => ({ id: f.id, at: f.createdAt.getTime() }));
    // Newest first by time, whatever the ids.
    expect(named.map((n) => n.at)).toEqual([...Array(30).keys()].map(at).reverse());
    const { inverted, pairs } = inversions(named);
    expect(inverted / pairs).toBeGreaterThan(0.2);
    expect(inverted / pairs).toBeLessThan(0.8);
    expect(inbox.find((f) => f.anonymous)?.id).toBe(anonymousId);
  });

  it("keeps the ids written before the upgrade, and dates the anonymous comments among them by day", () => {
    const db = migratedBefore("_random_comment_and_feedback_ids");
    const { client } = db;
    const exact = startOfDay(Date.now()) - DAY_MS + 37 * MINUTE_MS + 1234;
    client.exec(`insert into people (id, email, name) values (1, 'a@corp.example', 'A');
      insert into comment_threads (id, subject_type, subject_id) values (1, 'policy', 1);
      insert into comments (id, thread_id, depth, author_id, anonymous, body, body_html, created_at)
        values (7, 1, 1, 1, 0, 'named', '<p>named</p>', ${exact}), (8, 1, 1, 1, 1, 'anonymous', '<p>anonymous</p>', ${exact + 1});`);
    db.upgrade();
    expect(client.prepare("select id, created_at from comments order by id").all()).toEqual([
      { id: 7, created_at: exact },
      { id: 8, created_at: startOfDay(exact) },
    ]);
    // No AUTOINCREMENT any more: nothing keeps a next id for these tables.
    const sequences = client.prepare("select name from sqlite_sequence").all() as { name: string }[];
    expect(sequences.map((r) => r.name)).not.toContain("comments");
    expect(sequences.map((r) => r.name)).not.toContain("policy_feedback");
    db.done();
  });
});
