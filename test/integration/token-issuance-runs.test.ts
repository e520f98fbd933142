import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { deriveRequest, finalizeDerived, newWalletSecret } from "../../app/browser/derived-tokens";
import { ANONYMOUS_MIN_HOLDERS } from "../../app/config/environment.server";
import { fetchToken, redeem } from "../../app/demo/anonymous-signer.server";
import type { User } from "../../app/domain/identity/sessions.server";
import {
  commitAnonymousBatches,
  listAnonymousSignatures,
  publishIssuedCounts,
} from "../../app/domain/petitions/anonymous-signing.server";
import { checkAnonymousSignatures } from "../../app/domain/petitions/anonymous-verification.server";
import { findPublicPetition, toApiPetition } from "../../app/domain/petitions/api.server";
import { ISSUANCE_LIMIT } from "../../app/domain/petitions/issuance-runs.server";
import { transitionPetition } from "../../app/domain/petitions/lifecycle.server";
import { petitionKeyView } from "../../app/domain/petitions/petition-keys.server";
import { PetitionError } from "../../app/domain/petitions/rights.server";
import {
  NO_ANONYMOUS_SIGNATURE_QUESTION,
  signPetition,
  withdrawSignature,
} from "../../app/domain/petitions/signing.server";
import { createPolicy } from "../../app/domain/policies/registry.server";
import { verifyToken } from "../../app/platform/anonymity/blind-signatures.server";
import { feedbackScope, isoWeek, petitionScope } from "../../app/platform/anonymity/token-messages";
import { inEnglish } from "../../app/platform/said-english";
import { resetRateLimits } from "../../app/platform/security/rate-limits.server";
import { DAY_MS, startOfDay } from "../../app/platform/time";
import * as tokensRoute from "../../app/routes/api.tokens";
import * as petitionRoute from "../../app/routes/petitions.$slug._index";
import { getDb } from "../../db/client";
import { giveTokenHolders } from "../support/anonymous";
import { callRoute, requestAs, TEST_BASE_URL } from "../support/fixtures";
import { migratedBefore } from "../support/migrations";
import { makeCompany, openPetition } from "../support/petition-fixtures";

/**
 * Issuance in full background runs (issue 23, ADR 0038): what GET /api/tokens lists, what a batch
 * answers, what an issuance row keeps, and public signing that is never refused for want of a token.
 */

const company = makeCompany(12);
const staff = company.member;

type Target = { scope: string; id?: number; policyId?: number; publicKey: string; fingerprint: string };
type Targets = { petitions: Target[]; feedback: Target[] };
type Result = { scope: string; blindSignature?: string; refused?: string; message?: string };

async function targets(as: User | null): Promise<{ status: number; body: Targets }> {
  const request = await requestAs(as?.id ?? null, `${TEST_BASE_URL}/api/tokens`);
  try {
    const response = await tokensRoute.loader({ request, params: {}, context: {} });
    return { status: response.status, body: (await response.json()) as Targets };
  } catch (thrown) {
    if (thrown instanceof Response) return { status: thrown.status, body: { petitions: [], feedback: [] } };
    throw thrown;
  }
}

async function post(as: User, body: unknown): Promise<{ status: number; results: Result[]; error?: string }> {
  const session = await requestAs(as.id, `${TEST_BASE_URL}/api/tokens`);
  const headers = new Headers(session.headers);
  headers.set("Content-Type", "application/json");
  const request = new Request(`${TEST_BASE_URL}/api/tokens`, {
    method: "POST",
    headers,
    body: JSON.stringify(body),
  });
  let response: Response;
  try {
    response = await tokensRoute.action({ request, params: {}, context: {} });
  } catch (thrown) {
    if (!(thrown instanceof Response)) throw thrown;
    response = thrown;
  }
  const json = (await response.json()) as { results?: Result[]; error?: string };
  return { status: response.status, results: json.results ?? [], error: json.error };
}

/** A device's request for a scope (from a fresh wallet): a blinded message and what finalizes its answer. */
async function request(publicKey: string, scope: string) {
  const issuer = {
    publicKey,
    fingerprint: createHash("sha256").update(Buffer.from(publicKey, "base64url")).digest("hex"),
  };
  const derived = await deriveRequest(newWalletSecret(), scope, issuer);
  return {
    scope,
    body: { scope, blindedMessage: derived.blindedMessage },
    finalize: async (blindSignature: string) =>
      Buffer.from(await finalizeDerived(issuer, derived, blindSignature), "base64url"),
    prepared: Buffer.from(derived.message, "base64url"),
    blindedMessage: Buffer.from(derived.blindedMessage, "base64url"),
  };
}

