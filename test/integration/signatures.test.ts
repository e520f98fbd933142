import { spawn } from "node:child_process";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { act, type HeldToken } from "../../app/demo/anonymous-signer.server";
import { loadThread } from "../../app/domain/discussion/thread.server";
import { commitAnonymousBatches } from "../../app/domain/petitions/anonymous-signing.server";
import { checkCounts, listPublicSigners } from "../../app/domain/petitions/counts.server";
import {
  InvalidationError,
  invalidateSignatures,
  previewInvalidation,
} from "../../app/domain/petitions/invalidation.server";
import { verifyLedger } from "../../app/domain/petitions/ledger.server";
import { findPetition, listMilestones } from "../../app/domain/petitions/reads.server";
import { PetitionError } from "../../app/domain/petitions/rights.server";
import { signPetition, withdrawSignature } from "../../app/domain/petitions/signing.server";
import { Refusal } from "../../app/platform/refusal";
import { CLI_ACTOR } from "../../app/platform/security/audit.server";
import { resetRateLimits } from "../../app/platform/security/rate-limits.server";
import type { MailKind } from "../../app/vocabulary/mail-kinds";
import { getDb } from "../../db/client";
import {
  anonymousSignatures,
  auditLog,
  ledgerEntries,
  milestones,
  outbox,
  petitions,
  signatures,
} from "../../db/schema";
import { signAnonymously } from "../support/anonymous";
import { makeCompany, openPetition } from "../support/petition-fixtures";

const company = makeCompany(60);
const ip = "192.0.2.10";
const sign = async (
  petitionId: number,
  index: number,
  visibility: "public" | "anonymous" = "public",
  at?: number,
) => {
  const user = company.staff[index];
  if (!user) throw new Error(`no staff ${index}`);
  resetRateLimits();
  if (visibility === "anonymous") {
    // A person's one token: signing again after withdrawing is an action of that token.
    const held = tokens.get(`${petitionId}:${index}`);
    if (held) {
      await act(held, "sign", at);
      await commitAnonymousBatches(at ?? Date.now(), petitionId);
      return { receipt: null, token: held };
    }
    const token = await signAnonymously(petitionId, user, { at });
    tokens.set(`${petitionId}:${index}`, token);
    return { receipt: null, token };
  }
  return { ...(await signPetition({ noAnonymousSignature: true, petitionId, user, ip }, at)), token: null };
};
const tokens = new Map<string, HeldToken>();
/** Withdraws as the person signed: by their session, or by their token's signer key. */
const withdraw = async (petitionId: number, index: number) => {
  const user = company.staff[index];
  if (!user) throw new Error(`no staff ${index}`);
  const held = tokens.get(`${petitionId}:${index}`);
  if (!held) return withdrawSignature(petitionId, user);
  await act(held, "withdraw");
  await commitAnonymousBatches(Date.now(), petitionId);
};
/** Standing signatures of a petition: public rows and anonymous tokens. */
const standingOf = (petitionId: number) => {
  const publicCount = getDb()
    .select()
    .from(signatures)
    .where(eq(signatures.petitionId, petitionId))
    .all()
    .filter((s) => !s.withdrawnAt && !s.invalidatedAt).length;
  const anonymousCount = getDb()
    .select()
    .from(anonymousSignatures)
    .where(eq(anonymousSignatures.petitionId, petitionId))
    .all()
    .filter((s) => s.standing).length;
  return { publicCount, anonymousCount };
};
const withoutKeys = (events: Array<{ event: string }>) => events.filter((e) => !e.event.startsWith("key-"));

let other: ReturnType<typeof openPetition> | undefined;
const openPetitionOnce = () => {
  other ??= openPetition(company);
  return other;
};

