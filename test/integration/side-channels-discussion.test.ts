import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { beforeEach, describe, expect, it } from "vitest";
import { getConfig } from "../../app/config.server";
import { sendFeedbackAnonymously } from "../../app/demo/anonymous-signer.server";
import { publishHeldComments } from "../../app/domain/discussion/batches.server";
import { dismissReports, hideComment } from "../../app/domain/discussion/moderation.server";
import { deleteComment, postComment } from "../../app/domain/discussion/posting.server";
import { reportComment } from "../../app/domain/discussion/reactions.server";
import { loadThread, THREAD_SQL } from "../../app/domain/discussion/thread.server";
import type { User } from "../../app/domain/identity/sessions.server";
import { sendFeedback } from "../../app/domain/policies/feedback.server";
import { feedbackInbox } from "../../app/domain/policies/feedback-inbox.server";
import { createPolicy } from "../../app/domain/policies/registry.server";
import {
  emailPreferences,
  parseUnsubscribeToken,
  setEmailPreference,
  unsubscribeToken,
} from "../../app/platform/mail/email-preferences.server";
import { resetRateLimits } from "../../app/platform/security/rate-limits.server";
import { DAY_MS, MINUTE_MS, startOfDay } from "../../app/platform/time";
import * as discussionRoute from "../../app/routes/discussions.$subjectType.$subjectId";
import * as unsubscribeRoute from "../../app/routes/unsubscribe.$token";
import { getDb, MIGRATIONS_FOLDER, registerMigrationFunctions } from "../../db/client";
import { publishAnonymousComments } from "../support/comment-batches";
import { callRoute } from "../support/fixtures";
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
 * The review's window: the named items whose ids are just below and just above the anonymous item's
 * give the times it was written between (a median 3.9 h; 9 of 84 within an hour).
 */
function idWindow(named: { id: number; at: number }[], anonymousId: number) {
  const below = named.filter((n) => n.id < anonymousId).map((n) => n.at);
  const above = named.filter((n) => n.id > anonymousId).map((n) => n.at);
  return { from: below.length ? Math.max(...below) : null, to: above.length ? Math.min(...above) : null };
}

