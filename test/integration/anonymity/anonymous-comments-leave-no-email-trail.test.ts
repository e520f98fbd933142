import { beforeEach, describe, expect, it } from "vitest";
import { getConfig } from "../../../app/config.server";
import { hideComment } from "../../../app/domain/discussion/moderation.server";
import { postComment } from "../../../app/domain/discussion/posting.server";
import {
  emailPreferences,
  parseUnsubscribeToken,
  setEmailPreference,
  unsubscribeToken,
} from "../../../app/platform/mail/email-preferences.server";
import { resetRateLimits } from "../../../app/platform/security/rate-limits.server";
import * as discussionRoute from "../../../app/routes/discussions.$subjectType.$subjectId";
import * as unsubscribeRoute from "../../../app/routes/unsubscribe.$token";
import { getDb } from "../../../db/client";
import { publishAnonymousComments } from "../../support/comment-batches";
import { post } from "../../support/comments";
import { callRoute } from "../../support/fixtures";
import { makeCompany, openPetition } from "../../support/petition-fixtures";

/**
 * Anonymous comments leave no trail in company mail: no email unless asked for, and unsubscribe links
 * that carry no person id.
 */

const company = makeCompany(24);
const staff = company.member;
const { moderator } = company;

beforeEach(() => resetRateLimits());

describe("email trails of anonymous comments", () => {
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
    // The trail an adversary would read: a colleague replies, a moderator hides it — what would company mail see?
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
