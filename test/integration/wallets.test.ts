import { randomBytes } from "node:crypto";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { describe, expect, it } from "vitest";
import { refusalOf } from "../../app/browser/wallet/http";
import { wordsOfWalletError } from "../../app/browser/wallet/words";
import type { User } from "../../app/domain/identity/sessions.server";
import { MAX_WALLET_PASSKEYS } from "../../app/domain/people/wallets.server";
import { loadCatalog } from "../../app/i18n/catalog-loader";
import { intlFor } from "../../app/i18n/translate";
import { DAY_MS, startOfDay } from "../../app/platform/time";
import * as walletRoute from "../../app/routes/api.wallet._index";
import * as passkeysRoute from "../../app/routes/api.wallet.passkeys";
import * as resetRoute from "../../app/routes/api.wallet.reset";
import { getDb } from "../../db/client";
import { requestAs, TEST_BASE_URL } from "../support/fixtures";
import { makeCompany } from "../support/petition-fixtures";

/** The wallet records (ADR 0038): what the server keeps of a person's wallet, and who may read it. */

const company = makeCompany(7);
const staff = company.member;

type Route = {
  action?: (args: ActionFunctionArgs) => Promise<Response>;
  loader?: (args: LoaderFunctionArgs) => Promise<Response> | Response;
};

