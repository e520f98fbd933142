import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { grantRole } from "../../app/domain/identity/permissions.server";
import { CLI_ACTOR } from "../../app/platform/security/audit.server";
import {
  backoffMs,
  createSmtpTransport,
  deliverDueMail,
  MAX_ATTEMPTS,
} from "../../app/server/mail-sender.server";
import type { OutboxStatus } from "../../app/vocabulary/outbox";
import { getDb } from "../../db/client";
import { auditLog, outbox } from "../../db/schema";
import { type AppServer, startAppServer } from "../support/app-server";
import {
  flashOf,
  httpRequest,
  loopbackAddress,
  sessionCookies,
  useAppDatabase,
} from "../support/http-client";
import { makeCompany } from "../support/petition-fixtures";
import { startSmtpServer } from "../support/smtp";
import { atScale, STRESS } from "../support/stress";

/**
 * The mail server goes away (connections refused), comes back refusing mail (451), stutters, then
 * recovers. The sign-in emails are queued by the built server through its real page; they are sent
 * by the server's own sender code (deliverDueMail) under a clock the test moves, so an hour of
 * backoff takes seconds. The long form also runs the server's own sender loop through one real
 * backoff. See docs/reliability.md.
 */
/** Two cohorts queued at different times, so their retry schedules differ. */
const COHORT = atScale(20, 250);
/** Emails caught by an outage longer than every retry: they fail, and an admin retries them. */
const GIVE_UP = atScale(10, 100);
const TICK_MS = 5_000;

let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let app: AppServer;
let company: ReturnType<typeof makeCompany>;
let adminCookie: string;
beforeAll(async () => {
  smtp = await startSmtpServer();
  // No SMTP_URL: the server queues and this test sends, with its clock.
  app = await startAppServer();
  useAppDatabase(app);
  company = makeCompany(2 * COHORT + GIVE_UP + 50);
  grantRole(company.moderator.id, "admin", CLI_ACTOR);
  [adminCookie = ""] = await sessionCookies([company.moderator.id]);
});
afterAll(async () => {
  await app?.stop();
  await smtp?.close();
});

const db = () => getDb();
const messageIdOf = (raw: string) => raw.match(/^Message-ID:\s*(<[^>]+>)/im)?.[1] ?? "";

/** Asks for sign-in links for these people through the sign-in page, each from their own address. */
async function requestLinks(people: typeof company.staff, offset: number): Promise<number[]> {
  const before = new Set(
    db()
      .select({ id: outbox.id })
      .from(outbox)
      .all()
      .map((r) => r.id),
  );
  const answers = await Promise.all(
    people.map((person, i) =>
      httpRequest(`${app.baseUrl}/sign-in`, {
        form: { email: person.email },
        from: loopbackAddress(offset + i),
      }),
    ),
  );
  expect(answers.map((a) => a.status).filter((s) => s !== 200)).toEqual([]);
  const ids = db()
    .select({ id: outbox.id })
    .from(outbox)
    .where(eq(outbox.kind, "sign-in"))
    .all()
    .map((r) => r.id)
    .filter((id) => !before.has(id));
  expect(ids).toHaveLength(people.length);
  return ids;
}

/** The admin's outbox page, as its loader serves it. */
async function adminOutbox(): Promise<Record<OutboxStatus, number>> {
  const response = await httpRequest(`${app.baseUrl}/admin/outbox?_data=routes%2Fadmin.outbox`, {
    cookie: adminCookie,
  });
  expect(response.status).toBe(200);
  return (JSON.parse(response.body) as { totals: Record<OutboxStatus, number> }).totals;
}

/**
 * The sender under a moved clock: at each tick every due message is tried (as the server's loop
 * does every 2 s), and each attempt's time and outcome recorded from the outbox row.
 */
