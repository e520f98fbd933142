import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ANONYMOUS_MIN_HOLDERS } from "../../../app/config/environment.server";
import { getConfig } from "../../../app/config.server";
import {
  fetchToken,
  type HeldToken,
  redeem,
  sendFeedbackAnonymously,
} from "../../../app/demo/anonymous-signer.server";
import type { User } from "../../../app/domain/identity/sessions.server";
import {
  commitAnonymousBatches,
  listAnonymousSignatures,
  recentAnonymousDigest,
} from "../../../app/domain/petitions/anonymous-signing.server";
import { findPublicPetition, toApiPetition } from "../../../app/domain/petitions/api.server";
import { listLedger } from "../../../app/domain/petitions/ledger.server";
import { commitAnonymousFeedback } from "../../../app/domain/policies/anonymous-feedback.server";
import { createPolicy } from "../../../app/domain/policies/registry.server";
import { DAY_MS, HOUR_MS, MINUTE_MS, startOfDay } from "../../../app/platform/time";
import { getDb } from "../../../db/client";
import { policyFeedback } from "../../../db/schema";
import { giveTokenHolders } from "../../support/anonymous";
import { makeCompany, openPetition } from "../../support/petition-fixtures";

/**
 * Anonymous acts are released only at fixed boundaries (issue 23): a poller of every public view of a
 * petition, minute by minute, sees nothing move at the moment anyone signs, only at a boundary with at
 * least the batch size held before it, or after midnight with the day's leftovers, dated by that day.
 * Time is injected (the minute scheduler's run is called each minute with its `now`).
 */

const company = makeCompany(60);
const rule = getConfig().anonymousBatch;
const SIZE = rule.minSize;
let nextStaff = 4;
const colleague = (): User => {
  const user = company.staff[nextStaff++];
  if (!user) throw new Error("too few staff");
  return user;
};

/** Every public view of a petition's anonymous side: count, JSON, ledger, list and digest. */
function look(petition: { id: number; slug: string }, now: number) {
  const fresh = findPublicPetition(petition.slug);
  if (!fresh) throw new Error("not public");
  const api = toApiPetition(fresh, []);
  return JSON.stringify({
    count: api.signatureCount,
    signatures: api.signatures,
    tokensIssued: api.anonymity?.tokensIssued,
    ledger: listLedger(petition.id),
    list: listAnonymousSignatures(petition.id),
    // The digest's entries (its nextBatchAt moves with the clock by design).
    digest: recentAnonymousDigest(petition.id, now).entries,
  });
}

