import { parse } from "csv-parse/sync";
import { and, eq, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postComment } from "../../app/domain/discussion/posting.server";
import { grantRole, rolesOf } from "../../app/domain/identity/permissions.server";
import type { User } from "../../app/domain/identity/sessions.server";
import { findPersonByEmail } from "../../app/domain/people/directory.server";
import { importDirectory } from "../../app/domain/people/directory-import.server";
import {
  petitionDashboard,
  signatureSeries,
  signerBreakdowns,
} from "../../app/domain/petitions/dashboard.server";
import { invalidateSignatures } from "../../app/domain/petitions/invalidation.server";
import { transitionPetition } from "../../app/domain/petitions/lifecycle.server";
import {
  answerInvitation,
  inviteOrganizer,
  removeOrganizer,
} from "../../app/domain/petitions/organizers.server";
import { findPetition, listPetitions } from "../../app/domain/petitions/reads.server";
import { signPetition, withdrawSignature } from "../../app/domain/petitions/signing.server";
import { isOrganizer } from "../../app/domain/petitions/standing.server";
import {
  listPetitionUpdates,
  postPetitionUpdate,
  queuePetitionUpdateEmails,
  updateRecipientCount,
} from "../../app/domain/petitions/updates.server";
import { K } from "../../app/platform/anonymity/small-groups";
import {
  emailPreferences,
  parseUnsubscribeToken,
  setEmailPreference,
  unsubscribeToken,
} from "../../app/platform/mail/email-preferences.server";
import { listOutbox } from "../../app/platform/mail/outbox.server";
import { forgetKeptValues } from "../../app/platform/runtime/kept-values.server";
import { CLI_ACTOR, listAuditEntries } from "../../app/platform/security/audit.server";
import { resetRateLimits } from "../../app/platform/security/rate-limits.server";
import { DEFAULT_SETTINGS, updateSettings } from "../../app/platform/site/settings.server";
import { DAY_MS, HOUR_MS } from "../../app/platform/time";
import * as dashboardRoute from "../../app/routes/petitions.$slug.dashboard";
import * as exportRoute from "../../app/routes/petitions.$slug.export";
import * as invitationRoute from "../../app/routes/petitions.$slug.invitation";
import * as unsubscribeRoute from "../../app/routes/unsubscribe.$token";
import { createSmtpTransport, deliverDueMail } from "../../app/server/mail-sender.server";
import { EMAIL_TOPICS } from "../../app/vocabulary/email-topics";
import { getDb } from "../../db/client";
import { anonymousSignatures, auditLog, comments, outbox, people, signatures } from "../../db/schema";
import { signAs } from "../support/anonymous";
import { callRoute } from "../support/fixtures";
import { coOrganize, openPetition } from "../support/petition-fixtures";
import { startSmtpServer } from "../support/smtp";

let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
beforeAll(async () => {
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await smtp.close();
});

updateSettings(
  DEFAULT_SETTINGS,
  [
    { threshold: 50, responseRequired: false, responseDays: null },
    { threshold: 400, responseRequired: true, responseDays: 14 },
  ],
  CLI_ACTOR,
);

// A company of 320 across departments of very different sizes, so breakdowns have small groups.
/** The topic an unsubscribe header's link turns off (the link is sealed: issue 17). */
const topicOfLink = (header: string | undefined) =>
  parseUnsubscribeToken(header?.split("/unsubscribe/")[1]?.replace(/>$/, "") ?? "")?.topic;

const DEPARTMENTS = [
  "Engineering",
  "Engineering",
  "Engineering",
  "Sales",
  "Sales",
  "Research",
  "Legal",
  "Finance",
];
const LOCATIONS = ["London", "London", "Berlin", "New York", "Lisbon"];
const rows = ["email,name,department,location"];
for (let i = 1; i <= 320; i++) {
  const department = i % 97 === 0 ? "Security" : DEPARTMENTS[i % DEPARTMENTS.length];
  rows.push(`p${i}@corp.example,Person ${i},${department},${LOCATIONS[(i * 7) % LOCATIONS.length]}`);
}
rows.push("mod@corp.example,Morgan Moderator,People,Berlin", "admin@corp.example,Ada Admin,IT,London");
importDirectory(`${rows.join("\n")}\n`, CLI_ACTOR);
const user = (email: string): User => {
  const person = findPersonByEmail(getDb(), email);
  if (!person) throw new Error(`${email} missing`);
  return { ...person, roles: rolesOf(person.id) };
};
const person = (i: number) => user(`p${i}@corp.example`);
grantRole(user("mod@corp.example").id, "moderator", CLI_ACTOR);
grantRole(user("admin@corp.example").id, "admin", CLI_ACTOR);
const moderator = user("mod@corp.example");
const admin = user("admin@corp.example");

