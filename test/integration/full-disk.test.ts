import Database from "better-sqlite3";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { isStorageFull, storageFullSince } from "../../app/platform/runtime/storage.server";
import { resetRateLimits } from "../../app/platform/security/rate-limits.server";
import * as healthRoute from "../../app/routes/healthz";
import * as petitionRoute from "../../app/routes/petitions.$slug._index";
import { fullDiskPauseMs } from "../../app/server/mail-sender.server";
import { getDb } from "../../db/client";
import { signatures } from "../../db/schema";
import { callRoute } from "../support/fixtures";
import { makeCompany, openPetition } from "../support/petition-fixtures";

/**
 * A full disk without one (test/system/full-disk.test.ts fills a real tmpfs, which needs root): the
 * signing transaction fails with SQLite's own SQLITE_FULL, injected. The route answers 503 with
 * Retry-After and says the signature was not recorded, /healthz reports it, the log says it once,
 * and signing works again once SQLite can store.
 */

const full = { on: false };
vi.mock("../../app/domain/petitions/signing.server", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../app/domain/petitions/signing.server")>();
  return {
    ...original,
    signPetition: (...args: Parameters<typeof original.signPetition>) => {
      if (full.on) throw new Database.SqliteError("database or disk is full", "SQLITE_FULL");
      return original.signPetition(...args);
    },
  };
});

const company = makeCompany(8);
afterEach(() => {
  full.on = false;
  vi.restoreAllMocks();
});

describe("a full disk", () => {
  it("is recognised by SQLite's and the file system's codes, nothing else", () => {
    expect(isStorageFull(new Database.SqliteError("database or disk is full", "SQLITE_FULL"))).toBe(true);
    expect(isStorageFull(Object.assign(new Error("no space"), { code: "ENOSPC" }))).toBe(true);
    expect(isStorageFull(new Database.SqliteError("locked", "SQLITE_BUSY"))).toBe(false);
    expect(isStorageFull(new Error("boom"))).toBe(false);
    expect(isStorageFull(null)).toBe(false);
  });

  it("makes the mail sender pause 10 s, doubling up to 5 minutes, instead of failing messages", () => {
    expect([1, 2, 3, 4, 5, 6, 10].map(fullDiskPauseMs)).toEqual([
      10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000,
    ]);
  });

  it("answers a signature 503 with Retry-After, saying it was not recorded; /healthz says so; the log once; then signing works again", async () => {
    const petition = openPetition(company, "Signing on a full disk");
    const [a, b, c] = company.staff.slice(4);
    if (!a || !b || !c) throw new Error("company too small");
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const sign = (as: { id: number }) =>
      callRoute(
        petitionRoute,
        "action",
        as,
        `/petitions/${petition.slug}?index`,
        { slug: petition.slug },
        {
          intent: "sign",
          visibility: "public",
          noAnonymousSignature: "on",
        },
      );

    full.on = true;
    for (const signer of [a, b]) {
      resetRateLimits();
      const response = await sign(signer);
      expect(response.status).toBe(503);
      expect(response.headers.get("Retry-After")).toBe("60");
      expect(JSON.stringify(await response.json())).toMatch(
        /cannot store anything right now.*Your signature was not recorded\./,
      );
    }
    expect(getDb().select().from(signatures).where(eq(signatures.petitionId, petition.id)).all()).toEqual([]);
    const fullLines = () =>
      errors.mock.calls.filter((call) => String(call[0]).includes("is full: nothing can be stored"));
    expect(fullLines()).toHaveLength(1);

    const health = healthRoute.loader();
    expect(health.status).toBe(503);
    expect(health.headers.get("Retry-After")).toBe("60");
    expect(await health.json()).toMatchObject({ status: "error", database: "ok", storage: "full" });
    expect(storageFullSince()).not.toBeNull();

    full.on = false;
    resetRateLimits();
    const signed = await sign(c);
    expect(signed.status).toBe(302);
    // The free space is checked every few seconds; then /healthz is well again, and the log says so.
    await vi.waitFor(
      async () => {
        expect(healthRoute.loader().status).toBe(200);
      },
      { timeout: 15_000, interval: 500 },
    );
    expect(errors.mock.calls.some((call) => String(call[0]).includes("There is space again"))).toBe(true);
    expect(fullLines()).toHaveLength(1);
  }, 30_000);
});