function simulatedSender(ids: () => number[]) {
  let clock = Date.now();
  const transport = createSmtpTransport(smtp.url);
  const history = new Map<number, Array<{ at: number; error: string | null; status: OutboxStatus }>>();
  const seen = new Map<number, number>();
  return {
    history,
    close: () => transport.close(),
    async runFor(ms: number) {
      const until = clock + ms;
      while (clock < until) {
        let attempted = 0;
        for (;;) {
          const result = await deliverDueMail(transport, { now: () => clock });
          if (result.sent + result.failed === 0) break;
          attempted += result.sent + result.failed;
        }
        if (attempted > 0) {
          for (const row of db().select().from(outbox).where(inArray(outbox.id, ids())).all()) {
            if (row.attempts === seen.get(row.id)) continue;
            seen.set(row.id, row.attempts);
            if (row.attempts === 0) continue; // put back in the queue by an admin
            const log = history.get(row.id) ?? [];
            log.push({ at: clock, error: row.lastError, status: row.status });
            history.set(row.id, log);
          }
        }
        clock += TICK_MS;
      }
    },
  };
}

/** Each attempt waited out its backoff (30 s, then doubling), to within one tick of the loop. */
function expectBackedOff(log: Array<{ at: number }>) {
  for (let k = 1; k < log.length; k++) {
    const gap = (log[k]?.at ?? 0) - (log[k - 1]?.at ?? 0);
    expect(gap).toBeGreaterThanOrEqual(backoffMs(k));
    expect(gap).toBeLessThan(backoffMs(k) + TICK_MS);
  }
}

it(`an outage of refused connections, then 451s, then a stutter: ${2 * COHORT} queued emails arrive exactly once, after backing off`, async () => {
  const ids: number[] = [];
  const sender = simulatedSender(() => ids);
  const staff = company.staff;
  smtp.goDown();
  ids.push(...(await requestLinks(staff.slice(0, COHORT), 0)));
  // 0–150 s: nothing listens. Cohort A is tried at 0, 30 and 90 s; cohort B, queued at 100 s, at 100
  // and 130 s. Every later attempt meets the 451s or gets through.
  await sender.runFor(100_000);
  ids.push(...(await requestLinks(staff.slice(COHORT, 2 * COHORT), COHORT)));
  await sender.runFor(50_000);
  expect(await adminOutbox()).toMatchObject({ queued: 2 * COHORT, sending: 0, sent: 0, failed: 0 });
  for (const row of db().select().from(outbox).where(inArray(outbox.id, ids)).all())
    expect(row.lastError).toMatch(/ECONNREFUSED/);
  // 150–300 s: the server is back but answers every message with a 451.
  await smtp.comeBack();
  smtp.refuseAll(true);
  await sender.runFor(150_000);
  expect(smtp.received).toHaveLength(0);
  for (const row of db().select().from(outbox).where(inArray(outbox.id, ids)).all())
    expect({ status: row.status, error: row.lastError }).toEqual({
      status: "queued",
      error: expect.stringMatching(/451/),
    });
  // From 300 s it accepts mail, but refuses a few more first.
  smtp.refuseAll(false);
  smtp.refuseNext(3);
  await sender.runFor(1_200_000);
  sender.close();

  const rows = db().select().from(outbox).where(inArray(outbox.id, ids)).all();
  expect(rows.filter((r) => r.status !== "sent")).toEqual([]);
  expect(await adminOutbox()).toMatchObject({ queued: 0, sending: 0, sent: 2 * COHORT, failed: 0 });
  for (const row of rows) {
    const log = sender.history.get(row.id) ?? [];
    expect(log.length).toBe(row.attempts);
    expect(log.at(-1)?.status).toBe("sent");
    expectBackedOff(log);
  }
  // Every email met refused connections, then 451s, then got through; the outbox said which each time.
  for (const row of rows) {
    const outcomes = (sender.history.get(row.id) ?? []).map((a) =>
      a.status === "sent"
        ? "sent"
        : /ECONNREFUSED/.test(a.error ?? "")
          ? "refused"
          : /451/.test(a.error ?? "")
            ? "451"
            : a.error,
    );
    expect(outcomes.filter((o, k) => o !== outcomes[k - 1])).toEqual(["refused", "451", "sent"]);
  }
  // Exactly once each: one message per row, under the row's Message-ID, to the row's recipient.
  const received = smtp.received.map((m) => ({ id: messageIdOf(m.raw), to: m.to }));
  expect(received.map((m) => m.id).sort()).toEqual(rows.map((r) => r.messageId).sort());
  for (const row of rows) expect(received.find((m) => m.id === row.messageId)?.to).toEqual([row.toAddress]);
  // The links are secrets: gone from the outbox once delivered.
  expect(rows.filter((r) => r.textBody.includes("token="))).toEqual([]);
});