// Deterministic "random" signing times over the first ten days, a third anonymous.
let seed = 7;
const next = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};

const creator = person(1);
const sponsors = [person(2), person(3), person(4)];
// Opened eleven days ago, so its ten days of signatures are all in the past when updates are posted.
const petition = openPetition(
  { staff: [creator, ...sponsors], moderator },
  "Let staff opt out of logging for AI training",
  {
    at: Date.now() - 11 * DAY_MS,
  },
);
const opened = petition.openedAt?.getTime() ?? Date.now();
const signers = Array.from({ length: 300 }, (_, i) => person(i + 10));
const signedAt = new Map<number, number>();
{
  // Signing times in order (a petition's signatures arrive in time order), rushed on day one.
  const times = signers
    .map(() => opened + Math.floor(next() < 0.4 ? next() * DAY_MS : next() * 10 * DAY_MS))
    .sort((a, b) => a - b);
  for (const [i, signer] of signers.entries()) {
    const at = times[i] ?? opened;
    resetRateLimits();
    await signAs(
      i % 3 === 0 ? "anonymous" : "public",
      { petitionId: petition.id, user: signer, ip: null },
      at,
    );
    signedAt.set(signer.id, at);
  }
}
const tenDaysIn = opened + 10 * DAY_MS + HOUR_MS;
// Some withdraw, some are invalidated: the chart counts standing signatures only.
const publicSigners = signers.filter((_, i) => i % 3 !== 0);
for (const s of publicSigners.slice(0, 5)) withdrawSignature(petition.id, s, tenDaysIn - HOUR_MS);
invalidateSignatures(
  petition.id,
  {
    emails: publicSigners
      .slice(5, 12)
      .map((s) => s.email)
      .join("\n"),
    reason: "Test accounts",
    expected: 7,
  },
  CLI_ACTOR,
  tenDaysIn - HOUR_MS,
);

/** Standing signatures: public rows by their time, anonymous ones by their batch's. */
const standing = () => [
  ...getDb()
    .select({ createdAt: signatures.createdAt })
    .from(signatures)
    .where(
      and(
        eq(signatures.petitionId, petition.id),
        isNull(signatures.withdrawnAt),
        isNull(signatures.invalidatedAt),
      ),
    )
    .all(),
  ...getDb()
    .select({ createdAt: anonymousSignatures.countedAt })
    .from(anonymousSignatures)
    .where(and(eq(anonymousSignatures.petitionId, petition.id), eq(anonymousSignatures.standing, true)))
    .all(),
];

/** Standing public signatures, with their people. */
const standingPublic = () =>
  getDb()
    .select({ personId: signatures.personId })
    .from(signatures)
    .where(
      and(
        eq(signatures.petitionId, petition.id),
        eq(signatures.visibility, "public"),
        isNull(signatures.withdrawnAt),
        isNull(signatures.invalidatedAt),
      ),
    )
    .all();
const anonymousSigners = signers.filter((_, i) => i % 3 === 0);

/** The petition's public signatures that stood at `at`: signed before it, not withdrawn or invalidated before it. */
const stoodAt = (at: number) =>
  getDb()
    .select({
      createdAt: signatures.createdAt,
      withdrawnAt: signatures.withdrawnAt,
      invalidatedAt: signatures.invalidatedAt,
    })
    .from(signatures)
    .where(and(eq(signatures.petitionId, petition.id), eq(signatures.visibility, "public")))
    .all()
    .filter(
      (r) =>
        r.createdAt.getTime() < at &&
        (r.withdrawnAt === null || r.withdrawnAt.getTime() >= at) &&
        (r.invalidatedAt === null || r.invalidatedAt.getTime() >= at),
    ).length;

