import { createHash, createHmac } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { parse as parseCsv } from "csv-parse/sync";
import { and, eq, isNull } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { newWalletSecret } from "../../../app/browser/derived-tokens";
import { act, fetchToken, type HeldToken, redeem } from "../../../app/demo/anonymous-signer.server";
import { grantRole, rolesOf } from "../../../app/domain/identity/permissions.server";
import type { User } from "../../../app/domain/identity/sessions.server";
import { findPersonByEmail } from "../../../app/domain/people/directory.server";
import { importDirectory } from "../../../app/domain/people/directory-import.server";
import { commitAnonymousBatches } from "../../../app/domain/petitions/anonymous-signing.server";
import { findPublicPetition, toApiPetition } from "../../../app/domain/petitions/api.server";
import { listPublicSigners, SIGNERS_PAGE_SIZE } from "../../../app/domain/petitions/counts.server";
import {
  exportSigners,
  signatureSeries,
  signerBreakdowns,
} from "../../../app/domain/petitions/dashboard.server";
import {
  InvalidationError,
  invalidateSignatures,
  previewInvalidation,
} from "../../../app/domain/petitions/invalidation.server";
import {
  newSignerPseudonym,
  nextLedgerEntry,
  writeLedgerEntry,
} from "../../../app/domain/petitions/ledger.server";
import { transitionPetition } from "../../../app/domain/petitions/lifecycle.server";
import { findPetition } from "../../../app/domain/petitions/reads.server";
import { hashIp, signPetition, withdrawSignature } from "../../../app/domain/petitions/signing.server";
import { type Group, suppressSmallGroups } from "../../../app/platform/anonymity/small-groups";
import { Refusal } from "../../../app/platform/refusal";
import { actorOf, CLI_ACTOR } from "../../../app/platform/security/audit.server";
import { resetRateLimits } from "../../../app/platform/security/rate-limits.server";
import { DAY_MS, HOUR_MS, MINUTE_MS } from "../../../app/platform/time";
import { getDb } from "../../../db/client";
import { anonymousSignatures, auditLog, petitions, signatures } from "../../../db/schema";
import { giveTokenHolders } from "../../support/anonymous";
import { openPetition } from "../../support/petition-fixtures";

/**
 * Attacks on anonymous signers by those who see more than the public — a moderator's invalidation
 * preview, an organizer's breakdowns, lists and export, and a copy of the data folder — each
 * performed and shown to learn nothing about who signed anonymously.
 */

const DEPARTMENTS = ["Engineering", "Legal", "Sales", "Finance", "People"];
const LOCATIONS = ["London", "Berlin", "Paris"];
const STAFF = 400;
{
  const rows = ["email,name,department,location"];
  for (let i = 1; i <= STAFF; i++)
    rows.push(
      `p${i}@corp.example,Person ${i},${DEPARTMENTS[i % DEPARTMENTS.length]},${LOCATIONS[i % LOCATIONS.length]}`,
    );
  rows.push("mod@corp.example,Morgan Moderator,People,Berlin");
  importDirectory(`${rows.join("\n")}\n`, CLI_ACTOR);
}
const user = (email: string): User => {
  const person = findPersonByEmail(getDb(), email);
  if (!person) throw new Error(`${email} missing`);
  return { ...person, roles: rolesOf(person.id) };
};
const person = (i: number) => user(`p${i}@corp.example`);
grantRole(user("mod@corp.example").id, "moderator", CLI_ACTOR);
const moderator = user("mod@corp.example");

/** People are handed out once: each test signs (and opens its petition) with its own. */
let nextPerson = 1;
const take = (n: number) => Array.from({ length: n }, () => person(nextPerson++));

const signPublicly = (petitionId: number, signer: User, ip: string | null = null, at?: number) => {
  resetRateLimits();
  return signPetition({ noAnonymousSignature: true, petitionId, user: signer, ip }, at);
};

