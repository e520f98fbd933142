import { createRequire } from "node:module";
import type { KnownBlock } from "@slack/types";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addChatChannel,
  ChatChannelError,
  listChatChannels,
  removeChatChannel,
  updateChatChannel,
} from "../../app/domain/chat/channels.server";
import {
  CHAT_POST_NOT_PUBLIC,
  CHAT_POST_REFUSED,
  POST_TIMEOUT_MS,
} from "../../app/domain/chat/delivery.server";
import {
  type ChatMessage,
  SLACK_LIMITS,
  slackPayload,
  teamsPayload,
} from "../../app/domain/chat/payloads.server";
import { sendTestMessage } from "../../app/domain/chat/posting.server";
import { grantRole } from "../../app/domain/identity/permissions.server";
import { petitionMailState } from "../../app/domain/petitions/dashboard.server";
import { transitionPetition } from "../../app/domain/petitions/lifecycle.server";
import { listOutbox } from "../../app/platform/mail/outbox.server";
import { CLI_ACTOR } from "../../app/platform/security/audit.server";
import { DEFAULT_SETTINGS, updateSettings } from "../../app/platform/site/settings.server";
import { DAY_MS, HOUR_MS, startOfDay } from "../../app/platform/time";
import * as chatRoute from "../../app/routes/admin.chat";
import {
  backoffMs,
  CHAT_TICK_BUDGET_MS,
  deliverDuePosts,
  MAX_ATTEMPTS,
} from "../../app/server/mail-sender.server";
import { getDb } from "../../db/client";
import { auditLog, chatChannels, outbox } from "../../db/schema";
import { answeredPetition } from "../support/answered-petition";
import { startChatReceiver } from "../support/chat-receiver";
import { refused } from "../support/comments";
import { callRoute } from "../support/fixtures";
import { makeCompany, openPetition, userByEmail } from "../support/petition-fixtures";

/**
 * Company chat: public events posted to Slack and Teams channels through the outbox, each payload in
 * its platform's documented format (Slack Block Kit typed by @slack/types and within Slack's limits;
 * Teams' Adaptive Card read by the adaptivecards parser), none naming a signer.
 */

// The package's ES modules import without file extensions, which Node cannot load; its bundle can.
const AdaptiveCards = createRequire(import.meta.url)(
  "adaptivecards/dist/adaptivecards.js",
) as typeof import("adaptivecards");

// Compile-time: the payloads are Block Kit as @slack/types describes it.
const slackShape: (message: ChatMessage) => { text: string; blocks: KnownBlock[] } = slackPayload;

updateSettings(DEFAULT_SETTINGS, [{ threshold: 10, responseRequired: false, responseDays: null }], CLI_ACTOR);
const company = makeCompany(30);
const T0 = startOfDay(Date.now() - 60 * DAY_MS) + 9 * HOUR_MS;
/** Past every post's due time (the opening is posted at the real now). */
const LATER = () => Date.now() + 2 * HOUR_MS;
const TITLE = "Opt out of logging <!channel> & <https://evil.example|click here>";

let receiver: Awaited<ReturnType<typeof startChatReceiver>>;
let story: Awaited<ReturnType<typeof answeredPetition>>;
/** When the milestone's posts were due, as queued. */
let milestoneDue: number[] = [];
beforeAll(async () => {
  receiver = await startChatReceiver();
  addChatChannel(
    {
      name: "#petitions",
      kind: "slack",
      webhookUrl: receiver.url("/slack/T000/B000/secret-token"),
      events: ["petition.opened", "milestone.reached", "memo.answered", "commitment.changed"],
    },
    CLI_ACTOR,
  );
  addChatChannel(
    {
      name: "Staff voice",
      kind: "teams",
      webhookUrl: receiver.url("/teams/workflows/secret-sig"),
      events: ["petition.opened", "milestone.reached", "memo.answered", "commitment.changed"],
    },
    CLI_ACTOR,
  );
  addChatChannel(
    {
      name: "#new-petitions",
      kind: "slack",
      webhookUrl: receiver.url("/opened-only"),
      events: ["petition.opened"],
    },
    CLI_ACTOR,
  );
  story = await answeredPetition(
    company,
    {
      petition: TITLE,
      policy: "Data collection",
      memo: "Our answer on logging",
      commitments: ["A pause button", "Opt-out for contractors"],
    },
    T0,
  );
  milestoneDue = getDb()
    .select()
    .from(outbox)
    .where(eq(outbox.kind, "chat.post"))
    .all()
    .filter((row) => row.subject.endsWith(": 10 signatures"))
    .map((row) => row.nextAttemptAt.getTime());
  await deliverDuePosts({ now: LATER });
});
afterAll(async () => {
  await receiver.close();
});

