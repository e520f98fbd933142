import Database from "better-sqlite3";
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSession, sessionUser } from "../../app/domain/identity/sessions.server";
import { completeSignIn, requestSignIn, SIGN_IN_LIMITS } from "../../app/domain/identity/sign-in.server";
import { RateLimited } from "../../app/platform/refusal";
import {
  enforceRateLimits,
  MAX_COUNTERS,
  rateLimitCounters,
  resetRateLimits,
  withinRateLimits,
} from "../../app/platform/security/rate-limits.server";
import { DAY_MS } from "../../app/platform/time";
import { getDb } from "../../db/client";
import { outbox } from "../../db/schema";
import { importSampleDirectory } from "../support/fixtures";

/**
 * Attacks on sign-in, each performed and shown to fail: locking a named
 * colleague out of sign-in, telling members from unknown addresses by the work a request does,
 * reusing an older link, and a session that renews for ever.
 */

const tokenOf = (email: string) => {
  const mail = getDb()
    .select()
    .from(outbox)
    .where(eq(outbox.toAddress, email))
    .orderBy(outbox.id)
    .all()
    .at(-1);
  return /token=([A-Za-z0-9_-]+)/.exec(mail?.textBody ?? "")?.[1] ?? "";
};
const refused = (promise: Promise<unknown>) =>
  promise.then(
    () => false,
    (error: unknown) => error instanceof RateLimited,
  );

beforeEach(() => {
  resetRateLimits();
  importSampleDirectory();
});

describe("locking someone out of sign-in", () => {
  it("does not let a stranger's address use up a named colleague's link", async () => {
    const stranger = "10.9.0.1";
    const now = Date.now();
    // The stranger asks for Ada's link until refused, and keeps asking.
    let refusals = 0;
    for (let i = 0; i < 40; i++)
      if (await refused(requestSignIn({ email: "ada@corp.example", ip: stranger }, now))) refusals++;
    expect(refusals).toBe(40 - SIGN_IN_LIMITS.perEmail.limit);
    // Ada, from her own address, still gets her link at once.
    await requestSignIn({ email: "ada@corp.example", ip: "10.9.0.2" }, now);
    expect(tokenOf("ada@corp.example")).not.toBe("");
    // And from another stranger's address the same holds: each address has its own counter.
    expect(await refused(requestSignIn({ email: "ada@corp.example", ip: "10.9.0.3" }, now))).toBe(false);
  });

  it("counts a request refused by one limit against no other", async () => {
    const stranger = "10.9.1.1";
    const now = Date.now();
    for (let i = 0; i < SIGN_IN_LIMITS.perEmail.limit; i++)
      await requestSignIn({ email: "grace@corp.example", ip: stranger }, now);
    // Refused by the per-email limit: these must not run up the address's own counter…
    for (let i = 0; i < 50; i++)
      expect(await refused(requestSignIn({ email: "grace@corp.example", ip: stranger }, now))).toBe(true);
    // …so the address still has the rest of its allowance for other people.
    const left = SIGN_IN_LIMITS.perIp.limit - SIGN_IN_LIMITS.perEmail.limit;
    for (let i = 0; i < left; i++)
      expect(await refused(requestSignIn({ email: `other${i}@elsewhere.example`, ip: stranger }, now))).toBe(
        false,
      );
    expect(await refused(requestSignIn({ email: "ada@corp.example", ip: stranger }, now))).toBe(true);
  });

  it("and the other way round: requests refused by the address's limit do not lock the person out", async () => {
    const flooder = "10.9.2.1";
    const now = Date.now();
    for (let i = 0; i < SIGN_IN_LIMITS.perIp.limit; i++)
      await requestSignIn({ email: `x${i}@elsewhere.example`, ip: flooder }, now);
    for (let i = 0; i < 20; i++)
      await refused(requestSignIn({ email: "ada@corp.example", ip: flooder }, now));
    // In the next window the same address asks for Ada: none of the refused requests counted.
    const later = now + SIGN_IN_LIMITS.perIp.windowMs;
    for (let i = 0; i < SIGN_IN_LIMITS.perEmail.limit; i++)
      expect(await refused(requestSignIn({ email: "ada@corp.example", ip: flooder }, later))).toBe(false);
  });

  it("keeps its counters bounded in memory", async () => {
    const rule = { limit: 1, windowMs: 60_000 };
    const now = Date.now();
    for (let i = 0; i < MAX_COUNTERS + 5_000; i++) await withinRateLimits([[`flood:${i}`, rule]], now);
    expect(rateLimitCounters()).toBeLessThanOrEqual(MAX_COUNTERS);
    // The most recently hit counter is kept: a flood of new keys does not reset an address's own.
    await expect(
      enforceRateLimits([[`flood:${MAX_COUNTERS + 4_999}`, rule]], () => "wait", now),
    ).rejects.toThrow(RateLimited);
  });
});