describe("the poller's attack on anonymous signatures", () => {
  it("sees nothing move except at a fixed boundary with at least the batch size held before it, or the day's leftovers after midnight dated that day", async () => {
    expect(rule.periodMs).toBe(15 * MINUTE_MS);
    const petition = openPetition(company, "Let staff see the logger's retention schedule");
    const day = startOfDay(Date.now()) - 3 * DAY_MS;
    // The scheduler runs half a minute into each minute; redemptions come at given seconds.
    const tick = (minutes: number) => day + 10 * HOUR_MS + minutes * MINUTE_MS + 30_000;
    await giveTokenHolders(petition, day + 9 * HOUR_MS);
    const tokens: HeldToken[] = [];
    for (let i = 0; i < SIZE + 3; i++)
      tokens.push(await fetchToken(petition, colleague(), day + 9 * HOUR_MS));

    // Minute → the redemptions in the minute before that minute's run (seconds past the minute).
    const redemptions = new Map<number, Array<[HeldToken, number]>>();
    const plan = (minute: number, second: number) => {
      const token = tokens[[...redemptions.values()].flat().length];
      if (!token) throw new Error("no token left");
      redemptions.set(minute, [...(redemptions.get(minute) ?? []), [token, second]]);
    };
    plan(5, 10); // 10:05:10
    plan(7, 20);
    plan(9, 5); // three before 10:15: too few, nothing at 10:15
    plan(20, 40);
    plan(29, 50); // five before 10:30: one batch, at 10:30's run
    plan(30, 10); // 10:30:10, after the boundary, before its run: not in it
    plan(4 * 60 + 7, 0); // 14:07
    plan(4 * 60 + 9, 0); // 14:09: three leftovers, after midnight
    expect([...redemptions.values()].flat()).toHaveLength(SIZE + 3);

    const last = 14 * 60 + 3 + 1; // 00:03 the next day, plus one run
    let before = look(petition, tick(-1));
    const moved: Array<{ minute: number; count: number; ledgerAt: string[] }> = [];
    for (let m = 0; m <= last; m++) {
      for (const [token, second] of redemptions.get(m) ?? [])
        await redeem(token, { at: day + 10 * HOUR_MS + m * MINUTE_MS + second * 1_000 });
      // Each redemption alone moves nothing anyone can see.
      expect(look(petition, tick(m))).toBe(before);
      await commitAnonymousBatches(tick(m));
      const after = look(petition, tick(m));
      if (after !== before) {
        const api = JSON.parse(after) as { count: number; ledger: Array<{ event: string; at: Date }> };
        moved.push({
          minute: m,
          count: api.count,
          ledgerAt: api.ledger.filter((e) => e.event === "signed").map((e) => new Date(e.at).toISOString()),
        });
      }
      before = after;
    }
    const iso = (t: number) => new Date(t).toISOString();
    // The first boundary published the holders' tokens (tokensIssued moved; no signature counted);
    // 10:30: the five held before it; after midnight: the three leftovers, dated the day's last hour.
    expect(moved.map((m) => [m.minute, m.count])).toEqual([
      [0, 0],
      [30, SIZE],
      [14 * 60, SIZE + 3],
    ]);
    expect(moved[1]?.ledgerAt).toEqual(Array(SIZE).fill(iso(day + 10 * HOUR_MS)));
    expect(moved[2]?.ledgerAt).toEqual([
      ...Array(SIZE).fill(iso(day + 10 * HOUR_MS)),
      ...Array(3).fill(iso(day + 23 * HOUR_MS)),
    ]);
    // The public list: rounded as the ledger is, to the hour, never the boundary's quarter.
    const list = listAnonymousSignatures(petition.id);
    expect(list.map((s) => s.countedAt.toISOString()).sort()).toEqual(
      [...Array(SIZE).fill(iso(day + 10 * HOUR_MS)), ...Array(3).fill(iso(day + 23 * HOUR_MS))].sort(),
    );
    // The digest lists each by its prefix, standing, with the batch settings and the next boundary.
    const digest = recentAnonymousDigest(petition.id, tick(last));
    expect(digest.entries.map(([prefix]) => prefix).sort()).toEqual(
      tokens.map((t) => t.tokenId.slice(0, 16)).sort(),
    );
    expect(digest.entries.every(([, standing, seq]) => standing === 1 && seq === 0)).toBe(true);
    expect(digest.batch).toEqual({ minutes: 15, size: SIZE, minHolders: ANONYMOUS_MIN_HOLDERS });
    expect(digest.nextBatchAt).toBe(iso(day + DAY_MS + 15 * MINUTE_MS));
    expect(digest.bootId).toMatch(/^[0-9a-f]{16}$/);
    // Two days later the digest has forgotten them (changed more than 48 hours ago).
    expect(recentAnonymousDigest(petition.id, tick(last) + 2 * DAY_MS).entries).toEqual([]);
  });
});

describe("the database around a redemption", () => {
  it("is byte for byte the same, file and WAL, before and after a redemption, until the batch", async () => {
    const petition = openPetition(company, "Let staff see who reads the logger's output");
    const now = startOfDay(Date.now()) - DAY_MS + 11 * HOUR_MS + 2 * MINUTE_MS;
    await giveTokenHolders(petition, now);
    const tokens: HeldToken[] = [];
    for (let i = 0; i < SIZE; i++) tokens.push(await fetchToken(petition, colleague(), now));
    await commitAnonymousBatches(now);
    const file = getConfig().databasePath;
    const snapshot = () => Buffer.concat([readFileSync(file), readFileSync(`${file}-wal`)]);
    const before = snapshot();
    for (const [i, token] of tokens.entries()) await redeem(token, { at: now + (i + 1) * 1_000 });
    // A run in the same period (and a look at the digest) writes nothing either.
    await commitAnonymousBatches(now + 10 * MINUTE_MS);
    recentAnonymousDigest(petition.id, now + 10 * MINUTE_MS);
    expect(snapshot().equals(before)).toBe(true);
    // The boundary's run writes the batch.
    expect(await commitAnonymousBatches(now + 13 * MINUTE_MS)).toBe(SIZE);
    expect(snapshot().equals(before)).toBe(false);
  });
});