/** Signs through the blind-token protocol and counts it at once (its batch written). */
async function signWithToken(petitionId: number, signer: User, at = Date.now()): Promise<HeldToken> {
  const token = await fetchToken({ id: petitionId }, signer, at);
  await giveTokenHolders({ id: petitionId }, at);
  await redeem(token, { at });
  await commitAnonymousBatches(at, petitionId);
  return token;
}

/**
 * An anonymous signature the way it was made before blind tokens: a row of `signatures` with the
 * person and (then) an address hash, as petitions opened before the upgrade still hold until they close.
 */
function signTheLegacyWay(petitionId: number, signer: User, ip: string, at = Date.now()): void {
  getDb()
    .$client.transaction(() => {
      const p = getDb().select().from(petitions).where(eq(petitions.id, petitionId)).get();
      if (!p) throw new Error("no petition");
      const ledger = {
        id: p.id,
        ledgerLength: p.ledgerLength,
        ledgerHead: p.ledgerHead,
        signatureCount: p.signatureCount,
      };
      const signer_ = newSignerPseudonym();
      const entry = nextLedgerEntry(ledger, "signed", signer_, new Date(at));
      getDb()
        .insert(signatures)
        .values({
          petitionId,
          personId: signer.id,
          visibility: "anonymous",
          ipHash: hashIp(ip),
          ledgerSigner: signer_,
          ledgerSeq: entry.seq,
          ledgerHash: entry.hash,
          createdAt: new Date(at),
        })
        .run();
      writeLedgerEntry(entry, +1, ledger);
    })
    .immediate();
}

const auditOf = (action: string) =>
  getDb()
    .select()
    .from(auditLog)
    .where(eq(auditLog.action, action))
    .all()
    .map((row) => row.details as Record<string, unknown>);

describe("the invalidation preview is no membership oracle", () => {
  it("answers the same for a padded list whether the target signed anonymously (either way) or not at all, and logs no list", async () => {
    const petition = openPetition({ staff: take(4), moderator }, "Pad the list with a suspect", {
      at: Date.now() - DAY_MS,
    });
    const known = take(5);
    const ip = "10.1.2.3";
    for (const signer of known) await signPublicly(petition.id, signer, ip);
    const [byToken, byLegacyRow, nonSigner] = take(3);
    if (!byToken || !byLegacyRow || !nonSigner) throw new Error("too few people");
    await signWithToken(petition.id, byToken);
    // The legacy anonymous row even shares the known signers' address.
    signTheLegacyWay(petition.id, byLegacyRow, ip);
    expect(findPetition(petition.slug)?.signatureCount).toBe(7);

    const list = (target: User) => [...known, target].map((p) => p.email).join("\n");
    const answers = [byToken, byLegacyRow, nonSigner].map((target) =>
      previewInvalidation(petition.id, { emails: list(target) }, actorOf(moderator)),
    );
    expect(answers).toEqual([5, 5, 5]);
    // Nor do the other criteria reach an anonymous signature: the address, the whole time window.
    expect(previewInvalidation(petition.id, { ip }, actorOf(moderator))).toBe(5);
    expect(previewInvalidation(petition.id, { from: new Date(0) }, actorOf(moderator))).toBe(5);

    // The audit log knows a preview of six people happened, not who they were.
    const previews = auditOf("signatures.invalidate.preview");
    expect(previews.slice(-5)).toEqual([
      expect.objectContaining({ matched: 5, people: 6 }),
      expect.objectContaining({ matched: 5, people: 6 }),
      expect.objectContaining({ matched: 5, people: 6 }),
      expect.objectContaining({ matched: 5, ip: "given" }),
      expect.objectContaining({ matched: 5 }),
    ]);

    // Invalidating with the legacy signer on the list invalidates the five public ones only.
    expect(
      invalidateSignatures(
        petition.id,
        { emails: list(byLegacyRow), reason: "Scripted accounts", expected: 5 },
        actorOf(moderator),
      ),
    ).toBe(5);
    const legacy = getDb()
      .select()
      .from(signatures)
      .where(and(eq(signatures.petitionId, petition.id), eq(signatures.visibility, "anonymous")))
      .get();
    expect(legacy).toMatchObject({ invalidatedAt: null, withdrawnAt: null });
    expect(findPetition(petition.slug)?.signatureCount).toBe(2);
    expect(auditOf("signatures.invalidate").at(-1)).toMatchObject({
      count: 5,
      criteria: { people: 6 },
    });
    const everything = JSON.stringify(
      getDb()
        .select()
        .from(auditLog)
        .where(eq(auditLog.targetId, String(petition.id)))
        .all(),
    );
    for (const p of [...known, byToken, byLegacyRow, nonSigner]) expect(everything).not.toContain(p.email);
    // Below five public matches the answer stays "few", whoever else is listed.
    const two = [...take(4), byLegacyRow].map((p) => p.email).join("\n");
    expect(previewInvalidation(petition.id, { emails: two }, actorOf(moderator))).toBe("few");
    expect(() =>
      invalidateSignatures(petition.id, { emails: two, reason: "x", expected: "few" }, actorOf(moderator)),
    ).toThrowError(InvalidationError);
  });
});

