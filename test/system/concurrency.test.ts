import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { grantRole } from "../../app/domain/identity/permissions.server";
import { checkCounts } from "../../app/domain/petitions/counts.server";
import { entryHash, verifyLedger } from "../../app/domain/petitions/ledger.server";
import { organizerEmails } from "../../app/domain/petitions/organizers.server";
import type { Petition } from "../../app/domain/petitions/rights.server";
import { enqueueMail } from "../../app/platform/mail/outbox.server";
import { CLI_ACTOR } from "../../app/platform/security/audit.server";
import type { MailKind } from "../../app/vocabulary/mail-kinds";
import { getDb } from "../../db/client";
import { comments, ledgerEntries, milestones, outbox, people, signatures } from "../../db/schema";
import { type AppServer, startAppServer } from "../support/app-server";
import { wordsIn } from "../support/catalog-text";
import { dayFromNow } from "../support/dates";
import {
  flashOf,
  type HttpResponse,
  httpRequest,
  loopbackAddress,
  receiptNumber,
  sessionCookies,
  useAppDatabase,
} from "../support/http-client";
import { makeCompany, openPetition } from "../support/petition-fixtures";
import { startSmtpServer } from "../support/smtp";
import { atScale, ON_WORKERS, WORKERS } from "../support/stress";

const { ordinal } = wordsIn("en").format;

/**
 * Many colleagues sign one petition at the same moment through the page's real form action, each
 * sending the form twice at once (a double click); every fifth then withdraws (also twice at once)
 * and every third of those signs again. Nothing may be lost or doubled, and the count, the
 * signatures, the ledger and the milestones must agree. See docs/reliability.md.
 */
const SIGNERS = atScale(120, 500);
/**
 * The creator's own milestones, all below the final count, so the load crosses each of them (with
 * the default one at 100; a creator's must be 100 apart from every other, ADR 0029).
 */
const EXTRA_MILESTONES = atScale([], [250, 400]);

let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let app: AppServer;
let company: ReturnType<typeof makeCompany>;
beforeAll(async () => {
  smtp = await startSmtpServer();
  app = await startAppServer({ SMTP_URL: smtp.url, WEB_CONCURRENCY: WORKERS });
  useAppDatabase(app);
  company = makeCompany(SIGNERS + 4);
});
afterAll(async () => {
  await app?.stop();
  await smtp?.close();
});

type Outcome = {
  personId: number;
  /** Each request's status, in the order the colleague sent them (pairs were sent at once). */
  statuses: number[];
  /** Ledger sequence numbers the success messages gave as receipts. */
  receipts: number[];
  withdrew: boolean;
  standing: boolean;
  reasons: number;
  problems: string[];
};

const withdraws = (i: number) => i % 5 === 4;
const signsAgain = (i: number) => i % 15 === 14;

