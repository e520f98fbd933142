import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { checkCounts } from "../../app/domain/petitions/counts.server";
import { verifyLedger } from "../../app/domain/petitions/ledger.server";
import type { Petition } from "../../app/domain/petitions/rights.server";
import { createSmtpTransport, deliverDueMail, SENDING_LEASE_MS } from "../../app/server/mail-sender.server";
import { getDb } from "../../db/client";
import { ledgerEntries, milestones, outbox, signatures } from "../../db/schema";
import { type AppServer, startAppServer } from "../support/app-server";
import {
  flashOf,
  httpRequest,
  loopbackAddress,
  receiptNumber,
  sessionCookies,
  useAppDatabase,
} from "../support/http-client";
import { makeCompany, openPetition } from "../support/petition-fixtures";
import { startSmtpServer } from "../support/smtp";
import { atScale, ON_WORKERS, STRESS, WORKERS } from "../support/stress";

/**
 * The server is killed with SIGKILL (no shutdown code runs) in the middle of work and restarted on
 * the same database file, as a supervisor would. Confirmed work must survive and the outbox must
 * resume; see docs/reliability.md for what exactly is guaranteed.
 */
const SIGNERS = atScale(150, 500);
const SIGNING_CRASHES = atScale(1, 3);
const EMAILS = atScale(40, 300);
/** Where each crash lands in the sender's work: after the mail server kept the message, or before. */
const MAIL_CRASHES: Array<"kept" | "refused"> = STRESS
  ? ["kept", "refused", "kept", "refused", "kept", "refused"]
  : ["kept", "refused"];

// One server and database for the file: this process's domain modules open one database only.
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let app: AppServer;
let company: ReturnType<typeof makeCompany>;
beforeAll(async () => {
  smtp = await startSmtpServer();
  app = await startAppServer({ SMTP_URL: smtp.url, WEB_CONCURRENCY: WORKERS });
  useAppDatabase(app);
  company = makeCompany(Math.max(SIGNERS + 4, EMAILS));
});
afterAll(async () => {
  await app?.stop();
  await smtp?.close();
});

/** What the restarted server's database must show whatever the crash interrupted. */
function expectConsistent(petition: Petition) {
  const db = getDb();
  expect(db.$client.pragma("integrity_check", { simple: true })).toBe("ok");
  expect(checkCounts()).toMatchObject({ ok: true, mismatches: [] });
  expect(verifyLedger(petition.id)).toMatchObject({ ok: true, problems: [] });
  // A milestone is reached exactly when the replayed count first got there: none half-recorded.
  let running = 0;
  let peak = 0;
  const standing = new Set<string>();
  for (const entry of db
    .select()
    .from(ledgerEntries)
    .where(eq(ledgerEntries.petitionId, petition.id))
    .orderBy(asc(ledgerEntries.seq))
    .all()) {
    if (entry.event === "signed") standing.add(entry.signer);
    else standing.delete(entry.signer);
    running = standing.size;
    peak = Math.max(peak, running);
  }
  for (const m of db.select().from(milestones).where(eq(milestones.petitionId, petition.id)).all())
    expect({ threshold: m.threshold, reached: m.reachedAt !== null }).toEqual({
      threshold: m.threshold,
      reached: peak >= m.threshold,
    });
  const standingRows = db
    .select()
    .from(signatures)
    .where(eq(signatures.petitionId, petition.id))
    .all()
    .filter((s) => s.withdrawnAt === null && s.invalidatedAt === null);
  expect(new Set(standingRows.map((s) => s.personId)).size).toBe(standingRows.length);
  return standingRows;
}