it(`an outage longer than every retry: ${GIVE_UP} emails end failed after ${MAX_ATTEMPTS} attempts, and an admin's retry delivers each once`, async () => {
  smtp.received.splice(0);
  const ids: number[] = [];
  const sender = simulatedSender(() => ids);
  smtp.goDown();
  ids.push(...(await requestLinks(company.staff.slice(2 * COHORT, 2 * COHORT + GIVE_UP), 2 * COHORT)));
  // 30 s + 1 + 2 + 4 + 8 + 16 + 32 min between the eight attempts: just over an hour; three are given.
  await sender.runFor(3 * 60 * 60_000);
  const failed = db().select().from(outbox).where(inArray(outbox.id, ids)).all();
  for (const row of failed) {
    expect(row).toMatchObject({ status: "failed", attempts: MAX_ATTEMPTS });
    expect(row.lastError).toMatch(/ECONNREFUSED/);
    const log = sender.history.get(row.id) ?? [];
    expect(log.map((a) => a.status)).toEqual([...Array(MAX_ATTEMPTS - 1).fill("queued"), "failed"]);
    expectBackedOff(log);
  }
  expect(await adminOutbox()).toMatchObject({ failed: GIVE_UP, queued: 0, sending: 0 });

  // The mail server is back; nothing moves until an admin retries, through the outbox page.
  await smtp.comeBack();
  await sender.runFor(60 * 60_000);
  expect(smtp.received).toHaveLength(0);
  for (const id of ids) {
    const response = await httpRequest(`${app.baseUrl}/admin/outbox`, {
      form: { intent: "retry", id: String(id) },
      cookie: adminCookie,
    });
    expect(response.status).toBe(302);
    expect((await flashOf(response))?.message).toBe(`Email ${id} queued again.`);
  }
  // A second retry of the same email is refused: it is no longer failed.
  const again = await httpRequest(`${app.baseUrl}/admin/outbox`, {
    form: { intent: "retry", id: String(ids[0]) },
    cookie: adminCookie,
  });
  expect((await flashOf(again))?.message).toBe(`Email ${ids[0]} is not failed.`);
  await sender.runFor(TICK_MS);
  sender.close();

  const rows = db().select().from(outbox).where(inArray(outbox.id, ids)).all();
  expect(rows.map((r) => r.status)).toEqual(ids.map(() => "sent"));
  expect(smtp.received.map((m) => messageIdOf(m.raw)).sort()).toEqual(rows.map((r) => r.messageId).sort());
  expect(
    db()
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, "mail.retry"))
      .all()
      .map((a) => a.targetId)
      .sort(),
  ).toEqual(ids.map(String).sort());
});

it.runIf(STRESS)("the server's own sender loop, through a real outage and one real backoff", async () => {
  smtp.received.splice(0);
  smtp.goDown();
  await app.kill();
  await app.restart({ SMTP_URL: smtp.url });
  const people = company.staff.slice(2 * COHORT + GIVE_UP, 2 * COHORT + GIVE_UP + 50);
  const ids = await requestLinks(people, 2 * COHORT + GIVE_UP);
  const rows = () => db().select().from(outbox).where(inArray(outbox.id, ids)).all();
  // The loop tries each once, finds nothing listening, and schedules the retry 30 s later.
  await app.waitUntil(() => rows().every((r) => r.attempts === 1 && r.status === "queued"));
  const retryAt = new Map(rows().map((r) => [r.id, r.nextAttemptAt.getTime()]));
  expect(rows().every((r) => /ECONNREFUSED/.test(r.lastError ?? ""))).toBe(true);
  await smtp.comeBack();
  await app.waitUntil(() => rows().every((r) => r.status === "sent"));
  const receivedAt = new Map(smtp.received.map((m) => [messageIdOf(m.raw), m.at]));
  for (const row of rows()) {
    expect(row.attempts).toBe(2);
    // Not before its backoff had passed, however soon the mail server was back (as the mail server
    // saw it: the outbox keeps only the hour).
    expect(receivedAt.get(row.messageId)).toBeGreaterThanOrEqual(
      retryAt.get(row.id) ?? Number.POSITIVE_INFINITY,
    );
  }
  expect(smtp.received.map((m) => messageIdOf(m.raw)).sort()).toEqual(
    rows()
      .map((r) => r.messageId)
      .sort(),
  );
});
