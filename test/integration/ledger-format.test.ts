import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { entryHash, GENESIS_HASH, listLedger, verifyLedger } from "../../app/domain/petitions/ledger.server";
import { signPetition, withdrawSignature } from "../../app/domain/petitions/signing.server";
import { resetRateLimits } from "../../app/platform/security/rate-limits.server";
import { HOUR_MS } from "../../app/platform/time";
import { getDb } from "../../db/client";
import { ledgerEntries, people, petitions } from "../../db/schema";
import { signAnonymously } from "../support/anonymous";
import { makeCompany, openPetition } from "../support/petition-fixtures";

const company = makeCompany(12);
const staff = company.member;

/** What docs/ledger.md tells anyone to compute, written out here rather than calling entryHash. */
function documentedHash(
  entry: {
    format: number;
    seq: number;
    event: string;
    at: string;
    signer: string;
    prevHash: string;
  },
  petitionId: number,
): string {
  const fields = [petitionId, entry.seq, entry.event, entry.at, entry.signer, entry.prevHash];
  return createHash("sha256")
    .update((entry.format === 2 ? ["v2", ...fields] : fields).join("|"))
    .digest("hex");
}

const publicLedger = (petitionId: number) =>
  listLedger(petitionId).map((e) => ({ ...e, at: e.at.toISOString() }));

describe("the ledger's format 2: public times to the hour", () => {
  it("times new entries by their hour, and the hour cannot be lined up with a sign-in", async () => {
    const petition = openPetition(company);
    // A first sign-in two seconds before an anonymous signature (the join an adversary would try), and a public
    // signature a minute later.
    const now = Date.now();
    const signer = staff(5);
    getDb()
      .update(people)
      .set({ firstSignedInAt: new Date(now - 2_000) })
      .where(eq(people.id, signer.id))
      .run();
    await signAnonymously(petition.id, signer, { at: now });
    resetRateLimits();
    await signPetition(
      { noAnonymousSignature: true, petitionId: petition.id, user: staff(6), ip: null },
      now + 60_000,
    );

    const entries = publicLedger(petition.id);
    expect(entries.map((e) => e.event)).toEqual(["key-created", "signed", "signed"]);
    for (const entry of entries) {
      expect(entry.format).toBe(2);
      expect(Date.parse(entry.at) % HOUR_MS).toBe(0);
      expect(documentedHash(entry, petition.id)).toBe(entry.hash);
    }
    // The anonymous entry's public time is its hour: it says no more than "within this hour",
    // however close the sign-in was, and the two signatures cannot be told apart by time.
    const [, anonymous, named] = entries;
    expect(anonymous?.at).toBe(new Date(Math.floor(now / HOUR_MS) * HOUR_MS).toISOString());
    expect(Date.parse(named?.at ?? "")).toBe(Math.floor((now + 60_000) / HOUR_MS) * HOUR_MS);
    expect(verifyLedger(petition.id)).toMatchObject({ ok: true, count: 2 });
  });

  it("keeps format 1 entries verifiable beside format 2 ones, and refuses a mixed-up chain", async () => {
    const petition = openPetition(company);
    const db = getDb();
    // A chain begun before the upgrade: format 1 entries with exact times (written by hand on a
    // petition row with no entries yet: opening one today writes a format 2 key entry first).
    const legacy = copyPetitionWithAnEmptyChain();
    let prevHash = GENESIS_HASH;
    const exact = Date.now() - 3 * HOUR_MS + 1_234;
    const signers = ["a", "b"].map((c) => c.repeat(64));
    signers.forEach((signer, i) => {
      const at = new Date(exact + i * 7_001);
      const entry = {
        format: 1 as const,
        petitionId: legacy,
        seq: i + 1,
        event: "signed" as const,
        at,
        signer,
        prevHash,
      };
      const hash = entryHash(entry);
      db.insert(ledgerEntries)
        .values({ ...entry, hash })
        .run();
      prevHash = hash;
    });
    db.update(petitions)
      .set({ ledgerLength: 2, ledgerHead: prevHash, signatureCount: 2 })
      .where(eq(petitions.id, legacy))
      .run();
    expect(verifyLedger(legacy)).toMatchObject({ ok: true, count: 2 });

    // A withdrawal written today is format 2, after the format 1 entries: the chain still verifies,
    // each entry by its own format, as an outsider following docs/ledger.md would.
    appendEntry(legacy, "withdrawn", signers[0] ?? "", 2, Date.now());
    const entries = publicLedger(legacy);
    expect(entries.map((e) => e.format)).toEqual([1, 1, 2]);
    expect(entries[0]?.at).toBe(new Date(exact).toISOString());
    for (const entry of entries) expect(documentedHash(entry, legacy)).toBe(entry.hash);
    expect(verifyLedger(legacy)).toMatchObject({ ok: true, count: 1 });

    // Going back to format 1 after format 2 is a break (a forger would want exact times back).
    appendEntry(legacy, "signed", "c".repeat(64), 1, Date.now());
    expect(verifyLedger(legacy).problems).toContain("entry 4: format 1 after format 2");

    // A format 2 entry whose time is not a whole hour is a break too, even with a matching hash.
    appendEntry(petition.id, "signed", "d".repeat(64), 2, Date.now(), { exactTime: true });
    expect(verifyLedger(petition.id).problems.join("\n")).toMatch(/a format 2 time must be a whole hour/);

    // Withdrawing a real signature writes a format 2 entry too.
    const other = openPetition(company);
    resetRateLimits();
    await signPetition({ noAnonymousSignature: true, petitionId: other.id, user: staff(7), ip: null });
    await withdrawSignature(other.id, staff(7));
    expect(publicLedger(other.id).map((e) => [e.event, e.format])).toEqual([
      ["key-created", 2],
      ["signed", 2],
      ["withdrawn", 2],
    ]);
    expect(verifyLedger(other.id).ok).toBe(true);
  });
});

/** A copy of a petition row with an empty chain (the table is append-only: a chain cannot be emptied). */
function copyPetitionWithAnEmptyChain(): number {
  const source = getDb().select().from(petitions).limit(1).get();
  if (!source) throw new Error("no petition to copy");
  const { id: _id, ...rest } = source;
  const row = getDb()
    .insert(petitions)
    .values({ ...rest, slug: `legacy-${Date.now()}`, ledgerLength: 0, ledgerHead: null, signatureCount: 0 })
    .returning({ id: petitions.id })
    .get();
  return row.id;
}

/** Appends an entry by hand (as a forger with the database would), moving the petition's head. */
function appendEntry(
  petitionId: number,
  event: "signed" | "withdrawn",
  signer: string,
  format: 1 | 2,
  when: number,
  options: { exactTime?: boolean } = {},
): void {
  const db = getDb();
  const petition = db.select().from(petitions).where(eq(petitions.id, petitionId)).get();
  if (!petition) throw new Error("no petition");
  const at = new Date(format === 2 && !options.exactTime ? Math.floor(when / HOUR_MS) * HOUR_MS : when);
  const entry = {
    format,
    petitionId,
    seq: petition.ledgerLength + 1,
    event,
    at,
    signer,
    prevHash: petition.ledgerHead ?? GENESIS_HASH,
  };
  const hash = entryHash(entry);
  db.insert(ledgerEntries)
    .values({ ...entry, hash })
    .run();
  db.update(petitions)
    .set({
      ledgerLength: entry.seq,
      ledgerHead: hash,
      signatureCount: petition.signatureCount + (event === "signed" ? 1 : -1),
    })
    .where(eq(petitions.id, petitionId))
    .run();
}
