import { describe, expect, it } from "vitest";
import { actionPath, JSON_ROUTES } from "../support/action-routes";
import { sessionCookie } from "../support/fixtures";
import { systemApp } from "../support/system-world";

/**
 * The anonymity protocol's JSON routes, attacked on the built server: every bad body gets a clear
 * 4xx and changes nothing; the cookieless routes neither need nor set a cookie (and ignore one sent);
 * the issuance and wallet routes refuse anyone signed out; other sites are refused.
 */
const system = systemApp();

const params = () => ({
  idOrSlug: system.world.petitions.open.id,
  id: system.world.policy.id,
  tokenId: "0".repeat(64),
});

async function post(file: string, body: string, headers: Record<string, string> = {}) {
  return fetch(`${system.app.baseUrl}${actionPath(file, params())}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body,
    redirect: "manual",
  });
}

const BAD_BODIES: Array<[string, string, Record<string, string>?]> = [
  ["not JSON", "{nope"],
  ["a form", "a=1&b=2", { "Content-Type": "application/x-www-form-urlencoded" }],
  ["an array", "[1,2,3]"],
  ["null", "null"],
  ["wrong types", JSON.stringify({ blindedMessage: 7, message: [], signature: {}, secret: 1, seq: "x" })],
  [
    "bad base64",
    JSON.stringify({
      blindedMessage: "!".repeat(342),
      message: "%%",
      signature: "%%",
      proof: "%%",
      action: "withdraw",
      seq: 1,
      secret: "%".repeat(43),
      body: "x",
    }),
  ],
  ["huge", JSON.stringify({ message: "A".repeat(200_000) })],
  ["deep", `${"[".repeat(20_000)}${"]".repeat(20_000)}`],
];

describe("the JSON API's actions", () => {
  it("lists every JSON route with an action", () => {
    expect(JSON_ROUTES.length).toBeGreaterThanOrEqual(6);
  });

  for (const route of JSON_ROUTES) {
    it(`${route.file}: refuses bad bodies with a clear 4xx, changing nothing`, async () => {
      const cookie = await sessionCookie(system.world.people.staff.id);
      system.watch.baseline();
      for (const [label, body, headers] of BAD_BODIES) {
        const response = await post(route.file, body, { Cookie: cookie, ...headers });
        expect(response.status, `${route.file} ${label}`).toBeGreaterThanOrEqual(400);
        expect(response.status, `${route.file} ${label}`).toBeLessThan(500);
        const text = await response.text();
        expect(text.length, `${route.file} ${label}: says why`).toBeGreaterThan(0);
      }
      // A well-formed body with invalid cryptography is refused too (a wallet with no wallet set up).
      if (!route.sampleIsValid) {
        const forged = await post(route.file, JSON.stringify(route.sample), { Cookie: cookie });
        expect(forged.status, `${route.file} forged`).toBeGreaterThanOrEqual(400);
        expect(forged.status, `${route.file} forged`).toBeLessThan(500);
      }
      expect(system.watch.changes()).toEqual([]);
    });

    it(`${route.file}: ${route.session === "none" ? "neither needs nor sets a cookie" : "refuses anyone signed out"}`, async () => {
      const response = await post(route.file, JSON.stringify(route.sample));
      expect(response.headers.get("Set-Cookie")).toBeNull();
      if (route.session === "required") expect(response.status).toBe(401);
      else expect(response.status).not.toBe(401);
    });

    it(`${route.file}: refuses another site`, async () => {
      const cookie = await sessionCookie(system.world.people.staff.id);
      system.watch.baseline();
      const response = await post(route.file, JSON.stringify(route.sample), {
        Cookie: cookie,
        Origin: "https://evil.example",
      });
      expect(response.status).toBe(403);
      expect(system.watch.changes()).toEqual([]);
    });
  }
});