const headings = (path: string) =>
  receiver.postsTo(path).map((post) => {
    const body = post.body as ReturnType<typeof slackShape>;
    const header = body.blocks.find((block) => block.type === "header");
    return header?.type === "header" ? header.text.text : undefined;
  });

describe("company chat", () => {
  it("posts each chosen public event to each channel that chose it, and nothing else", () => {
    expect(headings("/slack/T000/B000/secret-token").sort()).toEqual(
      [
        `New petition: ${TITLE}`,
        `${TITLE}: 10 signatures`,
        `Leadership answered: ${TITLE}`,
        "Commitment update: Our answer on logging",
        "Commitment update: Our answer on logging",
      ].sort(),
    );
    expect(receiver.postsTo("/teams/workflows/secret-sig")).toHaveLength(5);
    expect(headings("/opened-only")).toEqual([`New petition: ${TITLE}`]);
    expect(receiver.posts.every((post) => post.contentType.startsWith("application/json"))).toBe(true);
  });

  it("writes Slack Block Kit within Slack's documented limits, with a text fallback", () => {
    const slack = receiver.posts.filter((post) => post.path !== "/teams/workflows/secret-sig");
    expect(slack.length).toBe(6);
    for (const post of slack) {
      const body = post.body as ReturnType<typeof slackShape>;
      expect(body.text.length).toBeGreaterThan(0);
      expect(body.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
      for (const block of body.blocks) {
        if (block.type === "header") {
          expect(block.text.type).toBe("plain_text");
          expect([...block.text.text].length).toBeLessThanOrEqual(150);
        }
        if (block.type === "section") expect([...(block.text?.text ?? "")].length).toBeLessThanOrEqual(3000);
        if (block.type === "actions")
          for (const element of block.elements)
            if (element.type === "button") expect(element.url).toMatch(/^http:\/\/undersigned\.test:3000\//);
      }
    }
  });

  it("escapes Slack's markup in colleagues' words, so a title cannot ping the channel or hide a link", () => {
    const [opened] = receiver.postsTo("/opened-only");
    const text = JSON.stringify(opened?.body);
    expect(text).toContain("&lt;!channel&gt; &amp; &lt;https://evil.example|click here&gt;");
    const body = opened?.body as ReturnType<typeof slackPayload>;
    expect(JSON.stringify(body.blocks[1])).not.toContain("<!channel>");
    expect(body.text).not.toContain("<!channel>");
  });

  it("writes Teams messages whose attachment is an Adaptive Card the adaptivecards parser reads without a fault", () => {
    const teams = receiver.postsTo("/teams/workflows/secret-sig");
    for (const post of teams) {
      const body = post.body as ReturnType<typeof teamsPayload>;
      expect(body.type).toBe("message");
      expect(body.attachments).toHaveLength(1);
      const [attachment] = body.attachments;
      expect(attachment?.contentType).toBe("application/vnd.microsoft.card.adaptive");
      const card = new AdaptiveCards.AdaptiveCard();
      const context = new AdaptiveCards.SerializationContext();
      card.parse(attachment?.content, context);
      const events = Array.from({ length: context.eventCount }, (_, i) => context.getEventAt(i).message);
      expect(events).toEqual([]);
      expect(card.validateProperties().validationEvents).toEqual([]);
      expect(card.version.toString()).toBe("1.4");
      expect(card.getActionCount()).toBe(1);
    }
  });

  it("escapes Markdown in Teams cards, so a title or a commitment cannot become a disguised link", () => {
    const disguised = "[Action needed: confirm your account](https://evil.example)";
    const body = teamsPayload({
      heading: `Petition opened: ${disguised}`,
      text: `**Urgent** ${disguised} _now_`,
      link: { label: "Read the petition", url: "https://undersigned.example/p/x" },
    });
    const [heading, text] = body.attachments[0]?.content.body ?? [];
    const escaped = String.raw`\[Action needed: confirm your account\]\(https://evil\.example\)`;
    expect(heading?.text).toBe(`Petition opened: ${escaped}`);
    expect(text?.text).toBe(String.raw`\*\*Urgent\*\* ` + escaped + String.raw` \_now\_`);
    // No unescaped "[label](" is left for the card's Markdown to read as a link.
    expect(JSON.stringify(body)).not.toMatch(/(^|[^\\])\[[^\]]*\]\(/);
  });

  it("never names a signer, public or anonymous, in any payload", async () => {
    const signers = Array.from({ length: 10 }, (_, i) => company.member(4 + i));
    const everything = JSON.stringify(receiver.posts);
    for (const signer of signers) {
      expect(everything).not.toContain(signer.email);
      expect(everything).not.toContain(signer.email.split("@")[0]);
      expect(everything).not.toContain(signer.name);
    }
    expect(everything).not.toMatch(/Staff Member|holder\d|corp\.example/);
    // Nor a live count that would date one signature: only the milestone's threshold.
    expect(everything).not.toMatch(/\b(9|11)\b signatures/);
    expect(story.petition.title).toBe(TITLE);
  });

  it("holds a milestone's post to the next full hour, so its time says no more than the hour", () => {
    // The tenth signature came at nine minutes past nine (T0 + 9 minutes): posted at ten.
    expect(milestoneDue).toEqual([T0 + HOUR_MS, T0 + HOUR_MS]);
  });

  it("retries a post the service refused (500, then 200) with backoff, and delivers it once", async () => {
    const id = addChatChannel(
      { name: "#flaky", kind: "slack", webhookUrl: receiver.url("/flaky"), events: [] },
      CLI_ACTOR,
    );
    receiver.failNext("/flaky", 500);
    const t = Date.now();
    sendTestMessage(id, CLI_ACTOR, t);
    expect(await deliverDuePosts({ now: () => t })).toEqual({ sent: 0, failed: 1 });
    const row = getDb().select().from(outbox).where(eq(outbox.chatChannelId, id)).get();
    expect(row).toMatchObject({
      status: "queued",
      attempts: 1,
      lastError: CHAT_POST_REFUSED,
    });
    expect(row?.nextAttemptAt.getTime()).toBe(t + backoffMs(1));
    expect(await deliverDuePosts({ now: () => t + backoffMs(1) - 1 })).toEqual({ sent: 0, failed: 0 });
    expect(await deliverDuePosts({ now: () => t + backoffMs(1) })).toEqual({ sent: 1, failed: 0 });
    expect(await deliverDuePosts({ now: () => t + DAY_MS })).toEqual({ sent: 0, failed: 0 });
    expect(receiver.postsTo("/flaky")).toHaveLength(2);
    expect(getDb().select().from(outbox).where(eq(outbox.chatChannelId, id)).get()?.status).toBe("sent");
  });

  it("lists a post that kept failing on the admin outbox, by channel, with why and without the address", async () => {
    const id = addChatChannel(
      { name: "#down", kind: "teams", webhookUrl: receiver.url("/down"), events: [] },
      CLI_ACTOR,
    );
    receiver.failNext("/down", ...Array(MAX_ATTEMPTS).fill(500));
    let t = Date.now();
    sendTestMessage(id, CLI_ACTOR, t);
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      await deliverDuePosts({ now: () => t });
      t += backoffMs(i + 1);
    }
    const failed = listOutbox({ status: "failed", page: 1 }).messages.filter((m) => m.kind === "chat.post");
    expect(failed).toEqual([
      expect.objectContaining({
        toAddress: "#down",
        lastError: CHAT_POST_REFUSED,
        attempts: MAX_ATTEMPTS,
      }),
    ]);
    expect(JSON.stringify(failed)).not.toContain("/down");
    // Words only: no status or error code, which would let an admin probe hosts and ports.
    expect(JSON.stringify(failed)).not.toMatch(/500|HTTP|ECONN/);
  });

  it("fails a post the same way whether the service refused it or could not be reached", async () => {
    const closed = await startChatReceiver();
    const webhookUrl = closed.url("/gone");
    await closed.close();
    const id = addChatChannel({ name: "#unreachable", kind: "slack", webhookUrl, events: [] }, CLI_ACTOR);
    const t = Date.now();
    sendTestMessage(id, CLI_ACTOR, t);
    expect(await deliverDuePosts({ now: () => t })).toEqual({ sent: 0, failed: 1 });
    const row = getDb().select().from(outbox).where(eq(outbox.chatChannelId, id)).get();
    expect(row?.lastError).toBe(CHAT_POST_REFUSED);
  });

  it("does not post about a petition hidden after its post was queued: marked not sent, with why", async () => {
    // The milestone's posts (held to the hour) carry their petition, so the same check covers them.
    const milestoneRows = getDb()
      .select()
      .from(outbox)
      .where(eq(outbox.kind, "chat.post"))
      .all()
      .filter((row) => row.subject.endsWith(": 10 signatures"));
    expect(milestoneRows.map((row) => row.petitionId)).toEqual([story.petition.id, story.petition.id]);

    const title = "Rename the cafeteria after a colleague";
    const petition = openPetition(company, title);
    const queued = getDb()
      .select()
      .from(outbox)
      .where(eq(outbox.petitionId, petition.id))
      .all()
      .filter((row) => row.kind === "chat.post");
    expect(queued.map((row) => row.status)).toEqual(["queued", "queued", "queued"]);
    transitionPetition(petition.id, { action: "hide", reason: "Names a colleague" }, company.moderator);
    await deliverDuePosts({ now: LATER });
    expect(JSON.stringify(receiver.posts)).not.toContain("cafeteria");
    const rows = listOutbox({ status: "failed", page: 1 }).messages.filter((m) =>
      queued.some((row) => row.id === m.id),
    );
    expect(rows.map((m) => [m.status, m.lastError])).toEqual(Array(3).fill(["failed", CHAT_POST_NOT_PUBLIC]));
    // Not tried again, and not counted among the petition's emails on the organizers' dashboard.
    await deliverDuePosts({ now: () => LATER() + DAY_MS });
    const after = getDb().select().from(outbox).where(eq(outbox.petitionId, petition.id)).all();
    expect(after.filter((row) => row.kind === "chat.post").map((row) => row.attempts)).toEqual([1, 1, 1]);
    expect(petitionMailState(petition.id).some((m) => m.kind === "chat.post")).toBe(false);
  });

  it("gives chat posts a tick's time budget, so a slow webhook cannot hold up the next tick's emails", async () => {
    const id = addChatChannel(
      { name: "#slow", kind: "slack", webhookUrl: receiver.url("/slow"), events: [] },
      CLI_ACTOR,
    );
    const t = Date.now();
    for (let i = 0; i < 3; i++) sendTestMessage(id, CLI_ACTOR, t);
    // Each post "takes" 6 seconds of the injected clock: the 10-second budget ends after the second.
    const slowClock = () => t + 6_000 * receiver.postsTo("/slow").length;
    expect(POST_TIMEOUT_MS).toBeLessThanOrEqual(5_000);
    expect(CHAT_TICK_BUDGET_MS).toBe(10_000);
    expect(await deliverDuePosts({ now: slowClock })).toEqual({ sent: 2, failed: 0 });
    expect(receiver.postsTo("/slow")).toHaveLength(2);
    expect(await deliverDuePosts({ now: slowClock })).toEqual({ sent: 1, failed: 0 });
    expect(receiver.postsTo("/slow")).toHaveLength(3);
  });

  it("keeps the webhook address secret: sealed in the database, never in the audit log or on the page", () => {
    const stored = JSON.stringify(getDb().select().from(chatChannels).all());
    const audit = JSON.stringify(getDb().select().from(auditLog).all());
    for (const secret of ["secret-token", "secret-sig", "/opened-only", "/flaky"]) {
      expect(stored).not.toContain(secret);
      expect(audit).not.toContain(secret);
    }
    expect(listChatChannels().map((c) => c.webhookHint)).toContain(`${new URL(receiver.url("/")).origin}/…`);
    expect(audit).toContain("chat.channel.add");
    expect(audit).toContain("chat.channel.test");
  });

  it("refuses addresses that are not https (http only to this machine, outside production), or carry a password", async () => {
    const before = getDb().select().from(chatChannels).all().length;
    for (const webhookUrl of [
      "file:///etc/passwd",
      "ftp://files.example/hook",
      "javascript:alert(1)",
      "gopher://127.0.0.1:25/",
      "http://hooks.slack.com/services/T/B/x",
      "https://user:password@hooks.slack.com/services/T/B/x",
      "not an address",
    ]) {
      await refused(
        () => addChatChannel({ name: "x", kind: "slack", webhookUrl, events: [] }, CLI_ACTOR),
        400,
      );
    }
    const environment = process.env.NODE_ENV;
    process.env.NODE_ENV = "production";
    try {
      await refused(
        () =>
          addChatChannel({ name: "x", kind: "slack", webhookUrl: receiver.url("/x"), events: [] }, CLI_ACTOR),
        400,
      );
      // Nor, in production, an https address inside the network or on the server, written as a number.
      for (const webhookUrl of [
        "https://127.0.0.1:8443/hook",
        "https://10.1.2.3/hook",
        "https://172.20.0.1/hook",
        "https://192.168.1.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://2130706433/hook",
        "https://[::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://[fd00::1]/hook",
        "https://[fe80::1]/hook",
      ]) {
        await refused(
          () => addChatChannel({ name: "x", kind: "slack", webhookUrl, events: [] }, CLI_ACTOR),
          400,
        );
      }
      expect(() =>
        addChatChannel(
          { name: "public", kind: "teams", webhookUrl: "https://8.8.8.8/hook", events: [] },
          CLI_ACTOR,
        ),
      ).not.toThrow();
    } finally {
      process.env.NODE_ENV = environment;
    }
    expect(getDb().select().from(chatChannels).all().length).toBe(before + 1);
    expect(() =>
      addChatChannel(
        { name: "ok", kind: "slack", webhookUrl: "https://hooks.slack.com/services/T/B/x", events: [] },
        CLI_ACTOR,
      ),
    ).not.toThrow();
  });

  it("changes a channel's events and address, and removes it with its undelivered posts, each audited", async () => {
    const id = addChatChannel(
      { name: "#temp", kind: "slack", webhookUrl: receiver.url("/temp"), events: [] },
      CLI_ACTOR,
    );
    updateChatChannel(id, { name: "#temp2", events: ["memo.answered"], webhookUrl: "" }, CLI_ACTOR);
    expect(listChatChannels().find((c) => c.id === id)).toMatchObject({
      name: "#temp2",
      events: ["memo.answered"],
    });
    sendTestMessage(id, CLI_ACTOR);
    removeChatChannel(id, CLI_ACTOR);
    expect(getDb().select().from(outbox).where(eq(outbox.chatChannelId, id)).all()).toEqual([]);
    await refused(() => removeChatChannel(id, CLI_ACTOR), 404);
    await expect(
      Promise.resolve().then(() => updateChatChannel(id, { name: "x", events: [] }, CLI_ACTOR)),
    ).rejects.toBeInstanceOf(ChatChannelError);
    const actions = getDb()
      .select({ action: auditLog.action })
      .from(auditLog)
      .all()
      .map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(["chat.channel.update", "chat.channel.remove"]));
  });
});