const keyOf = (petitionId: number) => {
  const key = petitionKeyView(petitionId);
  if (!key) throw new Error(`petition ${petitionId} has no key`);
  return key.publicKey;
};

const issuanceRows = () =>
  getDb().$client.prepare<[], Record<string, unknown>>("select * from token_issuance").all();

const plantIssuance = (scope: string, personId: number) =>
  getDb()
    .$client.prepare(
      "insert into token_issuance (scope, person_id, issued_on, blinded_hash) values (?, ?, ?, ?)",
    )
    .run(scope, personId, startOfDay(Date.now()), randomBytes(32));

const apiAnonymity = (petitionId: number) => {
  const petition = findPublicPetition(String(petitionId));
  if (!petition) throw new Error("not public");
  return toApiPetition(petition, []).anonymity;
};

describe("GET /api/tokens", () => {
  it("lists every open petition — the 51st and one opened a moment ago — and this week's feedback key of every policy, ordered by scope; the same list without a cookie", async () => {
    const policy = createPolicy(
      {
        title: "Working from home",
        summary: "Who may work from home, and how often.",
        body: "Two days a week, agreed with the team.",
        changeSummary: "First version",
        effectiveAt: new Date(Date.now() - DAY_MS),
      },
      company.leader,
    );
    const opened = [];
    for (let i = 0; i < 51; i++)
      opened.push(openPetition(company, `Open petition number ${i + 1} for the list`));
    const brandNew = openPetition(company, "Opened a moment ago, before any background run");
    const { status, body } = await targets(staff(5));
    expect(status).toBe(200);
    const listed = body.petitions.map((p) => p.id);
    for (const petition of [...opened, brandNew]) expect(listed).toContain(petition.id);
    expect(body.petitions.length).toBeGreaterThanOrEqual(52);
    const scopes = body.petitions.map((p) => p.scope);
    expect(scopes).toEqual([...scopes].sort());
    expect(body.petitions.find((p) => p.id === brandNew.id)).toEqual({
      scope: petitionScope(brandNew.id),
      id: brandNew.id,
      slug: brandNew.slug,
      publicKey: keyOf(brandNew.id),
      fingerprint: petitionKeyView(brandNew.id)?.fingerprint,
    });
    expect(body.feedback).toContainEqual(
      expect.objectContaining({ scope: feedbackScope(policy.id, isoWeek(Date.now())), policyId: policy.id }),
    );

    // Read without a cookie, the same list for everyone: no person can be handed a key of their own.
    const signedOut = await targets(null);
    expect(signedOut.status).toBe(200);
    expect(signedOut.body).toEqual(body);
  });
});