describe("directory edits do not move breakdowns", () => {
  it("keeps the next day's breakdowns when a one-line import moves an anonymous and a public signer", async () => {
    // 09:00 UTC three days ago: an anonymous signature counts from its batch's day, so an opening late
    // in the evening would put the signature two hours later on the next day and move the counts.
    const opened = Math.floor(Date.now() / DAY_MS) * DAY_MS - 3 * DAY_MS + 9 * HOUR_MS;
    const petition = openPetition({ staff: take(4), moderator }, "Move a signer and watch the breakdowns", {
      at: opened,
    });
    // Enough public signers in Engineering and Legal for both to be shown exactly.
    const publicSigners = take(60);
    for (const signer of publicSigners) await signPublicly(petition.id, signer, null, opened + HOUR_MS);
    const engineer = (people: User[]) => people.find((p) => p.department === "Engineering");
    const anonymousSigner = engineer(take(5));
    const movedPublic = engineer(publicSigners);
    const bystander = engineer(take(5));
    if (!anonymousSigner || !movedPublic || !bystander) throw new Error("no engineer");
    await signWithToken(petition.id, anonymousSigner, opened + 2 * HOUR_MS);

    const dayOne = opened + DAY_MS;
    const before = await signerBreakdowns(petition, dayOne);
    const beforeList = listPublicSigners(petition.id, 1);
    for (const moved of [anonymousSigner, movedPublic, bystander]) {
      importDirectory(
        `email,name,department,location\n${moved.email},${moved.name},Legal,${moved.location}\n`,
        CLI_ACTOR,
      );
      expect(user(moved.email).department).toBe("Legal");
    }
    const after = await signerBreakdowns(petition, dayOne + DAY_MS);
    // The signers' counts do not move; the headcounts they are shares of are the directory's, and do.
    const counts = ({ asOf: _, headcounts: __, ...rest }: typeof after) => rest;
    expect(counts(after)).toEqual(counts(before));
    expect(after.headcounts.department.shown.Legal).toBe((before.headcounts.department.shown.Legal ?? 0) + 3);
    const engineering = after.department.rows.find((r) => r.label === "Engineering");
    expect(engineering).toMatchObject({ shown: true });
    // The public list keeps the department the signer signed with, like the breakdowns.
    expect(listPublicSigners(petition.id, 1)).toEqual(beforeList);
    // The audit log says who moved where.
    expect(auditOf("directory.import").slice(-3)).toEqual(
      [anonymousSigner, movedPublic, bystander].map((moved) => ({
        added: 0,
        updated: 1,
        deactivated: 0,
        unchanged: 0,
        rejected: 0,
        deactivateMissing: false,
        moved: 1,
        moves: [{ email: moved.email, department: { from: "Engineering", to: "Legal" } }],
      })),
    );
    // A public signature records its department and location when it is made; an anonymous one none.
    const rows = getDb().select().from(signatures).where(eq(signatures.petitionId, petition.id)).all();
    expect(rows.find((r) => r.personId === movedPublic.id)).toMatchObject({
      department: "Engineering",
      location: movedPublic.location,
    });
    await signPublicly(petition.id, user(bystander.email), null, dayOne + DAY_MS + HOUR_MS);
    expect(
      getDb()
        .select()
        .from(signatures)
        .where(and(eq(signatures.petitionId, petition.id), eq(signatures.personId, bystander.id)))
        .get(),
    ).toMatchObject({ department: "Legal" });
  });
});