it(`kill -9 while ${SIGNERS} colleagues sign (${SIGNING_CRASHES}×): every confirmed signature survives, the ledger verifies${ON_WORKERS}`, async () => {
  // The default milestone at 100 is crossed during the load (a creator's own must be 100 apart).
  const petition = openPetition(company, "Let staff opt out of logging, through a crash");
  const signers = company.staff.slice(4, SIGNERS + 4);
  const cookies = await sessionCookies(signers.map((s) => s.id));
  const pageUrl = `${app.baseUrl}/petitions/${petition.slug}?index`;
  /** personId → the receipt of a confirmed signature (null: confirmed on a retry by "already signed"). */
  const confirmed = new Map<number, number | null>();
  let unanswered = 0;

  const signAll = async (onConfirmation: (confirmations: number) => void) => {
    let confirmations = 0;
    const results = await Promise.allSettled(
      signers.map(async (signer, i) => {
        if (confirmed.has(signer.id)) return;
        const form = { intent: "sign", visibility: "public", noAnonymousSignature: "on" };
        const response = await httpRequest(pageUrl, { form, cookie: cookies[i], from: loopbackAddress(i) });
        if (response.status === 302) {
          const seq = receiptNumber((await flashOf(response))?.message);
          expect(seq).toBeGreaterThan(0);
          confirmed.set(signer.id, seq);
          onConfirmation(++confirmations);
        } else if (response.status === 409 && response.body.includes("You have already signed")) {
          // An earlier request died with the server after its transaction had committed.
          confirmed.set(signer.id, null);
        } else {
          throw new Error(`signing answered ${response.status}`);
        }
      }),
    );
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    // Only the network may fail (the killed server), never the app.
    for (const failure of failures)
      expect(String(failure.reason)).toMatch(/ECONNRESET|ECONNREFUSED|socket hang up/);
    unanswered += failures.length;
  };

  for (let crash = 0; crash < SIGNING_CRASHES; crash++) {
    // Killed at the first confirmation: mid-load, with a queue of requests accepted by the server but
    // not yet answered (later, two workers under a loaded machine could answer them all before the
    // signal lands, and the test would prove nothing).
    const killAt = 1;
    let killed: Promise<void> | undefined;
    await signAll((confirmations) => {
      if (confirmations === killAt) killed = app.kill();
    });
    await killed;
    await app.restart();
    const standingRows = expectConsistent(petition);
    // Zero lost: every signature the server confirmed is there, with the receipt it gave.
    const byPerson = new Map(standingRows.map((s) => [s.personId, s.ledgerSeq]));
    for (const [personId, seq] of confirmed)
      expect({ personId, seq: seq === null ? byPerson.has(personId) : byPerson.get(personId) }).toEqual({
        personId,
        seq: seq === null ? true : seq,
      });
  }
  expect(unanswered).toBeGreaterThan(0);

  // After the last restart everyone still waiting tries again: each ends with exactly one signature.
  await signAll(() => {});
  const standingRows = expectConsistent(petition);
  expect(standingRows).toHaveLength(SIGNERS);
  expect(confirmed.size).toBe(SIGNERS);
});