describe("a new petition with fewer holders than ANONYMOUS_MIN_HOLDERS", () => {
  it("counts nothing anonymous, and its published tokensIssued moves only at boundaries, never at the moment of signing", async () => {
    const petition = openPetition(company, "Let staff opt out of screenshot capture");
    const day = startOfDay(Date.now()) - 2 * DAY_MS;
    const at = (hour: number, minute: number) => day + hour * HOUR_MS + minute * MINUTE_MS;
    const issued = () =>
      toApiPetition(findPublicPetition(petition.slug) ?? petition, []).anonymity?.tokensIssued;
    const count = () => toApiPetition(findPublicPetition(petition.slug) ?? petition, []).signatureCount;
    await commitAnonymousBatches(at(9, 0));
    expect(issued()).toBe(0);
    // Six colleagues' tokens, issued at 09:05: the published number moves at 09:15's run only.
    const tokens: HeldToken[] = [];
    for (let i = 0; i < SIZE + 1; i++) tokens.push(await fetchToken(petition, colleague(), at(9, 5)));
    await commitAnonymousBatches(at(9, 10));
    expect(issued()).toBe(0);
    // They sign at 09:20: the published number and the count do not move as they do.
    for (const token of tokens) await redeem(token, { at: at(9, 20) });
    expect(issued()).toBe(0);
    await commitAnonymousBatches(at(9, 16));
    expect(issued()).toBe(SIZE + 1);
    // Below the floor of holders: held through every boundary and past midnight.
    for (let minute = 30; minute < 24 * 60 + 60; minute += 15) await commitAnonymousBatches(at(9, minute));
    expect(count()).toBe(0);
    // Enough colleagues hold it (a background run, in the afternoon of the next day): counted at the
    // next boundary after they are published.
    await commitAnonymousBatches(at(24 + 14, 0) + 30_000);
    await giveTokenHolders(petition, at(24 + 14, 1));
    expect(issued()).toBe(SIZE + 1);
    await commitAnonymousBatches(at(24 + 14, 2));
    expect(count()).toBe(0);
    await commitAnonymousBatches(at(24 + 14, 15));
    expect(issued()).toBe(ANONYMOUS_MIN_HOLDERS);
    expect(count()).toBe(SIZE + 1);
    // Dated the boundary (its hour in the ledger).
    expect(listAnonymousSignatures(petition.id).map((s) => s.countedAt.getTime())).toEqual(
      Array(SIZE + 1).fill(at(24 + 14, 0)),
    );
  });
});

describe("leftovers held back by the floor of holders", () => {
  it("are released only after a midnight, never at the boundary where the petition reached its holders", async () => {
    const petition = openPetition(company, "Let staff see what the badge readers record");
    const day = startOfDay(Date.now()) - 3 * DAY_MS;
    const at = (hour: number, minute: number) => day + hour * HOUR_MS + minute * MINUTE_MS;
    const count = () => toApiPetition(findPublicPetition(petition.slug) ?? petition, []).signatureCount;
    const tokens: HeldToken[] = [];
    for (let i = 0; i < SIZE - 2; i++) tokens.push(await fetchToken(petition, colleague(), at(9, 5)));
    for (const token of tokens) await redeem(token, { at: at(9, 20) });
    // Past midnight, still below the floor: held.
    for (let minute = 30; minute < 24 * 60 + 60; minute += 15) await commitAnonymousBatches(at(9, minute));
    expect(count()).toBe(0);
    // The next morning enough colleagues hold its token; its boundaries release nothing (a handful
    // moving at 10:15 would date them to the moment the petition reached its holders).
    await giveTokenHolders(petition, at(24 + 10, 1));
    for (let minute = 0; minute < 14 * 60; minute += 15)
      await commitAnonymousBatches(at(24 + 10, minute + 2));
    expect(count()).toBe(0);
    // The next midnight's first run: the leftovers, dated by the day before.
    await commitAnonymousBatches(at(48, 1));
    expect(count()).toBe(SIZE - 2);
  });
});

describe("anonymous feedback", () => {
  it("is stored dated the day it was sent, not the day its batch was written", async () => {
    const policy = createPolicy(
      {
        title: "Screenshot capture on staff machines",
        summary: "What is captured from staff screens, when, and who may see it.",
        ownerTeam: "Security",
        ownerEmails: company.staff[0]?.email ?? "",
        body: "Screens are captured every five minutes on company machines.",
        changeSummary: "First version",
        effectiveAt: new Date(Date.now() - 30 * DAY_MS),
      },
      company.leader,
    );
    const evening = startOfDay(Date.now()) - 2 * DAY_MS + 23 * HOUR_MS + 50 * MINUTE_MS;
    for (let i = 0; i < 2; i++)
      await sendFeedbackAnonymously(policy.id, colleague(), { body: `Too much, number ${i}` }, evening, {
        commit: false,
      });
    // Two are too few for a boundary: stored by the first run after midnight, dated the day before.
    expect(await commitAnonymousFeedback(evening + 6 * MINUTE_MS)).toBe(0);
    expect(await commitAnonymousFeedback(evening + 11 * MINUTE_MS)).toBe(2);
    const stored = getDb().select().from(policyFeedback).all();
    expect(stored.map((f) => f.createdAt.getTime())).toEqual([startOfDay(evening), startOfDay(evening)]);
  });
});