describe("the dashboard's numbers", () => {
  it("has a chart whose series equal the signatures table, by day and by hour", () => {
    const rows = standing();
    const current = findPetition(String(petition.id));
    if (!current) throw new Error("petition missing");
    expect(rows.length).toBe(current.signatureCount);
    for (const resolution of ["day", "hour"] as const) {
      const series = signatureSeries(current, resolution, tenDaysIn);
      const size = series.bucketMs;
      const first = series.points[0]?.start ?? 0;
      const end = (series.points.at(-1)?.start ?? 0) + size;
      for (const point of series.points) {
        const expected = rows.filter((r) => {
          const t = r.createdAt.getTime();
          return t >= point.start && t < point.start + size;
        }).length;
        expect(point.count).toBe(expected);
        expect(point.cumulative).toBe(rows.filter((r) => r.createdAt.getTime() < point.start + size).length);
      }
      // Consecutive buckets, starting at the opening hour or day.
      expect(first).toBe(Math.floor(opened / size) * size);
      expect(series.points.map((p) => p.start)).toEqual(series.points.map((_, i) => first + i * size));
      if (resolution === "day") expect(series.points.at(-1)?.cumulative).toBe(rows.length);
      else expect(end - first).toBe(72 * HOUR_MS);
    }
    // Left to choose, a ten-day-old petition is charted by day.
    expect(signatureSeries(current, undefined, tenDaysIn).resolution).toBe("day");
  });

  it("counts today and the last 7 days, and projects the next milestone at the recent rate", async () => {
    const current = findPetition(String(petition.id));
    if (!current) throw new Error("petition missing");
    const rows = standing();
    const dashboard = await petitionDashboard(current, {}, tenDaysIn);
    const dayStart = Math.floor(tenDaysIn / DAY_MS) * DAY_MS;
    expect(dashboard.recent?.today).toBe(rows.filter((r) => r.createdAt.getTime() >= dayStart).length);
    const recent = rows.filter((r) => r.createdAt.getTime() >= tenDaysIn - 7 * DAY_MS).length;
    expect(dashboard.recent?.lastWeek).toBe(recent);
    expect(dashboard.nextThreshold).toBe(400);
    expect(dashboard.projection).toEqual({
      kind: "likely",
      perDay: recent / 7,
      at: tenDaysIn + ((400 - current.signatureCount) / (recent / 7)) * DAY_MS,
    });
    expect(dashboard.milestones.find((m) => m.threshold === 50)?.reachedAt).not.toBeNull();
  });

  it("breaks signers down by department and location without revealing a group under 5", async () => {
    const current = findPetition(String(petition.id));
    if (!current) throw new Error("petition missing");
    const { department, location, asOf } = await signerBreakdowns(current, tenDaysIn);
    expect(asOf).toBe(Math.floor(tenDaysIn / DAY_MS) * DAY_MS);
    const stood = stoodAt(asOf);
    for (const breakdown of [department, location]) {
      expect(breakdown.total).toBe(stood);
      const shown = breakdown.rows.reduce((s, r) => s + (r.shown ? r.total : 0), 0);
      expect(shown + (breakdown.folded ?? 0)).toBe(stood);
    }
    // Security has 3 people in the whole company: never shown as a number, and listed whether or not
    // any of them signed — as is every department of the directory.
    expect(department.rows.find((r) => r.label === "Security")).toEqual({ label: "Security", shown: false });
    const departments = new Set(
      getDb()
        .select({ department: people.department })
        .from(people)
        .all()
        .map((p) => p.department ?? "Not recorded"),
    );
    expect(new Set(department.rows.map((r) => r.label))).toEqual(departments);
    // People who left count too: they may have signed before leaving, and a department listed only
    // once one of them had signed would tell that one had.
    getDb()
      .insert(people)
      .values({
        email: "left@corp.example",
        department: "Disbanded team",
        location: "Closed office",
        active: false,
        createdAt: new Date(),
        updatedAt: new Date(),
      })
      .run();
    const later = await signerBreakdowns(current, tenDaysIn + 2 * DAY_MS);
    expect(later.department.rows).toContainEqual({ label: "Disbanded team", shown: false });
    expect(later.location.rows).toContainEqual({ label: "Closed office", shown: false });
    for (const row of department.rows) if (row.shown) expect(row.total).toBeGreaterThanOrEqual(K);
  });
});