/**
 * Every statement better-sqlite3 runs while `fn` runs, by its SQL text: Statement's run/get/all/
 * iterate are wrapped for the duration (the prepared statements are cached, so prepare is not enough).
 */
async function statementsRunBy(fn: () => Promise<unknown>): Promise<string[]> {
  const probe = new Database(":memory:");
  const proto = Object.getPrototypeOf(probe.prepare("select 1")) as Record<string, unknown>;
  probe.close();
  const seen: string[] = [];
  const originals = new Map<string, unknown>();
  for (const name of ["run", "get", "all", "iterate"]) {
    const original = proto[name] as (...args: unknown[]) => unknown;
    originals.set(name, original);
    proto[name] = function (this: { source: string }, ...args: unknown[]) {
      seen.push(this.source.replace(/\s+/g, " ").trim());
      return original.apply(this, args);
    };
  }
  try {
    await fn();
  } finally {
    for (const [name, original] of originals) proto[name] = original;
  }
  return seen;
}

describe("telling members from unknown addresses by the work a request does", () => {
  afterEach(() => resetRateLimits());

  it("runs the same statements and queues the same kind of work for a member and an unknown address", async () => {
    const queuedKinds = () =>
      getDb()
        .select({ kind: outbox.kind })
        .from(outbox)
        .all()
        .map((m) => m.kind);
    // Warm both paths once (first use prepares cached statements).
    await requestSignIn({ email: "grace@corp.example", ip: "10.9.3.1" });
    await requestSignIn({ email: "nobody@elsewhere.example", ip: "10.9.3.1" });

    const before = queuedKinds().length;
    const member = await statementsRunBy(() => requestSignIn({ email: "ada@corp.example", ip: "10.9.3.2" }));
    const afterMember = queuedKinds();
    const unknown = await statementsRunBy(() =>
      requestSignIn({ email: "stranger@elsewhere.example", ip: "10.9.3.3" }),
    );
    const afterUnknown = queuedKinds();

    expect(member.length).toBeGreaterThan(0);
    expect(unknown).toEqual(member);
    // One sign-in email queued each.
    expect(afterMember.slice(before)).toEqual(["sign-in"]);
    expect(afterUnknown.slice(afterMember.length)).toEqual(["sign-in"]);
  });
});

describe("links and sessions", () => {
  it("ends a person's other outstanding links when one is used", async () => {
    await requestSignIn({ email: "ada@corp.example", ip: "10.9.4.1" });
    const older = tokenOf("ada@corp.example");
    await requestSignIn({ email: "ada@corp.example", ip: "10.9.4.1" });
    const newer = tokenOf("ada@corp.example");
    expect(newer).not.toBe(older);
    expect(completeSignIn(newer).ok).toBe(true);
    expect(completeSignIn(older)).toEqual({ ok: false, reason: "invalid" });
  });

  it("ends a session at its absolute lifetime however often it is used (SESSION_MAX_DAYS, 90 by default)", () => {
    const [ada] = getDb().$client.prepare("select id from people where email = 'ada@corp.example'").all() as {
      id: number;
    }[];
    if (!ada) throw new Error("no Ada");
    const start = Date.now() - 100 * DAY_MS;
    const token = createSession(getDb(), ada.id, start);
    // Used every 20 days: each use renews it, until 90 days from sign-in.
    for (let day = 20; day < 90; day += 20) expect(sessionUser(token, start + day * DAY_MS)).not.toBeNull();
    expect(sessionUser(token, start + 89 * DAY_MS)).not.toBeNull();
    expect(sessionUser(token, start + 90 * DAY_MS)).toBeNull();
    expect(sessionUser(token, start + 95 * DAY_MS)).toBeNull();
  });
});