/** A database migrated up to (not including) the migration named `tag`, and the folder holding it. */
function migratedBefore(tag: string) {
  const dir = mkdtempSync(path.join(tmpdir(), "undersigned-migrations-"));
  cpSync(MIGRATIONS_FOLDER, dir, { recursive: true });
  const journalPath = path.join(dir, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: { tag: string }[] };
  const until = journal.entries.findIndex((e) => e.tag.endsWith(tag));
  expect(until).toBeGreaterThan(0);
  writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, until) }));
  const client = new Database(path.join(dir, "app.db"));
  registerMigrationFunctions(client);
  migrate(drizzle(client), { migrationsFolder: dir });
  return {
    client,
    // As db/client.ts migrates: foreign keys off (tables are rebuilt), checked after.
    upgrade: () => {
      client.pragma("foreign_keys = OFF");
      migrate(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });
      expect(client.pragma("foreign_key_check")).toEqual([]);
      client.pragma("foreign_keys = ON");
    },
    done: () => {
      client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe("finding 11, upgrading", () => {
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

describe("finding 7: ids that place anonymous items in time", () => {
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
    // The review's method, tried on the named comments whose times are known: with ordered ids each
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

  it("reads a thread through an index per sort: no table scan, and no sorting but the previews' (as before)", () => {
    const plan = (text: string, ...args: unknown[]) =>
      getDb()
        .$client.prepare(`explain query plan ${text}`)
        .all(...args)
        .map((row) => (row as { detail: string }).detail);
    for (const sort of ["top", "newest", "oldest"] as const) {
      // The thread and the page (the viewer's own held comments are read apart: ownHeld).
      const steps = plan(THREAD_SQL[sort], 1, 20, 0);
      expect(steps[0]).toMatch(
        sort === "top"
          ? /^SEARCH c USING INDEX comments_top_level_score_idx \(thread_id=\?\)$/
          : /^SEARCH c USING INDEX comments_top_level_time_idx \(thread_id=\?\)$/,
      );
      expect(steps.join("\n")).not.toMatch(/SCAN|TEMP B-TREE/);
    }
    const ownHeld = plan(THREAD_SQL.ownHeld, 1, 2);
    expect(ownHeld[0]).toMatch(/^SEARCH c USING INDEX comments_held_idx \(thread_id=\?\)$/);
    expect(ownHeld.join("\n")).not.toMatch(/SCAN/);
    const replies = plan(THREAD_SQL.replies, 1, 2, 50, 0);
    expect(replies[0]).toMatch(/^SEARCH c USING INDEX comments_parent_time_idx \(parent_id=\?\)$/);
    expect(replies.join("\n")).not.toMatch(/SCAN|TEMP B-TREE/);
    // The previews read each parent's first replies through the same index; the one sort (a few
    // dozen rows) is the one the id-ordered statement had too.
    const preview = plan(THREAD_SQL.repliesPreview, "[1,2]", 2, 3);
    expect(preview).toContain("SEARCH s USING COVERING INDEX comments_parent_time_idx (parent_id=?)");
    expect(preview.filter((s) => /SCAN/.test(s))).toEqual(["SCAN p VIRTUAL TABLE INDEX 1:"]);
    expect(preview.filter((s) => /TEMP B-TREE/.test(s))).toEqual(["USE TEMP B-TREE FOR ORDER BY"]);
  });
});

describe("finding 8: email trails of anonymous comments", () => {
  type Mail = { to_address: string; subject: string; kind: string };
  const mailTo = (email: string) =>
    getDb()
      .$client.prepare<[string], Mail>("select to_address, subject, kind from outbox where to_address = ?")
      .all(email);

  it("emails an anonymous commenter nothing unless they asked, so company mail logs hold no trail", async () => {
    const petition = openPetition(company, "A petition an anonymous colleague comments on");
    const author = staff(6);
    const replier = staff(7);
    // Posted from the form without JavaScript, anonymously, not ticking "email me replies".
    const posted = await callRoute(
      discussionRoute,
      "action",
      author,
      `/discussions/petition/${petition.id}`,
      { subjectType: "petition", subjectId: String(petition.id) },
      { intent: "post", body: "Anonymous, and no emails please", anonymous: "on" },
    );
    expect(posted.status).toBeLessThan(400);
    publishAnonymousComments();
    const quiet = getDb()
      .$client.prepare<[number], { id: number; emails_author: number }>(
        "select id, emails_author from comments where thread_id = (select id from comment_threads where subject_type = 'petition' and subject_id = ?) and anonymous = 1",
      )
      .get(petition.id);
    expect(quiet?.emails_author).toBe(0);
    // The review's trail: a colleague replies, a moderator hides it — what would company mail see?
    await postComment(null, { body: "A named reply", anonymous: false, parentId: quiet?.id ?? 0 }, replier);
    hideComment(quiet?.id ?? 0, "Off topic", moderator);
    expect(mailTo(author.email)).toEqual([]);

    // Asked for: the form told them what company mail sees; the reply is emailed to them.
    const asked = await postComment(
      { type: "petition", id: petition.id },
      { body: "Anonymous, emails wanted", anonymous: true, emailReplies: true },
      author,
    );
    publishAnonymousComments();
    await postComment(null, { body: "Another reply", anonymous: false, parentId: asked }, replier);
    expect(mailTo(author.email).map((m) => m.kind)).toEqual(["comment.reply"]);
    // A named comment emails replies as before.
    const named = await post(petition.id, author, "Named");
    expect(getDb().$client.prepare("select emails_author from comments where id = ?").get(named)).toEqual({
      emails_author: 1,
    });
  });

  it("makes unsubscribe links that carry no person id, refuse a changed byte, and still unsubscribe", async () => {
    const person = staff(8);
    for (const topic of ["comment-replies", "petition-updates"] as const)
      setEmailPreference(person.id, topic, true);
    const token = unsubscribeToken(person.id, "comment-replies");
    // No id in it, in any form: no number among its parts (the old `${id}.${topic}.${mac}`), and not
    // in its bytes either (sealed); a new one each time, so it is not even a stable pseudonym.
    expect(token.split(".").some((part) => /^\d+$/.test(part))).toBe(false);
    const bytes = Buffer.from(token.split(".")[1] ?? "", "base64url").toString("latin1");
    expect(bytes).not.toContain(`${person.id}:`);
    expect(token).not.toMatch(/comment-replies/);
    expect(unsubscribeToken(person.id, "comment-replies")).not.toBe(token);
    expect(parseUnsubscribeToken(token)).toEqual({ personId: person.id, topic: "comment-replies" });

    const open = (t: string) =>
      callRoute(unsubscribeRoute, "loader", null, `/unsubscribe/${t}`, { token: t });
    const oneClick = (t: string) =>
      callRoute(
        unsubscribeRoute,
        "action",
        null,
        `/unsubscribe/${t}`,
        { token: t },
        { "List-Unsubscribe": "One-Click" },
      );

    // Tampered anywhere (or sealed under another secret, or cut short): a clear 404, and nothing changes.
    const flip = (t: string, at: number) => t.slice(0, at) + (t[at] === "A" ? "B" : "A") + t.slice(at + 1);
    for (const bad of [
      flip(token, 5),
      flip(token, token.length - 3),
      token.slice(0, -4),
      `${token}.x`,
      "u2.",
      "u2",
    ]) {
      const page = await open(bad);
      expect(page.status, bad).toBe(404);
      expect(await page.text()).toMatch(/not valid/);
      expect((await oneClick(bad)).status, bad).toBe(404);
    }
    const secret = getConfig().sessionSecret;
    try {
      (getConfig() as { sessionSecret: string }).sessionSecret = `${secret}-rotated`;
      expect(parseUnsubscribeToken(token)).toBeNull();
    } finally {
      (getConfig() as { sessionSecret: string }).sessionSecret = secret;
    }
    expect(emailPreferences(person.id)["comment-replies"]).toBe(true);

    // The no-JavaScript page: opening asks (changes nothing), its button POSTs.
    expect((await open(token)).status).toBe(200);
    expect(emailPreferences(person.id)["comment-replies"]).toBe(true);
    // RFC 8058 one-click: a POST with List-Unsubscribe=One-Click and no session stops just that topic.
    const done = await oneClick(token);
    expect(done.status).toBe(200);
    expect(emailPreferences(person.id)).toMatchObject({ "comment-replies": false, "petition-updates": true });
  });

  it("still honours the links sent before, which carried the person id", async () => {
    const person = staff(9);
    setEmailPreference(person.id, "petition-updates", true);
    const { createHmac } = await import("node:crypto");
    const mac = createHmac("sha256", getConfig().sessionSecret)
      .update(`unsubscribe:${person.id}:petition-updates`)
      .digest("base64url");
    const legacy = `${person.id}.petition-updates.${mac}`;
    expect(parseUnsubscribeToken(legacy)).toEqual({ personId: person.id, topic: "petition-updates" });
    expect(parseUnsubscribeToken(`${person.id + 1}.petition-updates.${mac}`)).toBeNull();
    const done = await callRoute(unsubscribeRoute, "action", null, `/unsubscribe/${legacy}`, {
      token: legacy,
    });
    expect(done.status).toBe(200);
    expect(emailPreferences(person.id)["petition-updates"]).toBe(false);
  });
});