describe("the dashboard page and export", () => {
  it("is for organizers, moderators and admins only", async () => {
    const path = `/petitions/${petition.slug}/dashboard`;
    const params = { slug: petition.slug };
    for (const who of [creator, moderator, admin]) {
      expect((await callRoute(dashboardRoute, "loader", who, path, params)).status).toBe(200);
    }
    // A co-sponsor endorsed it; that is all.
    for (const who of [person(200), sponsors[0] as User]) {
      expect((await callRoute(dashboardRoute, "loader", who, path, params)).status).toBe(403);
    }
    expect((await callRoute(dashboardRoute, "loader", null, path, params)).status).toBe(302);
    expect(
      (await callRoute(exportRoute, "action", person(200), `/petitions/${petition.slug}/export`, params))
        .status,
    ).toBe(403);
  });

  it("never carries a signer's address or an anonymous signer's name", async () => {
    const response = await callRoute(
      dashboardRoute,
      "loader",
      creator,
      `/petitions/${petition.slug}/dashboard`,
      {
        slug: petition.slug,
      },
    );
    const text = await response.text();
    expect(text).not.toMatch(/p\d+@corp\.example/);
    // No signer's name at all (the organizers' own names do appear).
    for (const signer of signers) expect(text).not.toContain(`"${signer.name}"`);
  });

  it("exports public signers only, anonymous ones as a count, and records the export", async () => {
    const response = await callRoute(exportRoute, "action", creator, `/petitions/${petition.slug}/export`, {
      slug: petition.slug,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toContain("text/csv");
    expect(response.headers.get("Content-Disposition")).toMatch(
      /attachment; filename=".+-signers-\d{4}-\d{2}-\d{2}\.csv"/,
    );
    const csv = await response.text();
    const records = parse(csv, { columns: true }) as Record<string, string>[];
    const publicRows = standingPublic();
    const anonymousCount = standing().length - publicRows.length;
    expect(records.filter((r) => r.visibility === "public")).toHaveLength(publicRows.length);
    expect(records.filter((r) => r.visibility === "anonymous")).toEqual([
      {
        name: "",
        department: "",
        signed_on: "",
        visibility: "anonymous",
        count: String(anonymousCount),
      },
    ]);
    const byId = new Map(signers.map((s) => [s.id, s]));
    for (const signer of anonymousSigners) {
      expect(csv).not.toContain(`${signer.name},`);
      expect(csv).not.toContain(signer.email);
    }
    for (const row of publicRows) expect(csv).toContain(`${byId.get(row.personId)?.name},`);
    const audit = listAuditEntries({ action: "petition.signers.export" }).entries;
    expect(audit[0]).toMatchObject({ actorLabel: creator.email, targetId: String(petition.id) });
    // A GET does not export.
    expect(
      (
        await callRoute(exportRoute, "loader", creator, `/petitions/${petition.slug}/export`, {
          slug: petition.slug,
        })
      ).status,
    ).toBe(302);
  });
});

describe("updates to signers", () => {
  it("reach signers through a real SMTP server, with a one-click unsubscribe header", async () => {
    const transport = createSmtpTransport(smtp.url);
    const drain = async () => {
      while ((await deliverDueMail(transport, { limit: 100 })).sent > 0) {
        /* drain */
      }
    };
    await drain();
    const tiny = openPetition(
      { staff: [person(305), person(306), person(307), person(308)], moderator },
      "Keep logging data out of performance reviews",
    );
    coOrganize(tiny, person(305), person(306));
    coOrganize(tiny, person(305), person(307));
    // Two of its organizers sign too, the update's author (306) among them: both get it like any
    // signer, so that making someone a co-organizer, or their posting an update, cannot tell by the
    // dashboard's email count whether they signed.
    const tinySigners = [...signers.slice(20, 30), person(307), person(306)];
    for (const [i, s] of tinySigners.entries()) {
      resetRateLimits();
      await signAs(i % 2 ? "anonymous" : "public", { petitionId: tiny.id, user: s, ip: null });
    }
    postPetitionUpdate(
      tiny.id,
      "Thank you all: **HR has agreed** to a meeting next week. See [the agenda](/policies/agenda), [their note](https://hr.corp.example/note) and [the ask](#the-ask).\n\n<script>alert(1)</script>",
      person(306),
    );
    while (queuePetitionUpdateEmails() > 0) {
      /* batches */
    }
    await drain();
    transport.close();
    const received = smtp.received.filter((m) => m.parsed.subject === `Update on “${tiny.title}”`);
    // Public signers only: the platform cannot, and must not, email an anonymous signer.
    const publicSigners = tinySigners.filter((_, i) => i % 2 === 0);
    expect(received.flatMap((m) => m.to).sort()).toEqual(publicSigners.map((s) => s.email).sort());
    const mail = received[0];
    // The text part quotes the markdown as written (it reads as text); the HTML part renders it,
    // sanitized, with every link absolute so that it works outside the app.
    expect(mail?.parsed.text).toContain("Thank you all: **HR has agreed** to a meeting next week.");
    const html = String(mail?.parsed.html);
    expect(html).toContain("<strong>HR has agreed</strong> to a meeting next week.");
    expect(html).toContain('href="http://undersigned.test:3000/policies/agenda"');
    expect(html).toContain('href="https://hr.corp.example/note"');
    // A fragment is resolved against the update's place on the petition page.
    expect(html).toContain(`href="http://undersigned.test:3000/petitions/${tiny.slug}#the-ask"`);
    expect(html).not.toContain("<script");
    expect(html).toContain("&#x3C;script>alert(1)&#x3C;/script>");
    // Folded header lines unfolded first (RFC 5322).
    expect(mail?.raw.replace(/\r\n[ \t]+/g, " ")).toMatch(
      /^List-Unsubscribe: <http:\/\/undersigned\.test:3000\/unsubscribe\/u2\.[A-Za-z0-9_-]+>/m,
    );
    expect(mail?.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);
  });

  it("previews an update for its organizers only, writing nothing, and says how many colleagues it will email", async () => {
    const path = `/petitions/${petition.slug}/dashboard`;
    const params = { slug: petition.slug };
    const updatesBefore = listPetitionUpdates(petition.id).length;
    const auditBefore = getDb().select().from(auditLog).all().length;
    const preview = await callRoute(dashboardRoute, "action", creator, path, params, {
      intent: "preview-update",
      body: "We passed **200 signatures**: a preview before it goes out.",
    });
    expect(preview.status).toBe(200);
    expect((await preview.json()).preview).toContain("<strong>200 signatures</strong>");
    expect(
      (
        await callRoute(dashboardRoute, "action", person(200), path, params, {
          intent: "preview-update",
          body: "x".repeat(30),
        })
      ).status,
    ).toBe(403);
    expect(listPetitionUpdates(petition.id)).toHaveLength(updatesBefore);
    expect(getDb().select().from(auditLog).all()).toHaveLength(auditBefore);
    // The number the form states: the standing public signers, as the scheduler emails them.
    const publicSigners = getDb()
      .select()
      .from(signatures)
      .where(and(eq(signatures.petitionId, petition.id), eq(signatures.visibility, "public")))
      .all()
      .filter((row) => row.withdrawnAt === null && row.invalidatedAt === null).length;
    expect(updateRecipientCount(petition.id)).toBe(publicSigners);
    expect(publicSigners).toBeGreaterThan(0);
  });

  it("allows one update a day, refuses the second with a 429 that changes nothing", async () => {
    const path = `/petitions/${petition.slug}/dashboard`;
    const params = { slug: petition.slug };
    const first = await callRoute(dashboardRoute, "action", creator, path, params, {
      intent: "post-update",
      body: "We passed **200 signatures**: thank you. Keep sharing the petition with your team.",
    });
    expect(first.status).toBe(302);
    coOrganize(petition, creator, person(290));
    const second = await callRoute(dashboardRoute, "action", person(290), path, params, {
      intent: "post-update",
      body: "A second update on the same day should wait until tomorrow.",
    });
    expect(second.status).toBe(429);
    expect(JSON.stringify(await second.json())).toContain("One update a day");
    expect(listPetitionUpdates(petition.id).filter((u) => u.kind === "update")).toHaveLength(1);
    // Not an organizer: 403; too short: 400.
    expect(
      (
        await callRoute(dashboardRoute, "action", person(200), path, params, {
          intent: "post-update",
          body: "x".repeat(30),
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await callRoute(dashboardRoute, "action", creator, path, params, {
          intent: "post-update",
          body: "short",
        })
      ).status,
    ).toBe(400);
    // A day later, the next one goes through.
    expect(
      postPetitionUpdate(
        petition.id,
        "One day later: leadership has agreed to meet us.",
        creator,
        Date.now() + DAY_MS + 1_000,
      ),
    ).toBeGreaterThan(0);
  });

  it("emails every standing public signer once per update (the platform cannot email anonymous ones), never those who opted out (organizers here did not sign)", () => {
    const optedOut = signers[100] as User;
    setEmailPreference(optedOut.id, "petition-updates", false);
    const before = getDb().select().from(outbox).all().length;
    while (queuePetitionUpdateEmails(Date.now(), 50) > 0) {
      /* batches of 50 */
    }
    const queued = getDb().select().from(outbox).all().slice(before);
    const standingIds = new Set(standingPublic().map((r) => r.personId));
    const expected = signers.filter((s) => standingIds.has(s.id) && s.id !== optedOut.id).map((s) => s.email);
    // Two updates (the first and the next day's), one email each per signer.
    expect(
      queued
        .filter((m) => m.kind === "signer.update")
        .map((m) => m.toAddress)
        .sort(),
    ).toEqual([...expected, ...expected].sort());
    expect(queued.every((m) => m.petitionId === petition.id)).toBe(true);
    expect(queued.some((m) => [creator, ...sponsors].some((o) => o.email === m.toAddress))).toBe(false);
    expect(queued.every((m) => topicOfLink(m.headers?.["List-Unsubscribe"]) === "petition-updates")).toBe(
      true,
    );
    // The admin outbox does not list emails to signers at all: counts by kind and day (ADR 0032).
    expect(listOutbox({ page: 1 }).messages.some((m) => m.kind === "signer.update")).toBe(false);
  });

  it("has unsubscribe links that change exactly one setting, without signing in", async () => {
    const reader = signers[150] as User;
    for (const topic of EMAIL_TOPICS) {
      for (const t of EMAIL_TOPICS) setEmailPreference(reader.id, t, true);
      const token = unsubscribeToken(reader.id, topic);
      const done = await callRoute(unsubscribeRoute, "action", null, `/unsubscribe/${token}`, { token });
      expect(done.status).toBe(200);
      const expected = Object.fromEntries(EMAIL_TOPICS.map((t) => [t, t !== topic]));
      expect(emailPreferences(reader.id)).toEqual(expected);
    }
  });

  it("sends no milestone news to an organizer who turned it off", async () => {
    const small = openPetition(
      { staff: [person(301), person(302), person(303), person(304)], moderator },
      "Publish the logging retention schedule",
    );
    // Its organizers: the creator and two co-organizers (302, 303); 304 only co-sponsors it.
    coOrganize(small, person(301), person(302));
    coOrganize(small, person(301), person(303));
    setEmailPreference(person(303).id, "milestone-news", false);
    const before = getDb().select().from(outbox).all().length;
    for (const s of signers.slice(0, 50)) {
      resetRateLimits();
      await signPetition({ noAnonymousSignature: true, petitionId: small.id, user: s, ip: null });
    }
    const news = getDb()
      .select()
      .from(outbox)
      .all()
      .slice(before)
      .filter((m) => m.kind === "milestone.organizer");
    expect(news.map((m) => m.toAddress).sort()).toEqual(
      [person(301), person(302)].map((p) => p.email).sort(),
    );
    expect(news.every((m) => topicOfLink(m.headers?.["List-Unsubscribe"]) === "milestone-news")).toBe(true);
  });
});

describe("co-sponsors and co-organizers", () => {
  // A petition of its own: updates are one a day.
  const own = openPetition(
    { staff: [person(260), person(261), person(262), person(263)], moderator },
    "Quiet hours for the open floors",
  );
  const [ownCreator, coSponsor] = [person(260), person(261)];
  const path = `/petitions/${own.slug}/dashboard`;
  const params = { slug: own.slug };
  const post = (who: User | null, form: Record<string, string>) =>
    callRoute(dashboardRoute, "action", who, path, params, form);
  const invitationPath = `/petitions/${own.slug}/invitation`;

  it("gives a co-sponsor nothing but their endorsement: every organizer's action is refused them", async () => {
    const colleague = person(264);
    coOrganizeDirectly(colleague);
    // Remove the creator's co-organizer, email every signer, declare victory, invite themselves.
    const attacks: Record<string, string>[] = [
      { intent: "remove-organizer", personId: String(colleague.id) },
      { intent: "post-update", body: "Click https://evil.example to keep your signature counted." },
      { intent: "declare-victory", body: "We won, the petition is closed for good now." },
      { intent: "invite-organizer", email: person(265).email },
    ];
    for (const form of attacks) {
      expect((await post(coSponsor, form)).status, form.intent).toBe(403);
    }
    expect(() =>
      transitionPetition(
        own.id,
        { action: "declare-victory", note: "We won, closed for good now." },
        coSponsor,
      ),
    ).toThrow(/creator/);
    expect(isOrganizer(getDb(), own, coSponsor.id)).toBe(false);
    expect(isOrganizer(getDb(), own, colleague.id)).toBe(true);
    expect(listPetitionUpdates(own.id)).toEqual([]);
    // No Official badge on what a co-sponsor posts.
    resetRateLimits();
    const commentId = await postComment(
      { type: "petition", id: own.id },
      { body: "As a co-sponsor…", anonymous: false },
      coSponsor,
    );
    expect(getDb().select().from(comments).where(eq(comments.id, commentId)).get()?.official).toBe(false);
    // No organizer email: approval went to the creator alone.
    const approval = getDb()
      .select()
      .from(outbox)
      .where(eq(outbox.kind, "petition.open"))
      .all()
      .filter((m) => m.subject.includes(own.title));
    expect(approval.map((m) => m.toAddress)).toEqual([ownCreator.email]);
  });

  it("makes a colleague an organizer only when they accept the creator's invitation (a page whose button posts)", async () => {
    const colleague = person(250);
    for (const [email, status] of [
      ["nobody@corp.example", 400],
      ["not-an-email", 400],
      [ownCreator.email, 409],
    ] as const) {
      expect((await post(ownCreator, { intent: "invite-organizer", email })).status).toBe(status);
    }
    // Only the creator invites: not an admin, not a moderator, not a co-organizer.
    for (const who of [admin, moderator, person(264)]) {
      expect((await post(who, { intent: "invite-organizer", email: colleague.email })).status).toBe(403);
    }
    expect(
      (await post(ownCreator, { intent: "invite-organizer", email: colleague.email.toUpperCase() })).status,
    ).toBe(302);
    // Invited is not an organizer: no dashboard, no updates.
    expect(isOrganizer(getDb(), own, colleague.id)).toBe(false);
    expect((await callRoute(dashboardRoute, "loader", colleague, path, params)).status).toBe(403);
    const invitationMail = getDb()
      .select()
      .from(outbox)
      .where(eq(outbox.kind, "organizer.invited"))
      .all()
      .find((m) => m.toAddress === colleague.email);
    expect(invitationMail?.textBody).toContain(invitationPath);
    // Opening the emailed link (a mail scanner would) accepts nothing.
    const page = await callRoute(invitationRoute, "loader", colleague, invitationPath, params);
    expect(page.status).toBe(200);
    expect(isOrganizer(getDb(), own, colleague.id)).toBe(false);
    // Nobody else can answer it, nor can anyone see it but its invitee.
    expect((await callRoute(invitationRoute, "loader", person(266), invitationPath, params)).status).toBe(
      404,
    );
    expect(
      (await callRoute(invitationRoute, "action", person(266), invitationPath, params, { intent: "accept" }))
        .status,
    ).toBe(404);
    const accepted = await callRoute(invitationRoute, "action", colleague, invitationPath, params, {
      intent: "accept",
    });
    expect(accepted.status).toBe(302);
    expect(isOrganizer(getDb(), own, colleague.id)).toBe(true);
    expect((await callRoute(dashboardRoute, "loader", colleague, path, params)).status).toBe(200);
    // A co-organizer posts updates, but neither declares victory nor changes who organizes.
    expect(
      (await post(colleague, { intent: "post-update", body: "We passed the first milestone, thank you." }))
        .status,
    ).toBe(302);
    expect(
      (await post(colleague, { intent: "declare-victory", body: "Leadership agreed to every part of it." }))
        .status,
    ).toBe(403);
    expect(
      (await post(colleague, { intent: "remove-organizer", personId: String(person(264).id) })).status,
    ).toBe(403);
    // The creator removes them; a co-organizer may also leave.
    expect(
      (await post(ownCreator, { intent: "remove-organizer", personId: String(colleague.id) })).status,
    ).toBe(302);
    expect(isOrganizer(getDb(), own, colleague.id)).toBe(false);
    expect(() => removeOrganizer(own.id, ownCreator.id, ownCreator)).toThrow(/the creator stays/);
    expect((await post(person(264), { intent: "leave" })).status).toBe(302);
    expect(isOrganizer(getDb(), own, person(264).id)).toBe(false);
    // A declined invitation leaves nothing behind.
    inviteOrganizer(own.id, person(267).email, ownCreator);
    expect(
      (await callRoute(invitationRoute, "action", person(267), invitationPath, params, { intent: "decline" }))
        .status,
    ).toBe(302);
    expect(isOrganizer(getDb(), own, person(267).id)).toBe(false);
    expect((await callRoute(invitationRoute, "loader", person(267), invitationPath, params)).status).toBe(
      404,
    );
    const actions = listAuditEntries({}).entries.map((e) => e.action);
    for (const action of [
      "petition.organizer.invite",
      "petition.organizer.accept",
      "petition.organizer.decline",
      "petition.organizer.remove",
      "petition.organizer.leave",
    ])
      expect(actions).toContain(action);
    // Inactive people are not staff any more.
    const { setPersonActive } = await import("../../app/domain/people/directory.server");
    setPersonActive(person(251).id, false, CLI_ACTOR);
    expect(() => inviteOrganizer(own.id, person(251).email, ownCreator)).toThrow(/not a current colleague/);
  });

  /** The creator's invitation, accepted at once (for the tests above that need a co-organizer). */
  function coOrganizeDirectly(colleague: User) {
    if (isOrganizer(getDb(), own, colleague.id)) return;
    inviteOrganizer(own.id, colleague.email, ownCreator);
    answerInvitation(own.id, true, colleague);
  }
});

describe("declaring victory", () => {
  it("closes the petition as won, shows the note, emails signers, and happens once", async () => {
    const path = `/petitions/${petition.slug}/dashboard`;
    const params = { slug: petition.slug };
    expect(
      (
        await callRoute(dashboardRoute, "action", moderator, path, params, {
          intent: "declare-victory",
          body: "Leadership agreed to an opt-out for everyone.",
        })
      ).status,
    ).toBe(403);
    const done = await callRoute(dashboardRoute, "action", creator, path, params, {
      intent: "declare-victory",
      body: "Leadership agreed to an **opt-out for everyone** from next month.",
    });
    expect(done.status).toBe(302);
    const won = findPetition(String(petition.id));
    expect(won?.state).toBe("closed");
    expect(won?.wonAt).not.toBeNull();
    const victory = listPetitionUpdates(petition.id).find((u) => u.kind === "victory");
    expect(victory?.bodyHtml).toContain("<strong>opt-out for everyone</strong>");
    expect(listPetitions({ list: "won", sort: "signatures", page: 1 }).petitions.map((p) => p.id)).toContain(
      petition.id,
    );
    const again = await callRoute(dashboardRoute, "action", creator, path, params, {
      intent: "declare-victory",
      body: "Declaring victory twice should be refused by the state machine.",
    });
    expect(again.status).toBe(409);
    const before = getDb().select().from(outbox).all().length;
    while (queuePetitionUpdateEmails(Date.now(), 100) > 0) {
      /* batches */
    }
    const sent = getDb().select().from(outbox).all().slice(before);
    // Everyone standing, except the one who turned updates off and the one who left the company.
    expect(sent.filter((m) => m.kind === "signer.victory").length).toBe(standingPublic().length - 2);
    expect(listAuditEntries({ action: "petition.declare-victory" }).entries).toHaveLength(1);
  });
});

// Last in the file: it invalidates signatures.
describe("the dashboard's breakdowns over a day", () => {
  it("stay as the signatures stood at midnight all day, removals included, and move the next day", async () => {
    // Earlier tests viewed this day's breakdowns before adding signatures dated before it (which no
    // real signature can be): start from what the day's first view would count.
    forgetKeptValues();
    const current = findPetition(String(petition.id));
    if (!current) throw new Error("petition missing");
    const first = await signerBreakdowns(current, tenDaysIn);
    const endOfDay = first.asOf + DAY_MS - 1;
    // Later the same day: the kept breakdowns, not a recount.
    expect(await signerBreakdowns(current, endOfDay)).toBe(first);

    // Five who signed before the day began and still stand (the first 12 withdrew or were
    // invalidated) are invalidated today (invalidation takes at least five, never one signer).
    const early = publicSigners
      .slice(12)
      .filter((s) => (signedAt.get(s.id) ?? endOfDay) < first.asOf)
      .slice(0, 5);
    expect(early).toHaveLength(5);
    invalidateSignatures(
      petition.id,
      { emails: early.map((s) => s.email).join("\n"), reason: "Duplicate accounts", expected: 5 },
      CLI_ACTOR,
      first.asOf + 1,
    );
    const after = findPetition(String(petition.id));
    if (!after) throw new Error("petition missing");
    // Today's breakdowns do not move: reloading cannot tell which groups lost someone today.
    expect(await signerBreakdowns(after, endOfDay)).toBe(first);
    expect(first.department.total).toBe(stoodAt(first.asOf));

    // The next day counts afresh: the five are gone.
    const nextDay = await signerBreakdowns(after, first.asOf + DAY_MS);
    expect(nextDay.asOf).toBe(first.asOf + DAY_MS);
    expect(nextDay.department.total).toBe(stoodAt(nextDay.asOf));
    expect(nextDay.location.total).toBe(stoodAt(nextDay.asOf));
  });
});