it(`kill -9 while the outbox sends ${EMAILS} emails (${MAIL_CRASHES.length}×): none lost, only the one in flight at a kill is sent twice, with the same Message-ID${ON_WORKERS}`, async () => {
  const db = getDb();
  const people = company.staff.slice(0, EMAILS);
  const rows = () => db.select().from(outbox).where(eq(outbox.kind, "sign-in")).all();
  // Earlier emails (milestones) are out of the way first, so every crash below lands on a sign-in email.
  await app.waitUntil(() => db.select().from(outbox).where(eq(outbox.status, "queued")).all().length === 0);
  const messageIdOf = (raw: string) => raw.match(/^Message-ID:\s*(<[^>]+>)/im)?.[1] ?? "";

  // Nothing is answered until every email is queued, so each crash lands on the sender alone.
  let releaseQueue: () => void = () => {};
  const queued = new Promise<void>((resolve) => {
    releaseQueue = resolve;
  });
  const inFlight: Array<{ messageId: string; fate: "kept" | "refused" }> = [];
  let crash: { at: number; fate: "kept" | "refused"; done: () => void } | null = null;
  let seenThisLife = 0;
  smtp.intercept(async ({ raw }) => {
    await queued;
    if (!raw.includes("Subject: Your sign-in link")) return "keep";
    seenThisLife++;
    if (!crash || seenThisLife !== crash.at) return "keep";
    const { fate, done } = crash;
    crash = null;
    // The app dies while waiting for the answer to DATA: it never learns whether the message was kept.
    await app.kill();
    inFlight.push({ messageId: messageIdOf(raw), fate });
    done();
    return fate === "kept" ? "keep" : "refuse";
  });
  const crashAt = (at: number, fate: "kept" | "refused") =>
    new Promise<void>((done) => {
      seenThisLife = 0;
      crash = { at, fate, done };
    });

  const firstCrash = crashAt(Math.ceil(EMAILS / (MAIL_CRASHES.length + 2)), MAIL_CRASHES[0] ?? "kept");
  const answers = await Promise.all(
    people.map((person, i) =>
      httpRequest(`${app.baseUrl}/sign-in`, {
        form: { email: person.email },
        from: loopbackAddress(i),
      }),
    ),
  );
  expect(answers.map((a) => a.status).filter((s) => s !== 200)).toEqual([]);
  releaseQueue();
  await firstCrash;
  for (const fate of MAIL_CRASHES.slice(1)) {
    const next = crashAt(Math.ceil(EMAILS / (MAIL_CRASHES.length + 2)), fate);
    await app.restart();
    await next;
  }
  await app.restart();
  smtp.intercept(null);

  expect(rows()).toHaveLength(EMAILS);
  // The restarted sender delivers everything else; each message in flight at a crash stays claimed
  // ("sending") until its lease runs out: the sender cannot know whether the mail server kept it.
  await app.waitUntil(
    () => rows().filter((r) => r.status === "sent").length === EMAILS - MAIL_CRASHES.length,
  );
  const leased = rows().filter((r) => r.status !== "sent");
  expect(leased.map((r) => r.messageId).sort()).toEqual(inFlight.map((m) => m.messageId).sort());
  for (const row of leased) {
    expect(row).toMatchObject({ status: "sending", attempts: 1 });
    expect(row.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + SENDING_LEASE_MS / 2);
  }

  // The same sender code after the lease, with the clock moved on rather than a 10-minute wait.
  const transport = createSmtpTransport(smtp.url);
  await deliverDueMail(transport, { now: () => Date.now() + SENDING_LEASE_MS + 1_000 });
  transport.close();

  const all = rows();
  expect(all.filter((r) => r.status !== "sent")).toEqual([]);
  for (const row of all) expect(row.attempts).toBe(leased.some((l) => l.id === row.id) ? 2 : 1);
  // Sign-in links are secrets: no copy stays in the outbox once delivered.
  expect(all.filter((r) => r.textBody.includes("token="))).toEqual([]);

  // What the mail server holds: every message at least once; twice only the ones kept at a crash,
  // under the same Message-ID, so deduplicating by Message-ID yields each email exactly once.
  const received = smtp.received.filter((m) => m.parsed.subject === "Your sign-in link for Undersigned");
  const copies = new Map<string, number>();
  for (const mail of received) {
    const id = messageIdOf(mail.raw);
    copies.set(id, (copies.get(id) ?? 0) + 1);
  }
  const kept = inFlight.filter((m) => m.fate === "kept").map((m) => m.messageId);
  for (const row of all)
    expect({ id: row.messageId, copies: copies.get(row.messageId) }).toEqual({
      id: row.messageId,
      copies: kept.includes(row.messageId) ? 2 : 1,
    });
  expect(copies.size).toBe(EMAILS);
  expect(received).toHaveLength(EMAILS + kept.length);
  const recipients = new Set(received.flatMap((m) => m.to));
  expect(recipients.size).toBe(EMAILS);
});