describe("signing", () => {
  it("counts one signature per person, enforced by the database itself", async () => {
    const petition = openPetition(company);
    const result = await sign(petition.id, 10);
    await expect(sign(petition.id, 10)).rejects.toThrowError(PetitionError);
    // Nor once publicly and once anonymously: no token is issued to a public signer without one.
    await expect(sign(petition.id, 10, "anonymous")).rejects.toThrowError(
      /signed publicly from a device without anonymous signing/,
    );
    // Even bypassing the code, SQLite refuses a second standing signature.
    const staff = company.staff[10];
    expect(() =>
      getDb()
        .insert(signatures)
        .values({
          petitionId: petition.id,
          personId: staff?.id ?? 0,
          visibility: "public",
          ledgerSeq: 9,
          ledgerHash: "x",
        })
        .run(),
    ).toThrowError(/UNIQUE/);
    expect(findPetition(petition.slug)?.signatureCount).toBe(1);
    // Entry 1 is the petition's key; the first signature is entry 2.
    expect(result.receipt).toMatchObject({ seq: 2, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it("refuses signatures on petitions that are not open", async () => {
    const petition = openPetition(company);
    getDb().update(petitions).set({ state: "closed" }).where(eq(petitions.id, petition.id)).run();
    await expect(sign(petition.id, 11)).rejects.toThrowError(/not open/);
  });

  it("withdraws off the count while the ledger keeps the event; signing again is allowed", async () => {
    const petition = openPetition(company);
    await sign(petition.id, 12);
    await sign(petition.id, 13, "anonymous");
    const staff = company.staff[12];
    if (!staff) throw new Error("missing");
    await withdraw(petition.id, 12);
    expect(findPetition(petition.slug)?.signatureCount).toBe(1);
    expect(() => withdrawSignature(petition.id, staff)).toThrowError(/not signed/);
    await sign(petition.id, 12);
    // The anonymous signer withdraws with their token, and signs again with it.
    await withdraw(petition.id, 13);
    await sign(petition.id, 13, "anonymous");
    const events = getDb()
      .select({ event: ledgerEntries.event })
      .from(ledgerEntries)
      .where(eq(ledgerEntries.petitionId, petition.id))
      .all();
    expect(withoutKeys(events).map((e) => e.event)).toEqual([
      "signed",
      "signed",
      "withdrawn",
      "signed",
      "withdrawn",
      "signed",
    ]);
    expect(verifyLedger(petition.id)).toMatchObject({ ok: true, length: 7, count: 2 });
  });

  it("rate-limits signing per person with a clear refusal", async () => {
    const user = company.staff[14];
    if (!user) throw new Error("missing");
    resetRateLimits();
    const now = Date.now();
    for (let i = 0; i < 30; i++) {
      // No such petition: still counted against the limit.
      await expect(
        signPetition({ noAnonymousSignature: true, petitionId: 999_999, user, ip: "198.51.100.1" }, now),
      ).rejects.toMatchObject({ status: 404 });
    }
    await expect(
      signPetition({ noAnonymousSignature: true, petitionId: 999_999, user, ip: "198.51.100.1" }, now),
    ).rejects.toMatchObject({
      status: 429,
      message: expect.stringMatching(/signing too fast/),
    });
  });

  it("keeps count == signatures == ledger after random sign/withdraw/invalidate sequences", async () => {
    const petition = openPetition(company);
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let step = 0; step < 400; step++) {
      const index = 4 + Math.floor(random() * 50);
      const user = company.staff[index];
      if (!user) continue;
      const roll = random();
      try {
        if (roll < 0.6) await sign(petition.id, index, roll < 0.3 ? "anonymous" : "public");
        else if (roll < 0.95) await withdraw(petition.id, index);
        else {
          const criteria = { from: new Date(0), to: new Date(), ip };
          const expected = previewInvalidation(petition.id, criteria, CLI_ACTOR);
          if (typeof expected === "number")
            invalidateSignatures(petition.id, { ...criteria, reason: "test", expected }, CLI_ACTOR);
        }
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
      }
    }
    const stored = findPetition(petition.slug)?.signatureCount;
    const { publicCount, anonymousCount } = standingOf(petition.id);
    const standing = publicCount + anonymousCount;
    expect(anonymousCount).toBeGreaterThan(5);
    expect(stored).toBe(standing);
    expect(verifyLedger(petition.id)).toMatchObject({ ok: true, count: standing });
    expect(checkCounts().ok).toBe(true);
  });

  it("shows exact public and anonymous counts while people sign, withdraw, sign again and get invalidated", async () => {
    const petition = openPetition(company);
    const counted = () => standingOf(petition.id);
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let step = 0; step < 300; step++) {
      const index = 4 + Math.floor(random() * 50);
      const user = company.staff[index];
      if (!user) continue;
      const roll = random();
      try {
        // Runs of signatures (counted onto the kept counts) broken by withdrawals and invalidations.
        if (roll < 0.75) await sign(petition.id, index, roll < 0.3 ? "anonymous" : "public");
        else if (roll < 0.95) await withdraw(petition.id, index);
        else {
          const criteria = { from: new Date(Date.now() - 1000), to: new Date(), ip };
          const expected = previewInvalidation(petition.id, criteria, CLI_ACTOR);
          if (typeof expected === "number")
            invalidateSignatures(petition.id, { ...criteria, reason: "test", expected }, CLI_ACTOR);
        }
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
      }
      // Signatures on another petition in between: their rows come between this petition's.
      if (step % 7 === 0) {
        try {
          await sign(openPetitionOnce().id, 4 + (step % 50));
        } catch (error) {
          if (!(error instanceof Refusal)) throw error;
        }
      }
      expect(listPublicSigners(petition.id, 1)).toMatchObject(counted());
    }
  });

  it("answers the count endpoint's polls with a bodiless 304 until the count moves", async () => {
    const { loader } = await import("../../app/routes/api.petitions.$idOrSlug.count");
    const petition = openPetition(company);
    await sign(petition.id, 30);
    const get = async (etag?: string) =>
      loader({
        request: new Request(`http://undersigned.test/api/petitions/${petition.slug}/count`, {
          headers: etag ? { "If-None-Match": etag } : {},
        }),
        params: { idOrSlug: petition.slug },
        context: { clientIp: ip, cspNonce: "" },
      });
    const first = await get();
    const etag = first.headers.get("ETag") ?? "";
    expect(first.status).toBe(200);
    expect(etag).toMatch(/^W\/".+"$/);
    expect(first.headers.get("Cache-Control")).toBe("public, max-age=5");
    expect(await first.json()).toMatchObject({ signatureCount: 1 });
    const unchanged = await get(etag);
    expect(unchanged.status).toBe(304);
    expect(await unchanged.text()).toBe("");
    expect(unchanged.headers.get("ETag")).toBe(etag);
    expect((await get(`W/"other", ${etag}`)).status).toBe(304);
    await sign(petition.id, 31);
    const moved = await get(etag);
    expect(moved.status).toBe(200);
    expect(moved.headers.get("ETag")).not.toBe(etag);
    expect(await moved.json()).toMatchObject({ signatureCount: 2 });
  });

  it("detects a tampered count or ledger", async () => {
    const petition = openPetition(company);
    await sign(petition.id, 20);
    getDb().update(petitions).set({ signatureCount: 5 }).where(eq(petitions.id, petition.id)).run();
    const check = checkCounts();
    expect(check.ok).toBe(false);
    expect(check.mismatches.find((m) => m.petitionId === petition.id)).toMatchObject({
      stored: 5,
      signatures: 1,
    });
    getDb().update(petitions).set({ signatureCount: 1 }).where(eq(petitions.id, petition.id)).run();
    expect(() => getDb().update(ledgerEntries).set({ event: "withdrawn" }).run()).toThrowError(/append-only/);
  });

  it("checks on one snapshot: another process signing meanwhile is never reported as a mismatch", async () => {
    // The CLI's check-counts and verify-ledger run beside a live server, which commits between their reads.
    const petition = openPetition(company);
    const signers = company.staff.slice(4, 54);
    const writer = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "test/support/signing-process.ts",
        String(petition.id),
        ...signers.map((s) => String(s.id)),
      ],
      { env: process.env, stdio: ["pipe", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    writer.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    writer.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    let exitCode: number | null | undefined;
    writer.once("exit", (code) => {
      exitCode = code;
    });
    const problems = new Set<string>();
    const lengthsSeen = new Set<number>();
    // The writer runs until told to stop, so the checks overlap its commits however slow the machine is:
    // they must see the chain at many lengths (bounded in time only so that a broken writer fails the test).
    const giveUpAt = Date.now() + 60_000;
    while (exitCode === undefined) {
      if (lengthsSeen.size >= 30 || Date.now() > giveUpAt) writer.stdin.end();
      const counts = checkCounts();
      for (const m of counts.mismatches) problems.add(`stored ${m.stored}, signatures ${m.signatures}`);
      const ledger = verifyLedger(petition.id);
      for (const problem of ledger.problems) problems.add(problem);
      lengthsSeen.add(ledger.length);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(stderr).toBe("");
    expect(exitCode).toBe(0);
    expect(lengthsSeen.size).toBeGreaterThanOrEqual(30);
    expect([...problems]).toEqual([]);
    const rounds = Number(stdout);
    expect(rounds).toBeGreaterThan(0);
    expect(verifyLedger(petition.id)).toMatchObject({
      ok: true,
      // The petition's key entry, then each round's signatures and withdrawals.
      length: 1 + rounds * 2 * signers.length,
      count: 0,
    });
  });
});

describe("milestones", () => {
  it("records each crossing exactly once at the exact time, with a response due date, and emails", async () => {
    const petition = openPetition(company);
    getDb().delete(milestones).where(eq(milestones.petitionId, petition.id)).run();
    getDb()
      .insert(milestones)
      .values([
        { petitionId: petition.id, threshold: 3 },
        { petitionId: petition.id, threshold: 5, responseRequired: true, responseDays: 14 },
      ])
      .run();
    const t0 = Date.now();
    for (let i = 0; i < 5; i++) await sign(petition.id, 30 + i, "public", t0 + i * 1000);
    const reached = listMilestones(petition.id);
    expect(reached.map((m) => m.reachedAt?.getTime())).toEqual([t0 + 2000, t0 + 4000]);
    expect(reached[1]?.responseDueAt?.getTime()).toBe(t0 + 4000 + 14 * 24 * 60 * 60_000);
    // Dropping below and crossing again does not record it twice.
    const fifth = company.staff[34];
    if (!fifth) throw new Error("missing");
    withdrawSignature(petition.id, fifth, t0 + 5000);
    await sign(petition.id, 35, "public", t0 + 6000);
    expect(listMilestones(petition.id)[1]?.reachedAt?.getTime()).toBe(t0 + 4000);
    const mails = getDb().select().from(outbox).where(eq(outbox.kind, "milestone.leadership")).all();
    expect(mails.map((m) => m.toAddress)).toEqual([company.leader.email]);
    // Its one organizer (the creator: co-sponsors endorse, they do not organize), once per milestone.
    expect(getDb().select().from(outbox).where(eq(outbox.kind, "milestone.organizer")).all().length).toBe(2);
  });

  it("emails an organizer who signed and asked for it as a signer too, so email counts cannot tell who signed", async () => {
    const petition = openPetition(company);
    getDb().delete(milestones).where(eq(milestones.petitionId, petition.id)).run();
    getDb().insert(milestones).values({ petitionId: petition.id, threshold: 2 }).run();
    const [creator, sponsor] = company.staff;
    if (!creator || !sponsor) throw new Error("missing");
    for (const user of [creator, company.staff[36] ?? creator]) {
      resetRateLimits();
      await signPetition({
        noAnonymousSignature: true,
        petitionId: petition.id,
        user,
        wantsUpdates: true,
        ip,
      });
    }
    const sent = (kind: MailKind) =>
      getDb()
        .select()
        .from(outbox)
        .where(and(eq(outbox.kind, kind), eq(outbox.petitionId, petition.id)))
        .all()
        .map((m) => m.toAddress)
        .sort();
    expect(sent("signer.milestone")).toEqual([creator.email, company.staff[36]?.email].sort());
    expect(sent("milestone.organizer")).toContain(creator.email);
    // A co-sponsor is no organizer (ADR 0028): no organizer email.
    expect(sent("milestone.organizer")).not.toContain(sponsor.email);
  });
});

describe("anonymity", () => {
  it("never lists an anonymous signer, only counts them", async () => {
    const petition = openPetition(company);
    const anonymous = company.staff[40];
    if (!anonymous) throw new Error("missing");
    resetRateLimits();
    await signAnonymously(petition.id, anonymous, { reason: "I fear retaliation" });
    resetRateLimits();
    await signPetition({
      noAnonymousSignature: true,
      petitionId: petition.id,
      user: company.staff[41] ?? anonymous,

      reason: "A reason its author may delete",
      ip,
    });
    const list = listPublicSigners(petition.id, 1);
    expect(list).toMatchObject({ publicCount: 1, anonymousCount: 1 });
    expect(JSON.stringify(list)).not.toContain(anonymous.name ?? "??");
    // Name, department, day: the reason lives in the thread, where its author can delete it and a
    // moderator hide it; the signers page (whose data reaches the browser whole) must not repeat it.
    expect(list.signers.map((s) => Object.keys(s).sort())).toEqual([
      ["department", "former", "name", "signedOn"],
    ]);
    // "Why I'm signing" becomes the signer's comment, anonymous like the signature.
    const thread = loadThread({ type: "petition", id: petition.id }, null, { sort: "newest", page: 1 });
    expect(thread?.comments).toEqual([
      expect.objectContaining({ anonymous: false, bodyHtml: "<p>A reason its author may delete</p>" }),
      expect.objectContaining({ authorName: null, anonymous: true, bodyHtml: "<p>I fear retaliation</p>" }),
    ]);
    expect(JSON.stringify(thread)).not.toContain(anonymous.name ?? "??");
    expect(JSON.stringify(thread)).not.toContain(anonymous.email);
  });
});

describe("bulk invalidation", () => {
  it("previews the matching number, then invalidates with a reason, updating count, ledger and audit", async () => {
    const petition = openPetition(company);
    const t0 = Date.now();
    for (let i = 0; i < 6; i++) await sign(petition.id, 44 + i, "public", t0 + i * 60_000);
    // Invalidation by person, time or address reaches public signatures only: an anonymous one has
    // none of them (eligibility at issuance is the defence, docs/anonymity.md).
    await sign(petition.id, 51, "anonymous", t0 + 2 * 60_000);
    const window = { from: new Date(t0 + 60_000), to: new Date(t0 + 3 * 60_000) };
    // Below five, a preview says "few", zero included: an exact 1 — or "none" against "few" — for a
    // narrow window or an IP would tell whether someone signed.
    expect(previewInvalidation(petition.id, window, CLI_ACTOR)).toBe("few");
    expect(previewInvalidation(petition.id, { ip }, CLI_ACTOR)).toBe(6);
    expect(previewInvalidation(petition.id, { ip: "203.0.113.9" }, CLI_ACTOR)).toBe("few");
    // One or two addresses would tell whether someone signed anonymously: refused.
    const one = company.staff[45]?.email ?? "";
    expect(() => previewInvalidation(petition.id, { emails: one }, CLI_ACTOR)).toThrowError(
      InvalidationError,
    );
    expect(() =>
      invalidateSignatures(petition.id, { emails: one, reason: "x", expected: "few" }, CLI_ACTOR),
    ).toThrowError(InvalidationError);
    const five = [40, 41, 42, 44, 49].map((i) => company.staff[i]?.email.toUpperCase()).join(", ");
    // Made-up addresses do not count toward the five.
    const padded = `${one}, nobody1@corp.example, nobody2@corp.example, nobody3@corp.example, nobody4@corp.example`;
    expect(() => previewInvalidation(petition.id, { emails: padded }, CLI_ACTOR)).toThrowError(
      InvalidationError,
    );
    expect(previewInvalidation(petition.id, { emails: five }, CLI_ACTOR)).toBe("few");
    const previews = getDb()
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, "signatures.invalidate.preview"))
      .all();
    expect(previews.at(-1)?.details).toMatchObject({
      matched: "few",
      people: 5,
    });
    // Fewer than five are never invalidated: the public count would show the exact drop.
    const countBefore = findPetition(petition.slug)?.signatureCount;
    expect(() =>
      invalidateSignatures(
        petition.id,
        { ...window, reason: "Scripted signing", expected: "few" },
        CLI_ACTOR,
      ),
    ).toThrowError(/Fewer than 5 signatures match/);
    expect(findPetition(petition.slug)?.signatureCount).toBe(countBefore);
    // The confirmation must still match the preview, checked inside the transaction.
    const wide = { from: new Date(t0), to: new Date(t0 + 4 * 60_000) };
    expect(previewInvalidation(petition.id, wide, CLI_ACTOR)).toBe(5);
    expect(() =>
      invalidateSignatures(petition.id, { ...wide, reason: "Scripted signing", expected: 6 }, CLI_ACTOR),
    ).toThrowError(/changed since the preview/);
    expect(
      invalidateSignatures(petition.id, { ...wide, reason: "Scripted signing", expected: 5 }, CLI_ACTOR),
    ).toBe(5);
    expect(findPetition(petition.slug)?.signatureCount).toBe(2);
    expect(previewInvalidation(petition.id, wide, CLI_ACTOR)).toBe("few");
    expect(verifyLedger(petition.id)).toMatchObject({ ok: true, count: 2 });
    expect(standingOf(petition.id)).toEqual({ publicCount: 1, anonymousCount: 1 });
    const invalidated = getDb()
      .select()
      .from(signatures)
      .where(
        and(eq(signatures.petitionId, petition.id), eq(signatures.invalidationReason, "Scripted signing")),
      )
      .all();
    expect(invalidated).toHaveLength(5);
    // An invalidated signer cannot simply sign again.
    await expect(sign(petition.id, 45)).rejects.toThrowError(/already signed/);
  });
});