async function colleague(petition: Petition, i: number, personId: number, cookie: string): Promise<Outcome> {
  const from = loopbackAddress(i);
  const pageUrl = `${app.baseUrl}/petitions/${petition.slug}`;
  // The form's action: Remix posts an index route's forms to `?index`; the page's JavaScript posts
  // the same form as a data request.
  const post = (form: Record<string, string>, javaScript = false) =>
    httpRequest(
      `${pageUrl}?index${javaScript ? `&_data=${encodeURIComponent("routes/petitions.$slug._index")}` : ""}`,
      {
        form,
        cookie,
        from,
      },
    );
  const outcome: Outcome = {
    personId,
    statuses: [],
    receipts: [],
    withdrew: false,
    standing: false,
    reasons: 0,
    problems: [],
  };
  const signForm: Record<string, string> = {
    intent: "sign",
    // Public: anonymous signatures are redeemed through the token protocol (test/browser/anonymity).
    visibility: "public",
    noAnonymousSignature: "on",
    ...(i % 4 === 0 ? { wantsUpdates: "on" } : {}),
    ...(i % 7 === 0 ? { reason: `Colleague ${i}: this matters to my team.` } : {}),
  };

  const expectPair = (pair: HttpResponse[], refusal: string): HttpResponse | undefined => {
    outcome.statuses.push(...pair.map((r) => r.status));
    const ok = pair.filter(
      (r) => [302, 204].includes(r.status) && r.location === `/petitions/${petition.slug}`,
    );
    const refused = pair.filter((r) => r.status === 409 && r.body.includes(refusal));
    if (ok.length !== 1 || refused.length !== 1)
      outcome.problems.push(`pair answered ${pair.map((r) => r.status).join(" and ")}`);
    return ok[0];
  };
  const receiptOf = async (response: HttpResponse) => {
    const flash = await flashOf(response);
    const seq = receiptNumber(flash?.message);
    if (flash?.kind !== "success" || !seq) outcome.problems.push(`no receipt in ${JSON.stringify(flash)}`);
    outcome.receipts.push(seq);
    if (signForm.reason) outcome.reasons++;
    outcome.standing = true;
    return seq;
  };

  // A double click: the same form twice at once, once without JavaScript and once with it.
  const signed = expectPair(
    await Promise.all([post(signForm), post(signForm, true)]),
    "You have already signed this petition.",
  );
  if (!signed) return outcome;
  const seq = await receiptOf(signed);
  // The browser follows the redirect: the page shows the flash with the receipt, and the signature.
  const flashCookie = signed.setCookie.find((c) => c.startsWith("__flash="))?.split(";")[0] ?? "";
  const page = await httpRequest(pageUrl, { cookie: `${cookie}; ${flashCookie}`, from });
  outcome.statuses.push(page.status);
  if (
    !page.body.includes(`yours is the ${ordinal(seq)} entry`) ||
    !page.body.includes("Withdraw my signature")
  )
    outcome.problems.push("the page after signing shows no receipt or no withdraw button");

  if (!withdraws(i)) return outcome;
  const withdrawn = expectPair(
    await Promise.all([post({ intent: "withdraw" }, true), post({ intent: "withdraw" })]),
    "You have not signed this petition.",
  );
  if (!withdrawn) return outcome;
  outcome.withdrew = true;
  outcome.standing = false;

  if (!signsAgain(i)) return outcome;
  const again = await post(signForm, true);
  outcome.statuses.push(again.status);
  if (again.status !== 204) outcome.problems.push(`signing again answered ${again.status}`);
  else await receiptOf(again);
  return outcome;
}

/** The ledger as the public API serves it, checked the way docs/ledger.md tells anyone to. */
async function replayPublicLedger(petition: Petition) {
  type Entry = {
    format: 1 | 2;
    seq: number;
    event: string;
    at: string;
    signer: string;
    prevHash: string;
    hash: string;
  };
  const entries: Entry[] = [];
  let head: string | null = null;
  for (let after: number | null = 0; after !== null; ) {
    const response = await fetch(`${app.baseUrl}/api/petitions/${petition.slug}/ledger?after=${after}`);
    const page = (await response.json()) as {
      head: string | null;
      entries: Entry[];
      nextAfter: number | null;
    };
    entries.push(...page.entries);
    head = page.head;
    after = page.nextAfter;
  }
  const problems: string[] = [];
  const standing = new Set<string>();
  let prev = "0".repeat(64);
  entries.forEach((entry, index) => {
    if (entry.seq !== index + 1) problems.push(`seq ${entry.seq} at position ${index + 1}`);
    if (entry.prevHash !== prev) problems.push(`entry ${entry.seq} does not point at its predecessor`);
    const recomputed = entryHash({
      format: entry.format,
      petitionId: petition.id,
      seq: entry.seq,
      event: entry.event as "signed",
      at: new Date(entry.at),
      signer: entry.signer,
      prevHash: entry.prevHash,
    });
    if (recomputed !== entry.hash) problems.push(`entry ${entry.seq}'s hash does not match`);
    prev = entry.hash;
    if (entry.event === "signed") standing.add(entry.signer);
    // The petition key's creation and retirement carry no signature.
    else if (entry.event === "key-created" || entry.event === "key-retired") return;
    else if (!standing.delete(entry.signer)) problems.push(`entry ${entry.seq} removes no signature`);
  });
  if (head !== (entries.length ? prev : null)) problems.push("the published head is not the last hash");
  return { entries, count: standing.size, problems };
}

