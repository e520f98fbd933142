import { and, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import {
  emailPreferences,
  parseUnsubscribeToken,
  unsubscribeToken,
} from "../../../app/platform/mail/email-preferences.server";
import { resetRateLimits } from "../../../app/platform/security/rate-limits.server";
import * as unsubscribeRoute from "../../../app/routes/unsubscribe.$token";
import { EMAIL_TOPICS } from "../../../app/vocabulary/email-topics";
import { getDb } from "../../../db/client";
import { outbox } from "../../../db/schema";
import { publishAnonymousComments } from "../../support/comment-batches";
import { post, reply } from "../../support/comments";
import { callRoute } from "../../support/fixtures";
import { makeCompany, openPetition } from "../../support/petition-fixtures";

const company = makeCompany(30);
const staff = company.member;

beforeEach(() => resetRateLimits());

describe("reply emails", () => {
  it("emails the answered author once, never for their own replies, with a one-click unsubscribe for that topic alone", async () => {
    const petition = openPetition(company);
    const author = staff(20);
    const id = await post(petition.id, author, "Please tell me when someone answers");
    const count = () =>
      getDb()
        .select()
        .from(outbox)
        .where(and(eq(outbox.kind, "comment.reply"), eq(outbox.toAddress, author.email)))
        .all();
    const before = count().length;
    await reply(id, author, "Answering myself");
    expect(count().length).toBe(before);
    await reply(id, staff(21), "An answer", true);
    // An anonymous reply's email goes with its batch.
    expect(count().length).toBe(before);
    publishAnonymousComments();
    const [mail] = count().slice(before);
    expect(mail?.subject).toContain("A verified colleague replied");
    expect(mail?.headers?.["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    const link = mail?.headers?.["List-Unsubscribe"]?.slice(1, -1) ?? "";
    expect(mail?.textBody).toContain(link);
    const token = link.split("/unsubscribe/")[1] ?? "";
    expect(parseUnsubscribeToken(token)).toEqual({ personId: author.id, topic: "comment-replies" });
    expect(parseUnsubscribeToken(`${token}x`)).toBeNull();
    // Another person's token cannot be turned into this one's: it is sealed (issue 17).
    const other = unsubscribeToken(author.id + 1, "comment-replies");
    expect(parseUnsubscribeToken(other)).toEqual({ personId: author.id + 1, topic: "comment-replies" });
    expect(
      parseUnsubscribeToken(
        other.replace(/^(u2\.....)./, (_, head) => `${head}${other[7] === "A" ? "B" : "A"}`),
      ),
    ).toBeNull();

    // Opening the link changes nothing; the one-click POST (no session) turns off just that topic.
    const params = { token };
    expect((await callRoute(unsubscribeRoute, "loader", null, `/unsubscribe/${token}`, params)).status).toBe(
      200,
    );
    expect(emailPreferences(author.id)["comment-replies"]).toBe(true);
    const done = await callRoute(unsubscribeRoute, "action", null, `/unsubscribe/${token}`, params, {
      "List-Unsubscribe": "One-Click",
    });
    expect(done.status).toBe(200);
    const allOn = Object.fromEntries(EMAIL_TOPICS.map((topic) => [topic, true]));
    expect(emailPreferences(author.id)).toEqual({ ...allOn, "comment-replies": false });
    expect(emailPreferences(staff(21).id)).toEqual(allOn);
    resetRateLimits();
    // Still queued (whether it goes is not for the outbox to show): the mail sender drops it, as it
    // asks at send time whether the author has turned the topic off (ADR 0032).
    await reply(id, staff(22), "Another answer");
    expect(count().length).toBe(before + 2);
    expect(count().at(-1)).toMatchObject({ recipientId: author.id, optOutTopic: "comment-replies" });
    const bad = await callRoute(unsubscribeRoute, "action", null, "/unsubscribe/1.comment-replies.forged", {
      token: "1.comment-replies.forged",
    });
    expect(bad.status).toBe(404);
  });
});
