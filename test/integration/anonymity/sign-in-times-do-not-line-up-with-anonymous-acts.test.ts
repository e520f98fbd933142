import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postComment } from "../../../app/domain/discussion/posting.server";
import { grantRole } from "../../../app/domain/identity/permissions.server";
import { sessionUser } from "../../../app/domain/identity/sessions.server";
import { completeSignIn, requestSignIn } from "../../../app/domain/identity/sign-in.server";
import { CLI_ACTOR } from "../../../app/platform/security/audit.server";
import { resetRateLimits } from "../../../app/platform/security/rate-limits.server";
import { DAY_MS, HOUR_MS } from "../../../app/platform/time";
import * as peopleRoute from "../../../app/routes/admin.people._index";
import * as personRoute from "../../../app/routes/admin.people.$personId";
import { runScheduledJobs } from "../../../app/server/boot.server";
import { createSmtpTransport, deliverDueMail } from "../../../app/server/mail-sender.server";
import { getDb } from "../../../db/client";
import { callRoute } from "../../support/fixtures";
import { makeCompany, openPetition } from "../../support/petition-fixtures";
import { extractLink, startSmtpServer } from "../../support/smtp";

/**
 * Sign-in times do not line up with anonymous acts, ledger aside (ADR 0032; the ledger's own times are
 * test/integration/ledger-format.test.ts). A first sign-in could fall 2.0 s before an anonymous act. The admin people pages gave it to the millisecond; sign_in_tokens kept the address, the use
 * time and the petition the person came for; sessions kept exact creation and renewal times; the
 * outbox its exact queue and delivery times. This performs the join and shows nothing lines up.
 */

const company = makeCompany(12);
const staff = company.member;
const admin = staff(11);
grantRole(admin.id, "admin", CLI_ACTOR);

let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
beforeAll(async () => {
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await smtp.close();
});

type Row = Record<string, unknown>;
const CENTURY_MS = 100 * 365 * DAY_MS;
const isTime = (value: unknown): value is number =>
  typeof value === "number" && Math.abs(value - Date.now()) < CENTURY_MS;

describe("a first sign-in two seconds before an anonymous act", () => {
  it("no longer lines up with it in the admin pages or in the tables", async () => {
    const petition = openPetition(company, "Let staff see what the keystroke logger keeps");
    const person = staff(5);
    const cameFor = `/petitions/${petition.slug}`;
    // Ten minutes ago, so the scheduler's and the directory's own times (now) are far from the act.
    const askedAt = Date.now() - 10 * 60_000;
    await requestSignIn({ email: person.email, redirectTo: cameFor, ip: null }, askedAt);
    // A colleague's link, never used: expired when the scheduler next runs.
    await requestSignIn({ email: staff(6).email, redirectTo: cameFor, ip: null }, Date.now() - 20 * 60_000);
    const transport = createSmtpTransport(smtp.url);
    await deliverDueMail(transport, { now: () => askedAt + 500 });
    transport.close();
    const mail = await smtp.waitFor((m) => m.to.includes(person.email));
    const token = new URL(extractLink(mail.parsed.text ?? "", "/sign-in/verify")).searchParams.get("token");
    const signedInAt = askedAt + 1_000;
    const signedIn = completeSignIn(token ?? "", signedInAt);
    expect(signedIn).toMatchObject({ ok: true, redirectTo: cameFor });
    if (!signedIn.ok) throw new Error("not signed in");
    expect(sessionUser(signedIn.sessionToken)?.user.id).toBe(person.id);
    // The anonymous act, 2 s after the first sign-in.
    resetRateLimits();
    const actAt = signedInAt + 2_000;
    await postComment(
      { type: "petition", id: petition.id },
      { body: "The logger keeps everything for a year.", anonymous: true },
      person,
      actAt,
    );
    // The minute scheduler, as it runs.
    await runScheduledJobs();

    /** Any time within a minute of the act that is not an hour's (or a day's) start. */
    const nearTheAct = (value: number) => value % HOUR_MS !== 0 && Math.abs(value - actAt) < 60_000;

    // The admin pages, loader data included: the day, nothing finer.
    const pages = [
      await callRoute(personRoute, "loader", admin, `/admin/people/${person.id}`, {
        personId: String(person.id),
      }),
      await callRoute(
        peopleRoute,
        "loader",
        admin,
        `/admin/people?q=${encodeURIComponent(person.email)}`,
        {},
      ),
    ];
    for (const page of pages) {
      expect(page.status).toBe(200);
      const text = await page.text();
      expect(text).toContain(person.email);
      const times = [...text.matchAll(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/g)].map((m) =>
        Date.parse(m[0]),
      );
      expect(times.length).toBeGreaterThan(0);
      for (const time of times) expect(time % DAY_MS, new Date(time).toISOString()).toBe(0);
    }

    // The tables: no link is left (neither the used one nor the expired one, nor the page either was
    // for), and what is kept of the person is by the hour or the day.
    const db = getDb().$client;
    expect(db.prepare("select * from sign_in_tokens").all()).toEqual([]);
    const rows: Array<[string, Row]> = [
      ...db
        .prepare<[number], Row>("select * from people where id = ?")
        .all(person.id)
        .map((r): [string, Row] => ["people", r]),
      ...db
        .prepare<[number], Row>("select * from sessions where person_id = ?")
        .all(person.id)
        .map((r): [string, Row] => ["sessions", r]),
      ...db
        .prepare<[string], Row>("select * from outbox where to_address = ?")
        .all(person.email)
        .map((r): [string, Row] => ["outbox", r]),
    ];
    expect(rows.map(([table]) => table)).toEqual(expect.arrayContaining(["people", "sessions", "outbox"]));
    for (const [table, row] of rows) {
      for (const [column, value] of Object.entries(row)) {
        if (isTime(value)) expect(nearTheAct(value), `${table}.${column} ${value}`).toBe(false);
        if (typeof value === "string") expect(value, `${table}.${column}`).not.toContain(cameFor);
      }
    }
    const first = db
      .prepare<[number], { first_signed_in_at: number }>("select first_signed_in_at from people where id = ?")
      .get(person.id);
    expect((first?.first_signed_in_at ?? 1) % DAY_MS).toBe(0);
  });
});