it(`${SIGNERS} colleagues sign at once, each twice, some withdraw and sign again: nothing lost or doubled${ON_WORKERS}`, async () => {
  // staff1–4 organize (creator and co-sponsors); everyone after them signs.
  const petition = openPetition(company, "Let staff opt out of logging, signed by everyone at once", {
    milestones: EXTRA_MILESTONES,
  });
  const signers = company.staff.slice(4);
  const cookies = await sessionCookies(signers.map((s) => s.id));

  // An operator runs `check-counts` against the live server meanwhile: it must never cry wolf.
  const liveMismatches: string[] = [];
  let liveChecks = 0;
  const checker = setInterval(() => {
    liveChecks++;
    for (const m of checkCounts().mismatches)
      liveMismatches.push(`stored ${m.stored}, signatures ${m.signatures}`);
  }, 50);
  const outcomes = await Promise.all(
    signers.map((signer, i) => colleague(petition, i, signer.id, cookies[i] ?? "")),
  ).finally(() => clearInterval(checker));
  expect(liveChecks).toBeGreaterThan(0);
  expect(liveMismatches).toEqual([]);

  // Every answer was the expected one: one success and one "already" per pair, no 5xx, no 429.
  expect(outcomes.flatMap((o) => o.problems.map((p) => `person ${o.personId}: ${p}`))).toEqual([]);
  expect(outcomes.flatMap((o) => o.statuses).filter((s) => s >= 429)).toEqual([]);
  expect(outcomes.filter((o) => o.withdrew)).toHaveLength(signers.filter((_, i) => withdraws(i)).length);
  expect(app.output()).not.toMatch(/error|SQLITE_/i);

  const db = getDb();
  const rows = db.select().from(signatures).where(eq(signatures.petitionId, petition.id)).all();
  const standingRows = rows.filter((r) => r.withdrawnAt === null && r.invalidatedAt === null);
  // Zero lost: everyone whose last word was a success stands exactly once, with that receipt.
  for (const outcome of outcomes) {
    const own = standingRows.filter((r) => r.personId === outcome.personId);
    expect(own.map((r) => r.ledgerSeq)).toEqual(outcome.standing ? [outcome.receipts.at(-1)] : []);
  }
  // Zero duplicates or phantoms: one row per successful sign, no more.
  expect(rows).toHaveLength(outcomes.reduce((n, o) => n + o.receipts.length, 0));
  expect(new Set(standingRows.map((r) => r.personId)).size).toBe(standingRows.length);
  const expectedCount = outcomes.filter((o) => o.standing).length;
  expect(standingRows).toHaveLength(expectedCount);
  // A signing reason becomes one comment, never two.
  const reasonComments = db.select().from(comments).where(eq(comments.fromSignature, true)).all();
  expect(reasonComments).toHaveLength(outcomes.reduce((n, o) => n + o.reasons, 0));

  // Stored count == standing rows == the ledger, by the domain check, the CLI and the public API.
  const ledger = verifyLedger(petition.id);
  expect(ledger).toMatchObject({ ok: true, count: expectedCount, problems: [] });
  const withdrawals = outcomes.filter((o) => o.withdrew).length;
  // One entry per signature and withdrawal, and the petition key's creation.
  expect(ledger.length).toBe(rows.length + withdrawals + 1);
  expect(await app.cli("check-counts")).toMatch(/ 0 mismatches/); // the CLI exits 1 on a mismatch
  const published = await replayPublicLedger(petition);
  expect(published.problems).toEqual([]);
  expect(published.count).toBe(expectedCount);
  const counted = (await (await fetch(`${app.baseUrl}/api/petitions/${petition.slug}/count`)).json()) as {
    signatureCount: number;
  };
  expect(counted.signatureCount).toBe(expectedCount);
  for (const outcome of outcomes)
    for (const seq of outcome.receipts) expect(published.entries[seq - 1]?.event).toBe("signed");

  // Milestones: each recorded once, at the exact entry whose count first reached it, with one email
  // to each organizer and one to each standing subscriber of that moment.
  const milestoneRows = db
    .select()
    .from(milestones)
    .where(eq(milestones.petitionId, petition.id))
    .orderBy(asc(milestones.threshold))
    .all();
  const entries = db
    .select()
    .from(ledgerEntries)
    .where(eq(ledgerEntries.petitionId, petition.id))
    .orderBy(asc(ledgerEntries.seq))
    .all();
  const bySigner = new Map(rows.map((r) => [r.ledgerSigner, r]));
  const emailOf = new Map(
    db
      .select({ id: people.id, email: people.email })
      .from(people)
      .all()
      .map((p) => [p.id, p.email]),
  );
  const standing = new Set<string>();
  const crossings = new Map<number, { at: Date; subscribers: string[] }>();
  for (const entry of entries) {
    if (entry.event === "signed") standing.add(entry.signer);
    else standing.delete(entry.signer);
    for (const m of milestoneRows) {
      if (crossings.has(m.threshold) || standing.size < m.threshold) continue;
      const subscribers = [...standing]
        .map((signer) => bySigner.get(signer))
        .filter((s) => s?.wantsUpdates)
        .map((s) => emailOf.get(s?.personId ?? 0) ?? "");
      // The ledger keeps the hour (format 2); the signature row that reached it, its exact time.
      crossings.set(m.threshold, { at: bySigner.get(entry.signer)?.createdAt ?? entry.at, subscribers });
    }
  }
  for (const threshold of [...EXTRA_MILESTONES, 100]) expect(crossings.has(threshold)).toBe(true);
  const organizers = organizerEmails(db, petition.id).sort();
  const sentFor = (threshold: number, kind: MailKind) =>
    db
      .select({ to: outbox.toAddress })
      .from(outbox)
      .where(
        and(
          eq(outbox.kind, kind),
          eq(outbox.subject, `${threshold.toLocaleString("en")} signatures: “${petition.title}”`),
        ),
      )
      .all()
      .map((r) => r.to)
      .sort();
  for (const m of milestoneRows) {
    const crossing = crossings.get(m.threshold);
    expect(m.reachedAt?.getTime() ?? null).toBe(crossing?.at.getTime() ?? null);
    expect(sentFor(m.threshold, "milestone.organizer")).toEqual(crossing ? organizers : []);
    // Organizers who signed are signers like any other (leaving them out would tell who signed).
    expect(sentFor(m.threshold, "signer.milestone")).toEqual([...(crossing?.subscribers ?? [])].sort());
  }
});