describe("the admin's company chat page", () => {
  it("is an admin's: a colleague is refused and nothing is stored", async () => {
    const before = getDb().select().from(chatChannels).all().length;
    const response = await callRoute(
      chatRoute,
      "action",
      company.member(20),
      "/admin/chat",
      {},
      {
        intent: "add",
        name: "#mine",
        kind: "slack",
        webhookUrl: "https://hooks.slack.com/services/T/B/x",
      },
    );
    expect(response.status).toBe(403);
    expect(getDb().select().from(chatChannels).all().length).toBe(before);
  });

  it("answers a plain-http or scheme-less address with 400 and the field's words, and connects an https one", async () => {
    grantRole(company.member(21).id, "admin", CLI_ACTOR);
    const admin = userByEmail(company.member(21).email);
    const before = getDb().select().from(chatChannels).all().length;
    const refusedAnswer = await callRoute(
      chatRoute,
      "action",
      admin,
      "/admin/chat",
      {},
      {
        intent: "add",
        name: "#bad",
        kind: "teams",
        webhookUrl: "file:///etc/passwd",
        events: "petition.opened",
      },
    );
    expect(refusedAnswer.status).toBe(400);
    expect(JSON.stringify(await refusedAnswer.json())).toContain("must start with https://");
    expect(getDb().select().from(chatChannels).all().length).toBe(before);
    const added = await callRoute(
      chatRoute,
      "action",
      admin,
      "/admin/chat",
      {},
      {
        intent: "add",
        name: "#good",
        kind: "teams",
        webhookUrl: "https://example.webhook.office.com/workflows/secret-path?sig=secret-sig-value",
        events: "petition.opened",
      },
    );
    expect(added.status).toBe(302);
    const page = await callRoute(chatRoute, "loader", admin, "/admin/chat", {});
    const text = JSON.stringify(await page.json());
    expect(text).toContain("#good");
    expect(text).toContain("https://example.webhook.office.com/…");
    expect(text).not.toContain("secret-path");
    expect(text).not.toContain("secret-sig-value");
  });
});