describe("POST /api/tokens", () => {
  it("answers each request of a batch: a planted issuance row is issued-otherwise for that person only, who can still sign publicly", async () => {
    const petition = openPetition(company, "A planted issuance row");
    const other = openPetition(company, "Another open petition in the same run");
    const [victim, colleague] = [staff(6), staff(7)];
    plantIssuance(petitionScope(petition.id), victim.id);
    resetRateLimits();

    const mine = await request(keyOf(petition.id), petitionScope(petition.id));
    const second = await request(keyOf(other.id), petitionScope(other.id));
    const answer = await post(victim, { requests: [mine.body, second.body] });
    expect(answer.status).toBe(200);
    expect(answer.results[0]).toEqual({
      scope: petitionScope(petition.id),
      refused: "issued-otherwise",
      message: expect.stringMatching(/did not make.*still sign publicly/),
    });
    expect(answer.results[0]?.message).not.toMatch(/token/i);
    const signature = answer.results[1]?.blindSignature ?? "";
    expect(verifyToken(keyOf(other.id), second.prepared, await second.finalize(signature))).toBe(true);

    // The colleague is issued as usual.
    const theirs = await request(keyOf(petition.id), petitionScope(petition.id));
    const colleagueAnswer = await post(colleague, { requests: [theirs.body] });
    expect(colleagueAnswer.results[0]?.blindSignature).toBeDefined();

    // The victim signs publicly, once asked the question.
    resetRateLimits();
    await expect(signPetition({ petitionId: petition.id, user: victim, ip: null })).rejects.toMatchObject({
      status: 400,
      message: inEnglish(NO_ANONYMOUS_SIGNATURE_QUESTION),
    });
    await signPetition({ petitionId: petition.id, user: victim, ip: null, noAnonymousSignature: true });
    expect(apiAnonymity(petition.id)?.publicWithoutToken).toBe(1);
  });

  it("signs the same blinded message again on demand, and keeps only its hash: an issuance row holds no blinded message and is under 100 bytes", async () => {
    const petition = openPetition(company, "Re-signed on demand");
    resetRateLimits();
    const asked = await request(keyOf(petition.id), petitionScope(petition.id));
    const first = await post(staff(8), { requests: [asked.body] });
    const again = await post(staff(8), { requests: [asked.body] });
    expect(again.results).toEqual(first.results);
    publishIssuedCounts(); // a batch boundary: what is published moves only there
    expect(petitionKeyView(petition.id)?.tokensIssued).toBe(1);

    const rows = issuanceRows();
    const row = rows.find((r) => r.scope === petitionScope(petition.id) && r.person_id === staff(8).id);
    expect(Object.keys(row ?? {}).sort()).toEqual(["blinded_hash", "issued_on", "person_id", "scope"]);
    expect(row?.blinded_hash).toEqual(createHash("sha256").update(asked.blindedMessage).digest());
    // No field is long enough to hold a blinded message or a signature (256 bytes each).
    for (const r of rows)
      for (const value of Object.values(r))
        expect(Buffer.isBuffer(value) ? value.length : String(value).length).toBeLessThanOrEqual(32);

    // Measured from the rows as SQLite stores them: the largest record on any of the table's pages,
    // a worst case included (a feedback scope, the longest kind, for the 80,000th colleague).
    getDb().$client.prepare("insert into people (id, email) values (80000, 'far@corp.example')").run();
    getDb()
      .$client.prepare(
        "insert into token_issuance (scope, person_id, issued_on, blinded_hash) values (?, ?, ?, ?)",
      )
      .run(feedbackScope(99_999, isoWeek(Date.now())), 80_000, startOfDay(Date.now()), randomBytes(32));
    const largest = getDb()
      .$client.prepare<[], { mx: number }>(
        "select max(mx_payload) as mx from dbstat where name = 'token_issuance'",
      )
      .get();
    expect(largest?.mx).toBeGreaterThan(64);
    expect(largest?.mx).toBeLessThanOrEqual(100);
    getDb().$client.prepare("delete from people where id = 80000").run();
  });

  it("refuses per request what cannot be issued, a malformed message or an oversized batch for the whole call, and a flood but not a full run", async () => {
    const petition = openPetition(company, "Refusals of the batch");
    const scope = petitionScope(petition.id);
    const publicSigner = staff(9);
    resetRateLimits();
    await signPetition({ petitionId: petition.id, user: publicSigner, ip: null, noAnonymousSignature: true });
    const closed = openPetition(company, "Past its closing time");
    getDb()
      .$client.prepare("update petitions set closes_at = ? where id = ?")
      .run(Date.now() - 1000, closed.id);
    const lastWeek = feedbackScope(1, isoWeek(Date.now() - 7 * DAY_MS));

    const answer = await post(publicSigner, {
      requests: [
        (await request(keyOf(petition.id), scope)).body,
        (await request(keyOf(closed.id), petitionScope(closed.id))).body,
        (await request(keyOf(petition.id), lastWeek)).body,
        (await request(keyOf(petition.id), "petition:999999")).body,
      ],
    });
    expect(answer.results.map((r) => [r.refused, r.scope])).toEqual([
      ["signed-publicly", scope],
      ["not-open", petitionScope(closed.id)],
      ["not-eligible", lastWeek],
      ["not-eligible", "petition:999999"],
    ]);
    for (const r of answer.results) expect(r.message).not.toMatch(/token/i);

    const before = issuanceRows().length;
    const malformed = await post(staff(10), {
      requests: [
        (await request(keyOf(petition.id), scope)).body,
        { scope: petitionScope(closed.id), blindedMessage: "A".repeat(342) },
      ],
    });
    expect(malformed.status).toBe(400);
    const tooMany = await post(staff(10), {
      requests: Array.from({ length: 51 }, (_, i) => ({
        scope: `petition:${i + 1}`,
        blindedMessage: "A".repeat(342),
      })),
    });
    expect(tooMany.status).toBe(400);
    const twice = (await request(keyOf(petition.id), scope)).body;
    expect((await post(staff(10), { requests: [twice, twice] })).status).toBe(400);
    expect(issuanceRows().length).toBe(before);

    // A full run over 200 petitions and 50 policies is five calls, twice over (two devices); a flood is refused.
    resetRateLimits();
    const cheap = {
      requests: [
        {
          scope: "petition:999999",
          blindedMessage: (await request(keyOf(petition.id), scope)).body.blindedMessage,
        },
      ],
    };
    for (let call = 0; call < 10; call++) expect((await post(staff(11), cheap)).status).toBe(200);
    let refusedAt = 0;
    for (let call = 10; call < ISSUANCE_LIMIT.limit + 5 && !refusedAt; call++)
      if ((await post(staff(11), cheap)).status === 429) refusedAt = call;
    expect(refusedAt).toBe(ISSUANCE_LIMIT.limit);
    // Per person: a colleague's run goes on.
    expect((await post(staff(10), cheap)).status).toBe(200);
  });
});