/**
 * Writes from this process as a CLI command would (`import-staff`, `grant-role`): takes the write
 * lock, writes, and commits once the server has started `request`'s transaction. The server must
 * wait its turn (the busy timeout), never fail with SQLITE_BUSY.
 */
async function whileAnotherProcessWrites<T>(request: () => Promise<T>, holdMs = 500): Promise<T> {
  const client = getDb().$client;
  client.exec("begin immediate");
  try {
    client.prepare("update people set updated_at = ? where id = ?").run(Date.now(), company.leader.id);
    const pending = request();
    await new Promise((resolve) => setTimeout(resolve, holdMs));
    client.exec("commit");
    return await pending;
  } finally {
    if (client.inTransaction) client.exec("rollback");
  }
}

it(`another process writing meanwhile (the CLI) makes the server wait, never fail with SQLITE_BUSY${ON_WORKERS}`, async () => {
  const [moderator, signer, newcomer] = [company.moderator, company.staff[4], company.staff[5]];
  if (!signer || !newcomer) throw new Error("no staff");
  grantRole(moderator.id, "admin", CLI_ACTOR);
  const [cookie = ""] = await sessionCookies([moderator.id]);
  const petition = openPetition(company, "Let staff opt out of logging, beside a CLI");
  // The milestone emails of the load above go first (minutes of them in the long form).
  await app.waitUntil(
    () => getDb().select().from(outbox).where(eq(outbox.status, "queued")).all().length === 0,
  );

  // A sign-in link requested while an import runs.
  const signIn = await whileAnotherProcessWrites(() =>
    httpRequest(`${app.baseUrl}/sign-in`, { form: { email: newcomer.email } }),
  );
  expect(signIn.status).toBe(200);
  // An admin granting a role.
  const grant = await whileAnotherProcessWrites(() =>
    httpRequest(`${app.baseUrl}/admin/people/${signer.id}`, {
      form: { intent: "grant", role: "organizer" },
      cookie,
    }),
  );
  expect(grant.status).toBe(302);
  // A moderator previewing an invalidation (audited, so it writes).
  const preview = await whileAnotherProcessWrites(() =>
    httpRequest(`${app.baseUrl}/petitions/${petition.slug}/invalidate`, {
      form: { intent: "preview", from: dayFromNow(-3650) },
      cookie,
    }),
  );
  expect(preview.status).toBe(200);
  // The mail sender claiming a message that falls due while the lock is held (it polls every 2 s).
  enqueueMail(
    getDb(),
    { kind: "comment.reply", to: newcomer.email, subject: "Due during a lock", text: "t", html: "h" },
    Date.now() + 1_000,
  );
  await whileAnotherProcessWrites(async () => {}, 3_500);
  await smtp.waitFor((m) => m.parsed.subject === "Due during a lock");
  expect(app.output()).not.toMatch(/SQLITE_BUSY|database is locked|mail sender/);
});
