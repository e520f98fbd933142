import { beforeAll, describe, expect, it } from "vitest";
import { serviceProviderMetadata } from "../../app/domain/identity/saml.server";
import * as acsRoute from "../../app/routes/auth.saml.acs";
import * as startRoute from "../../app/routes/sign-in_.provider";
import { getDb } from "../../db/client";
import { type SamlUser, samlIdentityProvider } from "../support/saml-idp";
import { fingerprint, fingerprintChanges } from "../support/server-database";

/**
 * Under https, a SAML answer is accepted only in the browser that started its sign-in (a
 * `SameSite=None; Secure` cookie naming the request): nobody can post their own fresh assertion into
 * a colleague's browser and sign it in as themselves (login CSRF).
 */
const BASE = "https://undersigned.test";
process.env.APP_URL = BASE;
const idp = samlIdentityProvider();
process.env.SAML_ENTRY_POINT = "https://idp.corp.example/sso";
process.env.SAML_IDP_CERT = idp.certificate;
process.env.SAML_IDP_ISSUER = idp.entityId;

const snapshot = () => fingerprint(getDb().$client);
const context = { clientIp: "192.0.2.1", cspNonce: "" };
const mallory: SamlUser = {
  nameId: "mallory@corp.example",
  email: "mallory@corp.example",
  name: "Mallory",
  department: "Sales",
  locality: "Paris",
  groups: [],
};

/** A browser starts a SAML sign-in: where it is sent, and the cookie it got. */
async function start() {
  const response = await startRoute.action({
    request: new Request(`${BASE}/sign-in/provider`, {
      method: "POST",
      body: new URLSearchParams({ protocol: "saml", redirectTo: "/petitions" }),
    }),
    params: {},
    context,
  });
  expect(response.status).toBe(302);
  const setCookie = response.headers.get("Set-Cookie") ?? "";
  expect(setCookie).toMatch(/^__Secure-saml=/);
  expect(setCookie).toContain("Secure");
  expect(setCookie).toContain("SameSite=None");
  expect(setCookie).toContain("Path=/auth/saml");
  return { location: response.headers.get("Location") ?? "", cookie: setCookie.split(";")[0] ?? "" };
}

async function post(samlResponse: string, cookie: string | null) {
  return acsRoute.action({
    request: new Request(`${BASE}/auth/saml/acs`, {
      method: "POST",
      headers: cookie ? { Cookie: cookie } : {},
      body: new URLSearchParams({ SAMLResponse: samlResponse, RelayState: "/petitions" }),
    }),
    params: {},
    context,
  });
}

// samlify's schema validator loads its WebAssembly on first use: seconds on a busy machine.
beforeAll(() => idp.warmUp(), 120_000);

/** Mallory's own sign-in: her browser's cookie, and the provider's signed answer to it. */
async function mallorysAnswer() {
  const own = await start();
  const requestId = await idp.requestId(serviceProviderMetadata(), own.location);
  return {
    cookie: own.cookie,
    samlResponse: await idp.respond(serviceProviderMetadata(), requestId, mallory),
  };
}

describe("SAML answers bound to the browser that asked (https)", () => {
  it("refuses an answer posted into a browser that did not start it, changing nothing but using the answer up, and accepts one in the browser that did", async () => {
    // A colleague's browser: no sign-in started, or one of its own.
    const colleague = await start();
    for (const cookie of [null, colleague.cookie, "__Secure-saml=forged"]) {
      const { cookie: own, samlResponse } = await mallorysAnswer();
      const before = snapshot();
      const refused = await post(samlResponse, cookie);
      expect(refused.status).toBe(400);
      expect(refused.headers.get("Set-Cookie") ?? "").not.toContain("__Host-session=");
      expect(await refused.text()).toContain("another browser");
      expect(fingerprintChanges(before, snapshot())).toEqual([
        expect.stringMatching(/^saml_requests \((\d+) → \d+ rows\)$/),
      ]);
      // Used up: it cannot be tried again, in her own browser either.
      expect((await post(samlResponse, own)).status).toBe(400);
    }

    const { cookie, samlResponse } = await mallorysAnswer();
    const accepted = await post(samlResponse, cookie);
    expect(accepted.status).toBe(303);
    expect(accepted.headers.get("Location")).toBe("/petitions");
    const cookies = accepted.headers.getSetCookie();
    expect(cookies.some((c) => c.startsWith("__Host-session="))).toBe(true);
    // The request cookie works once.
    expect(cookies.some((c) => c.startsWith("__Secure-saml=;") && /Max-Age=0/i.test(c))).toBe(true);
  });
});
