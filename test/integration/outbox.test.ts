import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestSignIn } from "../../app/domain/identity/sign-in.server";
import { renderEmail } from "../../app/platform/mail/email-layout.server";
import { enqueueMail } from "../../app/platform/mail/outbox.server";
import {
  backoffMs,
  createSmtpTransport,
  deliverDueMail,
  MAX_ATTEMPTS,
  SENDING_LEASE_MS,
} from "../../app/server/mail-sender.server";
import { getDb } from "../../db/client";
import { outbox } from "../../db/schema";
import { importSampleDirectory } from "../support/fixtures";
import { extractLink, startSmtpServer } from "../support/smtp";

let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
beforeAll(async () => {
  smtp = await startSmtpServer();
  importSampleDirectory();
});
afterAll(async () => {
  await smtp.close();
});

const row = (id: number) => {
  const found = getDb().select().from(outbox).where(eq(outbox.id, id)).get();
  if (!found) throw new Error(`outbox ${id} missing`);
  return found;
};

function queueTestMail(subject: string) {
  return enqueueMail(getDb(), {
    kind: "comment.reply",
    to: "grace@corp.example",
    subject,
    ...renderEmail({ paragraphs: [subject] }),
  });
}

describe("the outbox", () => {
  it("is written in the transaction of the change: a rollback takes the email with it", () => {
    const before = getDb().select().from(outbox).all().length;
    expect(() =>
      getDb().transaction((tx) => {
        enqueueMail(tx, {
          kind: "comment.reply",
          to: "x@corp.example",
          subject: "never",
          text: "t",
          html: "h",
        });
        throw new Error("the change failed");
      }),
    ).toThrowError("the change failed");
    expect(getDb().select().from(outbox).all().length).toBe(before);
  });

  it("delivers the sign-in email through real SMTP with text and HTML parts and an intact long link", async () => {
    await requestSignIn({ email: "ada@corp.example", ip: "127.0.0.1" });
    const transport = createSmtpTransport(smtp.url);
    expect(await deliverDueMail(transport)).toEqual({ sent: 1, failed: 0 });
    transport.close();
    const mail = await smtp.waitFor((m) => m.to.includes("ada@corp.example"));
    expect(mail.parsed.from?.text).toBe('"Undersigned" <noreply@localhost>');
    expect(mail.parsed.subject).toBe("Your sign-in link for Undersigned");
    const link = extractLink(mail.parsed.text ?? "", "/sign-in/verify");
    expect(link).toMatch(/^http:\/\/undersigned\.test:3000\/sign-in\/verify\?token=[A-Za-z0-9_-]{43}$/);
    expect(mail.parsed.html).toContain(`href="${link}"`);
    // No quoted-printable soft line breaks can split the link: the text part is base64.
    expect(mail.raw).toMatch(/Content-Type: text\/plain[\s\S]*?Content-Transfer-Encoding: base64/i);
    // The link is a secret: once delivered, the outbox keeps no copy of it.
    const sent = getDb().select().from(outbox).where(eq(outbox.toAddress, "ada@corp.example")).get();
    expect(sent?.status).toBe("sent");
    expect(sent?.textBody).not.toContain("token=");
    expect(sent?.htmlBody).not.toContain("token=");
  });

  it("retries with backoff when SMTP refuses, then delivers exactly once", async () => {
    const id = queueTestMail("Retry me");
    let clock = Date.now();
    const now = () => clock;
    const transport = createSmtpTransport(smtp.url);
    smtp.refuseNext(2);

    expect(await deliverDueMail(transport, { now })).toEqual({ sent: 0, failed: 1 });
    expect(row(id)).toMatchObject({ status: "queued", attempts: 1 });
    expect(row(id).lastError).toMatch(/451/);
    // Not due again until the backoff has passed.
    expect(await deliverDueMail(transport, { now })).toEqual({ sent: 0, failed: 0 });
    clock += 30_000;
    expect(await deliverDueMail(transport, { now })).toEqual({ sent: 0, failed: 1 });
    expect(row(id)).toMatchObject({ status: "queued", attempts: 2 });
    clock += 60_000;
    expect(await deliverDueMail(transport, { now })).toEqual({ sent: 1, failed: 0 });
    expect(row(id)).toMatchObject({ status: "sent", attempts: 3, lastError: null });
    clock += 24 * 60 * 60_000;
    expect(await deliverDueMail(transport, { now })).toEqual({ sent: 0, failed: 0 });
    transport.close();
    expect(smtp.received.filter((m) => m.parsed.subject === "Retry me")).toHaveLength(1);
  });

  it("gives up after the last attempt and marks the message failed", async () => {
    const id = queueTestMail("Doomed");
    let clock = Date.now();
    const transport = createSmtpTransport(smtp.url);
    smtp.refuseNext(MAX_ATTEMPTS);
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      await deliverDueMail(transport, { now: () => clock });
      clock += 2 * 60 * 60_000;
    }
    transport.close();
    expect(row(id)).toMatchObject({ status: "failed", attempts: MAX_ATTEMPTS });
    expect(smtp.received.filter((m) => m.parsed.subject === "Doomed")).toHaveLength(0);
  });

  it("never re-queues a delivered message as an SMTP failure when recording it fails; re-sent only after its lease", async () => {
    const id = queueTestMail("Delivered but not recorded");
    let clock = Date.now();
    const now = () => clock;
    const transport = createSmtpTransport(smtp.url);
    // The database refuses the "sent" update (a full disk, a lock held too long) after SMTP said 250.
    const client = getDb().$client;
    client.exec(
      "create temp trigger sent_fails before update of status on outbox when new.status = 'sent' begin select raise(abort, 'database or disk is full'); end",
    );
    try {
      await expect(deliverDueMail(transport, { now })).rejects.toThrowError(/disk is full/);
    } finally {
      client.exec("drop trigger sent_fails");
    }
    await smtp.waitFor((m) => m.parsed.subject === "Delivered but not recorded");
    // Still claimed, with no invented SMTP error: not "queued" for a retry 30 s later, nor "failed".
    expect(row(id)).toMatchObject({ status: "sending", attempts: 1, lastError: null });
    clock += backoffMs(1) + 1_000;
    expect(await deliverDueMail(transport, { now })).toEqual({ sent: 0, failed: 0 });
    // Once its lease is over it goes again, once, under the same Message-ID (see ADR 0003).
    clock += SENDING_LEASE_MS;
    expect(await deliverDueMail(transport, { now })).toEqual({ sent: 1, failed: 0 });
    transport.close();
    const copies = smtp.received.filter((m) => m.parsed.subject === "Delivered but not recorded");
    expect(copies.map((m) => m.parsed.messageId)).toEqual([row(id).messageId, row(id).messageId]);
    expect(row(id)).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("never hands one message to two senders running at once", async () => {
    const id = queueTestMail("Only once");
    const a = createSmtpTransport(smtp.url);
    const b = createSmtpTransport(smtp.url);
    const results = await Promise.all([deliverDueMail(a), deliverDueMail(b)]);
    a.close();
    b.close();
    expect(results.reduce((n, r) => n + r.sent, 0)).toBe(1);
    expect(row(id).status).toBe("sent");
    await smtp.waitFor((m) => m.parsed.subject === "Only once");
    expect(smtp.received.filter((m) => m.parsed.subject === "Only once")).toHaveLength(1);
  });
});

describe("the admin outbox", () => {
  it("never shows who receives signer emails", async () => {
    const { listOutbox } = await import("../../app/platform/mail/outbox.server");
    enqueueMail(getDb(), {
      kind: "signer.milestone",
      to: "anonymous.signer@corp.example",
      subject: "100 signatures",
      text: "t",
      html: "h",
    });
    // Not a row (ADR 0032); a count by kind once its day has ended.
    const today = listOutbox({ page: 1 });
    expect(today.messages.some((m) => m.kind === "signer.milestone")).toBe(false);
    expect(today.hidden.some((g) => g.kind === "signer.milestone")).toBe(false);
    const tomorrow = listOutbox({ page: 1 }, Date.now() + 86_400_000);
    expect(tomorrow.hidden.find((g) => g.kind === "signer.milestone")?.queued).toBeGreaterThan(0);
    expect(JSON.stringify(tomorrow)).not.toContain("anonymous.signer@corp.example");
  });
});
