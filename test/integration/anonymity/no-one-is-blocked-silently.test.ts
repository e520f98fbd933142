import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { deriveRequest, newWalletSecret } from "../../../app/browser/derived-tokens";
import { publishIssuedCounts } from "../../../app/domain/petitions/anonymous-signing.server";
import { findPublicPetition, toApiPetition } from "../../../app/domain/petitions/api.server";
import { issueRequested } from "../../../app/domain/petitions/issuance-runs.server";
import { petitionKeyView } from "../../../app/domain/petitions/petition-keys.server";
import { petitionScope } from "../../../app/platform/anonymity/token-messages";
import { resetRateLimits } from "../../../app/platform/security/rate-limits.server";
import { startOfDay } from "../../../app/platform/time";
import { getDb } from "../../../db/client";
import { makeCompany, openPetition } from "../../support/petition-fixtures";

/**
 * "Nobody can be blocked silently": a hand-written issuance row marking someone as "signed publicly
 * without a token" when they never signed publicly is answered as the server's wrong record
 * (`issued-otherwise`), never as the person's own act; and nothing public moves, so only the answer
 * can tell them.
 */

const company = makeCompany(6);
const staff = company.member;

const anonymity = (petitionId: number) => {
  const petition = findPublicPetition(String(petitionId));
  if (!petition) throw new Error("not public");
  return toApiPetition(petition, []).anonymity;
};

describe("a planted 'signed publicly' issuance row", () => {
  it("is answered as the server's wrong record, not as the person having signed publicly", async () => {
    const petition = openPetition(company, "A petition where one colleague is quietly blocked");
    const scope = petitionScope(petition.id);
    const victim = staff(2);
    publishIssuedCounts();
    const before = anonymity(petition.id);

    // The operator writes one row by hand: no hash, i.e. "signed publicly without a token".
    getDb()
      .$client.prepare(
        "insert into token_issuance (scope, person_id, issued_on, blinded_hash) values (?, ?, ?, null)",
      )
      .run(scope, victim.id, startOfDay(Date.now()));

    const key = petitionKeyView(petition.id);
    if (!key) throw new Error("no key");
    const fingerprint = createHash("sha256").update(Buffer.from(key.publicKey, "base64url")).digest("hex");
    const request = await deriveRequest(newWalletSecret(), scope, { publicKey: key.publicKey, fingerprint });
    resetRateLimits();
    const [answer] = await issueRequested(victim, [
      { scope, blindedMessage: Buffer.from(request.blindedMessage, "base64url") },
    ]);

    // The victim has no public signature on the petition.
    const publicSignatures = getDb()
      .$client.prepare<[number, number], { n: number }>(
        "select count(*) as n from signatures where petition_id = ? and person_id = ?",
      )
      .get(petition.id, victim.id);
    expect(publicSignatures?.n).toBe(0);

    // Nothing public moved.
    publishIssuedCounts();
    expect(anonymity(petition.id)).toEqual(before);

    expect(answer).toMatchObject({ scope, refused: "issued-otherwise" });
    expect(answer && "message" in answer ? answer.message : "").not.toMatch(/You signed publicly/);
    expect(answer && "message" in answer ? answer.message : "").toMatch(/record is wrong/);
  });
});