/** Deterministic "random" numbers. */
function random(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

const BATCH_PERIOD_MS = 15 * MINUTE_MS;

describe("the daily replay learns nothing about anonymous signers' departments", () => {
  it("gives breakdowns whose day-to-day differences are exactly the public signers', and a series in whole batches", async () => {
    const next = random(11);
    const dayStart = (t: number) => Math.floor(t / DAY_MS) * DAY_MS;
    const DAYS = 7;
    const opened = dayStart(Date.now()) - (DAYS + 1) * DAY_MS + 7 * HOUR_MS;
    const petition = openPetition({ staff: take(4), moderator }, "The daily replay", { at: opened });
    const viewer = moderator;

    type Event = { at: number; run: () => Promise<unknown> };
    const tokens: HeldToken[] = [];
    const publicNow: User[] = [];
    const views: Array<{
      asOf: number;
      breakdowns: Awaited<ReturnType<typeof signerBreakdowns>>;
      csv: Array<Record<string, string>>;
      list: Array<{ name: string | null; department: string | null; signedOn: string }>;
    }> = [];
    for (let day = 0; day <= DAYS; day++) {
      const start = dayStart(opened) + day * DAY_MS;
      // The views an organizer can take, at the day's start: everything before it has happened.
      if (day > 0) {
        const asOf = start;
        const breakdowns = await signerBreakdowns(petition, asOf);
        const csv = parseCsv(exportSigners(petition, viewer, asOf), { columns: true }) as Array<
          Record<string, string>
        >;
        const list: (typeof views)[number]["list"] = [];
        for (let page = 1; ; page++) {
          const result = listPublicSigners(petition.id, page);
          list.push(...result.signers);
          if (page >= result.pageCount) break;
        }
        views.push({ asOf, breakdowns, csv, list });
      }
      // The minute scheduler's first run of the day, just after those views: the day before's
      // leftovers, dated by it.
      await commitAnonymousBatches(start);
      if (day === DAYS) break;
      const events: Event[] = [];
      const at = () => start + 8 * HOUR_MS + Math.floor(next() * 10 * HOUR_MS);
      for (const signer of take(6 + Math.floor(next() * 6))) {
        const when = at();
        events.push({
          at: when,
          run: async () => {
            await signPublicly(petition.id, signer, null, when);
            publicNow.push(signer);
          },
        });
      }
      for (const signer of take(8 + Math.floor(next() * 8))) {
        const when = at();
        events.push({
          at: when,
          run: async () => {
            const token = await fetchToken({ id: petition.id }, signer, when);
            await redeem(token, { at: when });
            tokens.push(token);
          },
        });
      }
      if (day >= 2) {
        const when = at();
        events.push({
          at: when,
          run: async () => {
            const leaving = publicNow.shift();
            if (leaving) withdrawSignature(petition.id, leaving, when);
          },
        });
        events.push({
          at: when + MINUTE_MS,
          run: async () => {
            const counted = tokens.find(
              (t) =>
                t.seq === 0 &&
                getDb()
                  .select()
                  .from(anonymousSignatures)
                  .where(eq(anonymousSignatures.tokenId, t.tokenId))
                  .get(),
            );
            if (counted) await act(counted, "withdraw", when + MINUTE_MS);
          },
        });
      }
      events.sort((a, b) => a.at - b.at);
      for (const event of events) {
        await event.run();
        // The minute scheduler's batch job, as it runs after each event.
        await commitAnonymousBatches(event.at);
      }
    }
    expect(views).toHaveLength(DAYS);

    // Each day's breakdown is exactly what the public signers alone give: the public list's
    // departments, the table's labels (every department of the directory) and nothing else.
    const publicGroups = (view: (typeof views)[number]) => {
      const rows = view.csv.filter((r) => r.visibility === "public");
      expect(rows.map((r) => [r.name, r.department]).sort()).toEqual(
        view.list.map((r) => [r.name, r.department]).sort(),
      );
      const counts = new Map<string, number>();
      for (const row of rows) {
        const label = row.department || "Not recorded";
        counts.set(label, (counts.get(label) ?? 0) + 1);
      }
      return counts;
    };
    for (const view of views) {
      const counts = publicGroups(view);
      const groups: Group[] = view.breakdowns.department.rows.map((r) => ({
        label: r.label,
        total: counts.get(r.label) ?? 0,
        anonymous: 0,
      }));
      expect(view.breakdowns.department).toEqual(suppressSmallGroups(groups));
      // Locations are not on the public list, but they are public signers' only: the breakdown is
      // the one their own signatures give.
      const locations = new Map<string, number>();
      for (const row of getDb()
        .select()
        .from(signatures)
        .where(and(eq(signatures.petitionId, petition.id), eq(signatures.visibility, "public")))
        .all()) {
        const stood =
          row.createdAt.getTime() < view.asOf &&
          (row.withdrawnAt === null || row.withdrawnAt.getTime() >= view.asOf);
        if (stood) locations.set(row.location ?? "", (locations.get(row.location ?? "") ?? 0) + 1);
      }
      expect(view.breakdowns.location).toEqual(
        suppressSmallGroups(
          view.breakdowns.location.rows.map((r) => ({
            label: r.label,
            total: locations.get(r.label) ?? 0,
            anonymous: 0,
          })),
        ),
      );
      // The anonymous total is the CSV's one count row: never broken down.
      const anonymousRow = view.csv.find((r) => r.visibility === "anonymous");
      expect(Number(anonymousRow?.count)).toBe(view.breakdowns.anonymous);
    }
    // So the difference between any two days, minus those days' public signers, is zero everywhere.
    let comparisons = 0;
    for (const [i, first] of views.entries()) {
      for (const second of views.slice(i + 1)) {
        const a = publicGroups(first);
        const b = publicGroups(second);
        for (const row of second.breakdowns.department.rows) {
          const earlier = first.breakdowns.department.rows.find((r) => r.label === row.label);
          if (!row.shown || !earlier?.shown) continue;
          expect(row.total - earlier.total - ((b.get(row.label) ?? 0) - (a.get(row.label) ?? 0))).toBe(0);
          comparisons++;
        }
      }
    }
    expect(comparisons).toBeGreaterThan(20);
    // Anonymous signers came every day, from every department.
    expect(views.at(-1)?.breakdowns.anonymous).toBeGreaterThan(40);

    // The series: by the hour for the first 72 hours, by the day after. Minus the public signatures,
    // what is left in each bucket is whole batches: dated by their batch (a multiple of its period),
    // each of at least the batch size, or the day's leftovers (in the day's last hour).
    // A batch's acts: the signatures it counted and the withdrawals it wrote.
    const batches = new Map<number, { acts: number; standing: number }>();
    const batchAt = (t: number) => {
      expect(t % BATCH_PERIOD_MS).toBe(0);
      const batch = batches.get(t) ?? { acts: 0, standing: 0 };
      batches.set(t, batch);
      return batch;
    };
    for (const row of getDb()
      .select()
      .from(anonymousSignatures)
      .where(eq(anonymousSignatures.petitionId, petition.id))
      .all()) {
      const counted = batchAt(row.countedAt.getTime());
      counted.acts++;
      if (row.standing) counted.standing++;
      if (row.changedAt.getTime() !== row.countedAt.getTime()) batchAt(row.changedAt.getTime()).acts++;
    }
    // At least the batch size, or a day's leftovers: dated by that day's last hour.
    for (const [at, batch] of batches)
      if (batch.acts < 5) expect(new Date(at).toISOString()).toMatch(/T23:00:00.000Z$/);
    const publicRows = getDb()
      .select()
      .from(signatures)
      .where(
        and(
          eq(signatures.petitionId, petition.id),
          isNull(signatures.withdrawnAt),
          isNull(signatures.invalidatedAt),
        ),
      )
      .all();
    const now = dayStart(opened) + DAYS * DAY_MS;
    for (const resolution of ["hour", "day"] as const) {
      const series = signatureSeries(findPetition(petition.slug) ?? petition, resolution, now);
      const size = resolution === "hour" ? HOUR_MS : DAY_MS;
      for (const point of series.points) {
        const inBucket = (t: number) => t >= point.start && t < point.start + size;
        const publicPart = publicRows.filter((r) => inBucket(r.createdAt.getTime())).length;
        const anonymousPart = [...batches.entries()]
          .filter(([t]) => inBucket(t))
          .reduce((sum, [, b]) => sum + b.standing, 0);
        expect(point.count - publicPart).toBe(anonymousPart);
      }
    }
    // What is still held goes out with the next batch (not left for another test's commit).
    await commitAnonymousBatches(now, petition.id);
  }, 120_000);
});

describe("a public signer cannot switch to anonymous, and the lists tell no one who came or went", () => {
  it("refuses the switch with the same token, a new token, or none, and changes the public views only by the public fact", async () => {
    const petition = openPetition({ staff: take(4), moderator }, "Switch from public to anonymous", {
      at: Date.now() - DAY_MS,
    });
    const signers = take(SIGNERS_PAGE_SIZE + 12);
    for (const [i, signer] of signers.entries())
      await signPublicly(petition.id, signer, null, Date.now() - DAY_MS + (i + 1) * MINUTE_MS);
    const [withToken, withoutToken, quiet] = take(3);
    if (!withToken || !withoutToken || !quiet) throw new Error("too few people");
    // One signs publicly with the token their browser fetched; one without JavaScript, so no token.
    const token = await fetchToken({ id: petition.id }, withToken);
    resetRateLimits();
    await signPetition({
      noAnonymousSignature: true,
      petitionId: petition.id,
      user: withToken,
      ip: null,
      token: { message: token.message, signature: token.signature },
    });
    await signPublicly(petition.id, withoutToken);
    // A batch boundary after the token was fetched: the published tokensIssued moves only there.
    await commitAnonymousBatches(Date.now(), petition.id);

    const views = () => {
      const pages = [];
      for (let page = 1; page <= listPublicSigners(petition.id, 1).pageCount; page++)
        pages.push(listPublicSigners(petition.id, page));
      const fresh = findPublicPetition(petition.slug);
      if (!fresh) throw new Error("not public");
      return {
        list: pages.flatMap((p) => p.signers),
        pageCount: pages[0]?.pageCount,
        csv: parseCsv(exportSigners(fresh, moderator), { columns: true }) as Array<Record<string, string>>,
        api: toApiPetition(fresh, []),
      };
    };
    const before = views();
    for (const leaving of [withToken, withoutToken]) withdrawSignature(petition.id, leaving);
    const afterWithdrawals = views();

    // The switch: the same token is spent (publicly), a new one is refused, and one who signed without
    // a token gets none.
    await expect(redeem(token)).rejects.toThrowError(/signed publicly/);
    await expect(
      fetchToken({ id: petition.id }, withToken, Date.now(), { secret: newWalletSecret() }),
    ).rejects.toThrowError(/this device did not make/);
    await expect(fetchToken({ id: petition.id }, withoutToken)).rejects.toThrowError(
      /signed publicly from a device without/,
    );
    await commitAnonymousBatches(Date.now(), petition.id);
    expect(views()).toEqual(afterWithdrawals);

    // What the withdrawals changed: the two rows left the list (the others kept their order, the
    // pages their sequence), the CSV lost their rows, the counts fell by two — all public.
    const without = (list: typeof before.list) =>
      list.filter((s) => s.name !== withToken.name && s.name !== withoutToken.name);
    expect(afterWithdrawals.list).toEqual(without(before.list));
    expect(afterWithdrawals.csv.filter((r) => r.visibility === "public")).toEqual(
      before.csv.filter(
        (r) => r.visibility === "public" && r.name !== withToken.name && r.name !== withoutToken.name,
      ),
    );
    expect(afterWithdrawals.api.signatureCount).toBe(before.api.signatureCount - 2);
    expect(afterWithdrawals.api.signatures).toEqual({
      public: (before.api.signatures?.public ?? 0) - 2,
      anonymous: before.api.signatures?.anonymous,
    });

    // An anonymous signer joining changes no row of any list, only the anonymous count (in its batch).
    await signWithToken(petition.id, quiet);
    const afterAnonymous = views();
    expect(afterAnonymous.list).toEqual(afterWithdrawals.list);
    expect(afterAnonymous.pageCount).toBe(afterWithdrawals.pageCount);
    expect(afterAnonymous.csv.filter((r) => r.visibility === "public")).toEqual(
      afterWithdrawals.csv.filter((r) => r.visibility === "public"),
    );
    expect(afterAnonymous.api.signatures).toEqual({
      public: afterWithdrawals.api.signatures?.public,
      anonymous: (afterWithdrawals.api.signatures?.anonymous ?? 0) + 1,
    });
    expect(JSON.stringify(afterAnonymous)).not.toContain(quiet.name ?? "??");

    // Signing again is public again, with the same spent token: back at the top of the list.
    resetRateLimits();
    await signPetition({ noAnonymousSignature: true, petitionId: petition.id, user: withToken, ip: null });
    expect(views().list[0]?.name).toBe(withToken.name);
    await expect(signPublicly(petition.id, withToken)).rejects.toBeInstanceOf(Refusal);
  });
});

const dataDir = () => path.dirname(path.resolve(process.env.DATABASE_URL ?? ""));

/** The hand-written end of this migration (backfills), as it ran on upgraded databases. */
function handWrittenMigrationSql(): string {
  const folder = path.resolve("migrations");
  for (const name of readdirSync(folder).filter((n) => n.endsWith(".sql"))) {
    const text = readFileSync(path.join(folder, name), "utf8");
    const at = text.indexOf(HAND_WRITTEN_MARK);
    if (at >= 0) return text.slice(at).replaceAll("--> statement-breakpoint", "");
  }
  throw new Error("no migration holds the hand-written backfill");
}
const HAND_WRITTEN_MARK = "-- Hand-written (issue 17):";

describe("the address hashes cannot be reversed from a copy of the data folder", () => {
  it("finds no signer's address by hashing a whole /16 with every key the folder holds, and keeps none on anonymous or closed signatures", async () => {
    const petition = openPetition({ staff: take(4), moderator }, "Hash the corporate range", {
      at: Date.now() - DAY_MS,
    });
    const [legacy, byToken, beforeUpgrade] = take(3);
    if (!legacy || !byToken || !beforeUpgrade) throw new Error("too few people");
    // Rows from before the upgrade: a legacy anonymous one and a public one, their addresses hashed
    // with the session secret as they were then. The migration clears every such hash.
    const sessionSecretKey = (address: string) =>
      createHmac("sha256", readFileSync(path.join(dataDir(), "session-secret"), "utf8").trim())
        .update(`ip:${address}`)
        .digest("hex");
    signTheLegacyWay(petition.id, legacy, "10.20.200.1");
    await signPublicly(petition.id, beforeUpgrade, null);
    for (const [who, address] of [
      [legacy, "10.20.200.1"],
      [beforeUpgrade, "10.20.200.2"],
    ] as const) {
      getDb()
        .update(signatures)
        .set({ ipHash: sessionSecretKey(address) })
        .where(and(eq(signatures.petitionId, petition.id), eq(signatures.personId, who.id)))
        .run();
    }
    /** The offline attack: the addresses a copy of the data folder gives back, of a whole /16. */
    const attack = async (expectStored: number, used: string[]) => {
      // The attacker's copy: the data folder, database and session secret, as a backup holds it.
      getDb().$client.pragma("wal_checkpoint(TRUNCATE)");
      const files = readdirSync(dataDir())
        .map((name) => path.join(dataDir(), name))
        .filter((file) => statSync(file).isFile());
      expect(files.some((file) => file.endsWith("session-secret"))).toBe(true);
      const copy = new Database(path.join(dataDir(), "test.db"), { readonly: true });
      const stored = new Set(
        copy
          .prepare("select ip_hash from signatures where ip_hash is not null and petition_id = ?")
          .pluck()
          .all(petition.id)
          .map(String),
      );
      expect(stored.size).toBe(expectStored);
      // The keys a small file of the folder could be (the session secret is one), whole or trimmed.
      const keys = new Set<string>([""]);
      for (const file of files) {
        if (statSync(file).size > 4096) continue;
        const text = readFileSync(file, "utf8");
        keys.add(text);
        keys.add(text.trim());
      }
      let tried = 0;
      let found = 0;
      for (let c = 0; c < 256; c++) {
        // A breath for the event loop between /24s: vitest's worker answers its host meanwhile.
        await new Promise((resolve) => setImmediate(resolve));
        for (let d = 0; d < 256; d++) {
          const address = `10.20.${c}.${d}`;
          const candidates = [
            createHash("sha256").update(address).digest("hex"),
            createHash("sha256").update(`ip:${address}`).digest("hex"),
          ];
          for (const key of keys)
            candidates.push(createHmac("sha256", key).update(`ip:${address}`).digest("hex"));
          for (const candidate of candidates) if (stored.has(candidate)) found++;
          tried++;
        }
      }
      expect(tried).toBe(65_536);
      // And every text the database holds, tried as the key against the addresses really used (a
      // key that fails on them fails on the whole range): no secret in the copy keys the hashes.
      const tables = copy.prepare("select name from sqlite_master where type = 'table'").pluck().all();
      let texts = 0;
      for (const table of tables) {
        for (const row of copy
          .prepare(`select * from "${String(table)}"`)
          .raw()
          .all() as unknown[][]) {
          for (const value of row) {
            if (typeof value !== "string" || value.length < 16) continue;
            texts++;
            for (const address of used)
              if (stored.has(createHmac("sha256", value).update(`ip:${address}`).digest("hex"))) found++;
          }
        }
      }
      copy.close();
      expect(texts).toBeGreaterThan(100);
      return found;
    };
    // Against the old scheme it works: both pre-upgrade addresses come back.
    expect(await attack(2, ["10.20.200.1", "10.20.200.2"])).toBe(2);
    getDb().$client.exec(handWrittenMigrationSql());
    // After the upgrade: public signers from the same range, and an anonymous one by token.
    const signers = take(8);
    // Five behind one office address, three on their own.
    const addresses = signers.map((_, i) => (i < 5 ? "10.20.1.3" : `10.20.${i + 1}.${i * 7 + 3}`));
    for (const [i, signer] of signers.entries())
      await signPublicly(petition.id, signer, addresses[i] ?? null);
    await signWithToken(petition.id, byToken);
    expect(await attack(4, addresses)).toBe(0);
    // Invalidation by address still works while the server runs (it holds the key in memory).
    expect(previewInvalidation(petition.id, { ip: "10.20.1.3" }, CLI_ACTOR)).toBe(5);

    // No address hash on an anonymous act: the token one has nowhere to keep one, the legacy one lost
    // its hash in the migration; and when the petition closes, every hash of it goes.
    expect(Object.keys(anonymousSignatures)).not.toContain("ipHash");
    expect(
      getDb()
        .select({ ipHash: signatures.ipHash })
        .from(signatures)
        .where(and(eq(signatures.petitionId, petition.id), eq(signatures.visibility, "anonymous")))
        .all(),
    ).toEqual([{ ipHash: null }]);
    transitionPetition(petition.id, { action: "close" }, moderator);
    const left = getDb()
      .select({ ipHash: signatures.ipHash })
      .from(signatures)
      .where(eq(signatures.petitionId, petition.id))
      .all();
    expect(left.length).toBe(9);
    expect(left.every((row) => row.ipHash === null)).toBe(true);
  }, 120_000);
});