describe("a petition that closes between boundaries", () => {
  it("publishes its counts as it closes, so its last batch checks against the tokens issued until then", async () => {
    const petition = openPetition(company, "Closing between boundaries");
    resetRateLimits();
    await giveTokenHolders(petition);
    publishIssuedCounts(); // a boundary
    const late = await fetchToken({ id: petition.id }, staff(4));
    await redeem(late);
    transitionPetition(petition.id, { action: "close" }, null);
    await commitAnonymousBatches(Date.now(), petition.id);
    const api = apiAnonymity(petition.id);
    // The late token is in what is published (21), not only the boundary's 20.
    expect(api?.tokensIssued).toBe(ANONYMOUS_MIN_HOLDERS + 1);
    const key = petitionKeyView(petition.id);
    const check = checkAnonymousSignatures(
      petition.id,
      key?.publicKey ?? null,
      listAnonymousSignatures(petition.id),
      {
        anonymous: 1,
        tokensIssued: api?.tokensIssued,
        publicWithToken: api?.publicWithToken,
      },
    );
    expect(check.problems).toEqual([]);
  });
});

describe("public signing", () => {
  it("refuses to spend publicly a signature this person's other device made anonymously and is waiting for its batch, which then counts", async () => {
    const petition = openPetition(company, "A signature waiting for its batch");
    const person = staff(3);
    resetRateLimits();
    await giveTokenHolders(petition);
    const token = await fetchToken({ id: petition.id }, person);
    await redeem(token);
    const refused = await signPetition({
      petitionId: petition.id,
      user: person,
      ip: null,
      token: { message: token.message, signature: token.signature },
    }).catch((error: unknown) => error);
    expect(refused).toMatchObject({
      status: 409,
      message: expect.stringMatching(/already signed this petition anonymously/),
    });
    await commitAnonymousBatches(Date.now(), petition.id);
    expect(findPublicPetition(petition.slug)?.signatureCount).toBe(1);
  });

  it("refuses a withdrawn public signer's token to another colleague, never redeems it anonymously, and lets its owner sign again with it", async () => {
    const petition = openPetition(company, "A withdrawn signer's token");
    const [owner, other] = [staff(4), staff(5)];
    resetRateLimits();
    const token = await fetchToken({ id: petition.id }, owner);
    const presented = { message: token.message, signature: token.signature };
    await signPetition({ petitionId: petition.id, user: owner, ip: null, token: presented });
    withdrawSignature(petition.id, owner);

    const stolen = await signPetition({
      petitionId: petition.id,
      user: other,
      ip: null,
      token: presented,
    }).catch((error: unknown) => error);
    expect(stolen).toBeInstanceOf(PetitionError);
    expect(stolen).toMatchObject({ status: 409, message: expect.stringMatching(/not yours/) });
    expect((stolen as Error).message).not.toMatch(/token/i);
    await expect(redeem(token)).rejects.toThrowError(/signed publicly/);

    // The owner signs again with it — or, after withdrawing again, without it: their token, not a new bound.
    await signPetition({ petitionId: petition.id, user: owner, ip: null, token: presented });
    withdrawSignature(petition.id, owner);
    await signPetition({ petitionId: petition.id, user: owner, ip: null });
    expect(apiAnonymity(petition.id)?.publicWithoutToken).toBe(0);
    // The colleague can sign publicly without it.
    await signPetition({ petitionId: petition.id, user: other, ip: null, noAnonymousSignature: true });
    expect(apiAnonymity(petition.id)?.publicWithoutToken).toBe(1);
  });

  it("accepts a public signature without a token from someone issued one, counts it in publicWithoutToken, and records a token-less signer so none is issued later", async () => {
    const petition = openPetition(company, "Public without the token");
    const [issued, never] = [staff(1), staff(2)];
    resetRateLimits();
    await fetchToken({ id: petition.id }, issued);
    await signPetition({ petitionId: petition.id, user: issued, ip: null, noAnonymousSignature: true });
    await signPetition({ petitionId: petition.id, user: never, ip: null, noAnonymousSignature: true });
    publishIssuedCounts(); // a batch boundary: tokensIssued moves only there
    const anonymity = apiAnonymity(petition.id);
    expect(anonymity).toMatchObject({ publicWithoutToken: 2, tokensIssued: 1 });
    const rows = issuanceRows().filter((r) => r.scope === petitionScope(petition.id));
    expect(rows.find((r) => r.person_id === issued.id)?.blinded_hash).toHaveLength(32);
    expect(rows.find((r) => r.person_id === never.id)?.blinded_hash).toBeNull();
    await expect(fetchToken({ id: petition.id }, never)).rejects.toMatchObject({ code: "signed-publicly" });
  });

  it("asks the form without JavaScript the question, under its checkbox, and signs once it is ticked", async () => {
    const petition = openPetition(company, "Signed from a form without JavaScript");
    resetRateLimits();
    const send = (fields: Record<string, string>) =>
      callRoute(
        petitionRoute,
        "action",
        staff(3),
        `/petitions/${petition.slug}`,
        { slug: petition.slug },
        {
          intent: "sign",
          visibility: "public",
          ...fields,
        },
      );
    const asked = await send({});
    expect(asked.status).toBe(400);
    const reply = (await asked.json()) as { error?: Record<string, string[]> };
    expect(reply.error?.noAnonymousSignature).toEqual([inEnglish(NO_ANONYMOUS_SIGNATURE_QUESTION)]);
    expect(inEnglish(NO_ANONYMOUS_SIGNATURE_QUESTION)).not.toMatch(/token/i);
    expect((await send({ noAnonymousSignature: "on" })).status).toBe(302);
    expect(apiAnonymity(petition.id)?.publicWithoutToken).toBe(1);
  });

  it("is checked by verify-anonymous: anonymous signatures and public ones with a token never exceed the tokens issued", () => {
    const ok = checkAnonymousSignatures(1, null, [], { anonymous: 0, tokensIssued: 2, publicWithToken: 2 });
    expect(ok.ok).toBe(true);
    const over = checkAnonymousSignatures(1, null, [], { anonymous: 0, tokensIssued: 2, publicWithToken: 3 });
    expect(over.problems).toEqual([
      expect.stringMatching(/3 spent on public signatures, but only 2 were issued/),
    ]);
  });
});