async function call(route: Route, as: User | null, path: string, body?: unknown) {
  const session = await requestAs(as?.id ?? null, `${TEST_BASE_URL}${path}`);
  const headers = new Headers(session.headers);
  if (body !== undefined) headers.set("Content-Type", "application/json");
  const request = new Request(`${TEST_BASE_URL}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let response: Response;
  try {
    const fn = body === undefined ? route.loader : route.action;
    if (!fn) throw new Error("no handler");
    response = await fn({ request, params: {}, context: {} });
  } catch (thrown) {
    if (!(thrown instanceof Response)) throw thrown;
    response = thrown;
  }
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const check = () => randomBytes(16).toString("hex");
const passkey = () => ({
  credentialId: randomBytes(32).toString("base64url"),
  wrapped: randomBytes(44).toString("base64url"),
});

describe("wallet records", () => {
  it("are made once: a second set-up is refused with 409 and the first check kept", async () => {
    const me = staff(0);
    expect(await call(walletRoute, me, "/api/wallet")).toEqual({ status: 200, json: { wallet: null } });
    const first = check();
    const made = await call(walletRoute, me, "/api/wallet", { check: first });
    expect(made).toEqual({ status: 201, json: { wallet: { check: first, passkeys: [] } } });
    const second = await call(walletRoute, me, "/api/wallet", { check: check() });
    expect(second.status).toBe(409);
    expect(second.json.error).toMatch(/already set up.*passkey or recovery code/);
    expect(String(second.json.error)).not.toMatch(/token/i);
    expect((await call(walletRoute, me, "/api/wallet")).json).toEqual({
      wallet: { check: first, passkeys: [] },
    });
    // Dated by the day, never finer.
    const row = getDb()
      .$client.prepare<[number], { created_on: number }>("select created_on from wallets where person_id = ?")
      .get(me.id);
    expect(row?.created_on).toBe(startOfDay(row?.created_on ?? 1));
    expect(Date.now() - (row?.created_on ?? 0)).toBeLessThan(DAY_MS);
  });

  it("hold at most ten passkeys, each replaced by the same passkey again, and none without a wallet", async () => {
    const me = staff(1);
    const none = await call(passkeysRoute, me, "/api/wallet/passkeys", passkey());
    expect(none.status).toBe(409);
    expect(none.json.error).toMatch(/Set up anonymous signing first/);
    await call(walletRoute, me, "/api/wallet", { check: check() });
    const added = Array.from({ length: MAX_WALLET_PASSKEYS }, passkey);
    for (const key of added)
      expect((await call(passkeysRoute, me, "/api/wallet/passkeys", key)).status).toBe(201);
    const eleventh = await call(passkeysRoute, me, "/api/wallet/passkeys", passkey());
    expect(eleventh.status).toBe(409);
    expect(eleventh.json.error).toMatch(/already have 10 passkeys/);
    // The same passkey again replaces its wrapped copy, even at the cap.
    const first = added[0] ?? passkey();
    const rewrapped = { credentialId: first.credentialId, wrapped: randomBytes(44).toString("base64url") };
    expect((await call(passkeysRoute, me, "/api/wallet/passkeys", rewrapped)).status).toBe(201);
    const wallet = (await call(walletRoute, me, "/api/wallet")).json.wallet as { passkeys: unknown[] };
    expect(wallet.passkeys).toHaveLength(MAX_WALLET_PASSKEYS);
    expect(wallet.passkeys).toContainEqual(rewrapped);
    // Malformed input changes nothing.
    const bad = await call(passkeysRoute, me, "/api/wallet/passkeys", { credentialId: "!", wrapped: "" });
    expect(bad.status).toBe(400);
  });

  it("refuse in English for the API, with the words the browser writes in its reader's language", async () => {
    const me = staff(6);
    const none = await call(passkeysRoute, me, "/api/wallet/passkeys", passkey());
    expect(none).toEqual({
      status: 409,
      json: {
        error: "Set up anonymous signing first, then add a passkey to it.",
        said: { key: "admin.refusal.wallet.setUpFirst" },
      },
    });
    await call(walletRoute, me, "/api/wallet", { check: check() });
    for (let i = 0; i < MAX_WALLET_PASSKEYS; i++)
      await call(passkeysRoute, me, "/api/wallet/passkeys", passkey());
    const eleventh = await call(passkeysRoute, me, "/api/wallet/passkeys", passkey());
    expect(eleventh.json).toEqual({
      error: "You already have 10 passkeys for anonymous signing. Use one of them, or your recovery code.",
      said: { key: "admin.refusal.wallet.tooManyPasskeys", values: { max: 10 } },
    });
    // The browser writes the answer with the catalog its page loaded (the request said nothing of who reads).
    const refused = refusalOf(eleventh.json, "The passkey could not be recorded (409).");
    const german = intlFor("de", "Europe/Berlin", await loadCatalog("de"));
    expect(wordsOfWalletError(refused, german)).toBe(
      "Sie haben bereits 10 Passkeys für anonymes Unterschreiben. Verwenden Sie einen davon oder Ihren Wiederherstellungscode.",
    );
    // Words this catalog does not know, or none at all, are shown as the English `error`.
    const unknown = refusalOf({ ...eleventh.json, said: { key: "admin.refusal.wallet.gone" } }, "");
    expect(wordsOfWalletError(unknown, german)).toBe(eleventh.json.error);
    expect(wordsOfWalletError(refusalOf({ error: "Plain English." }, ""), german)).toBe("Plain English.");
    expect(
      wordsOfWalletError(refusalOf({ error: "Odd.", said: { key: "x", values: [1] } }, ""), german),
    ).toBe("Odd.");
  });

  it("are reset only when asked in so many words, passkeys and all, after which a new wallet can be made", async () => {
    const me = staff(2);
    const old = check();
    await call(walletRoute, me, "/api/wallet", { check: old });
    await call(passkeysRoute, me, "/api/wallet/passkeys", passkey());
    expect((await call(resetRoute, me, "/api/wallet/reset", {})).status).toBe(400);
    expect((await call(resetRoute, me, "/api/wallet/reset", { confirm: "yes" })).status).toBe(400);
    expect(((await call(walletRoute, me, "/api/wallet")).json.wallet as { check: string }).check).toBe(old);
    expect(await call(resetRoute, me, "/api/wallet/reset", { confirm: "reset" })).toEqual({
      status: 200,
      json: { wallet: null, reset: true },
    });
    expect((await call(walletRoute, me, "/api/wallet")).json).toEqual({ wallet: null });
    expect(
      getDb().$client.prepare("select count(*) as n from wallet_passkeys where person_id = ?").get(me.id),
    ).toEqual({ n: 0 });
    const fresh = check();
    expect((await call(walletRoute, me, "/api/wallet", { check: fresh })).status).toBe(201);
  });

  it("are each person's own: another colleague reads only theirs, and nobody signed out reads any", async () => {
    const [me, other] = [staff(3), staff(4)];
    const mine = check();
    await call(walletRoute, me, "/api/wallet", { check: mine });
    const key = passkey();
    await call(passkeysRoute, me, "/api/wallet/passkeys", key);
    const seen = await call(walletRoute, other, "/api/wallet");
    expect(seen).toEqual({ status: 200, json: { wallet: null } });
    expect(JSON.stringify(seen)).not.toContain(mine);
    expect(JSON.stringify(seen)).not.toContain(key.wrapped);
    // Their reset leaves mine alone.
    await call(resetRoute, other, "/api/wallet/reset", { confirm: "reset" });
    expect((await call(walletRoute, me, "/api/wallet")).json).toEqual({
      wallet: { check: mine, passkeys: [key] },
    });
    for (const [route, path, body] of [
      [walletRoute, "/api/wallet", undefined],
      [walletRoute, "/api/wallet", { check: check() }],
      [passkeysRoute, "/api/wallet/passkeys", passkey()],
      [resetRoute, "/api/wallet/reset", { confirm: "reset" }],
    ] as const)
      expect((await call(route, null, path, body)).status, path).toBe(401);
  });

  it("go when the person is deleted", async () => {
    const gone = staff(5);
    await call(walletRoute, gone, "/api/wallet", { check: check() });
    await call(passkeysRoute, gone, "/api/wallet/passkeys", passkey());
    const db = getDb().$client;
    db.prepare("delete from people where id = ?").run(gone.id);
    expect(db.prepare("select count(*) as n from wallets where person_id = ?").get(gone.id)).toEqual({
      n: 0,
    });
    expect(db.prepare("select count(*) as n from wallet_passkeys where person_id = ?").get(gone.id)).toEqual({
      n: 0,
    });
  });
});
