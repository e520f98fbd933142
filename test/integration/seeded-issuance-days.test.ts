import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { deriveRequest } from "../../app/browser/derived-tokens";
import { walletSecretOf } from "../../app/demo/anonymous-signer.server";
import { DEMO_ACCOUNTS, seedDemoData } from "../../app/demo/seed.server";
import { petitionKeyView } from "../../app/domain/petitions/petition-keys.server";
import { petitionScope } from "../../app/platform/anonymity/token-messages";
import { DAY_MS } from "../../app/platform/time";
import { getDb } from "../../db/client";
import { people, petitions } from "../../db/schema";

/**
 * The demo data is what the project demonstrates with, so it must not hand an adversary what the
 * product hides. The old seed issued background tokens on one day and each anonymous signer's on the
 * day they signed: the issuance days picked out the anonymous signers. Here the seed runs in this
 * process, so the test knows each colleague's wallet secret (the truth an adversary lacks) and checks
 * that the file's issuance days do not single anyone out.
 */
let output = "";
beforeAll(async () => {
  output = await seedDemoData();
}, 300_000);

const db = () => getDb();

describe("the seeded company's issuance days", () => {
  it("mix every anonymous signer of the open petition among colleagues who did not sign it", async () => {
    const open = db().select().from(petitions).where(eq(petitions.state, "open")).all();
    const signed = open.filter((p) => p.signatureCount > 0);
    expect(signed.length).toBeGreaterThan(0);
    for (const petition of signed) {
      const key = petitionKeyView(petition.id);
      if (!key) throw new Error("no key");
      const scope = petitionScope(petition.id);
      const rows = db().all<{ person_id: number; issued_on: number }>(
        sql`select person_id, issued_on from token_issuance where scope = ${scope} and blinded_hash is not null`,
      );
      const counted = new Set(
        db()
          .all<{ token_id: string }>(
            sql`select token_id from anonymous_signatures where petition_id = ${petition.id}`,
          )
          .map((r) => r.token_id),
      );
      const publicSigners = new Set(
        db()
          .all<{ person_id: number }>(
            sql`select person_id from signatures where petition_id = ${petition.id} and person_id is not null`,
          )
          .map((r) => r.person_id),
      );
      // The truth: whose derived token is among the counted anonymous signatures.
      const byDay = new Map<number, { anonymous: number; others: number }>();
      let anonymous = 0;
      for (const row of rows) {
        const { tokenId } = await deriveRequest(walletSecretOf(row.person_id), scope, key);
        const day = byDay.get(row.issued_on) ?? { anonymous: 0, others: 0 };
        if (counted.has(tokenId)) {
          day.anonymous++;
          anonymous++;
        } else if (!publicSigners.has(row.person_id)) day.others++;
        byDay.set(row.issued_on, day);
      }
      expect(anonymous).toBe(counted.size);
      expect(anonymous).toBeGreaterThan(10);
      // Issuance is spread over the days colleagues visited, not bunched on one day.
      expect(byDay.size).toBeGreaterThan(7);
      for (const [issuedOn, day] of byDay) {
        if (!day.anonymous) continue;
        // Among those issued a token that day, the anonymous signers are a minority of the people who
        // did not sign publicly: the day names no one.
        expect(day.others, `issued on ${new Date(issuedOn).toISOString().slice(0, 10)}`).toBeGreaterThan(
          day.anonymous,
        );
      }
    }
  });

  it("issue demo accounts nothing, so each signs publicly from any browser and anonymously after setting up", () => {
    for (const account of DEMO_ACCOUNTS) {
      const person = db().select().from(people).where(eq(people.email, account.email)).get();
      if (!person) throw new Error(account.email);
      const issued = db().get<{ n: number }>(
        sql`select count(*) as n from token_issuance where person_id = ${person.id}`,
      );
      expect(issued.n, account.email).toBe(0);
      const wallet = db().get<{ n: number }>(
        sql`select count(*) as n from wallets where person_id = ${person.id}`,
      );
      expect(wallet.n, account.email).toBe(0);
    }
    expect(output).toMatch(/Set up anonymous signing/);
  });

  it("keeps no issuance row of a petition that has closed, and is forgotten as a first start would", () => {
    const closed = db()
      .all<{ id: number }>(sql`select id from petitions where state in ('closed', 'archived')`)
      .map((p) => petitionScope(p.id));
    for (const scope of closed) {
      expect(
        db().get<{ n: number }>(sql`select count(*) as n from token_issuance where scope = ${scope}`).n,
      ).toBe(0);
    }
    // Wallets are kept to the day they were set up.
    const times = db().all<{ created_on: number }>(sql`select created_on from wallets`);
    expect(times.length).toBeGreaterThan(100);
    for (const t of times) expect(t.created_on % DAY_MS).toBe(0);
  });
});