describe("upgrading", () => {
  it("turns each stored blinded message into its SHA-256 and drops the stored signatures; a row of a public signer without a token stays null", () => {
    const db = migratedBefore("token_issuance_hashes");
    const { client } = db;
    try {
      client.prepare("insert into people (id, email, name) values (1, 'a@corp.example', 'A')").run();
      const day = startOfDay(Date.now());
      const blinded = randomBytes(256);
      const insert = client.prepare(
        "insert into token_issuance (scope, person_id, issued_on, blinded_message, blind_signature) values (?, 1, ?, ?, ?)",
      );
      insert.run("petition:1", day, blinded.toString("base64url"), randomBytes(256).toString("base64url"));
      insert.run("petition:2", day, null, null);

      db.upgrade();
      const rows = client.prepare("select * from token_issuance order by scope").all();
      expect(rows).toEqual([
        {
          scope: "petition:1",
          person_id: 1,
          issued_on: day,
          blinded_hash: createHash("sha256").update(blinded).digest(),
        },
        { scope: "petition:2", person_id: 1, issued_on: day, blinded_hash: null },
      ]);
      // Migrating again changes nothing.
      db.upgrade();
      expect(client.prepare("select * from token_issuance order by scope").all()).toEqual(rows);
    } finally {
      db.done();
    }
  });
});
