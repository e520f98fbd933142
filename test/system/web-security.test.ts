import { describe, expect, it } from "vitest";
import { emailPreferences, unsubscribeToken } from "../../app/models/email-preferences.server";
import { isRefusal, sendAction } from "../support/action-routes";
import { SCENARIOS, scenarioKey } from "../support/action-scenarios";
import { sessionCookie } from "../support/fixtures";
import { settle } from "../support/server-database";
import { systemApp } from "../support/system-world";

/**
 * The web's own attacks on the built server: cross-site form posts are refused by origin, changing
 * nothing, while the app's own forms and mail clients' one-click unsubscribes still work.
 */

const system = systemApp();

describe("cross-site requests", () => {
  const FOREIGN = "https://evil.example";
  type Variant = { label: string; origin?: string | null; headers?: Record<string, string>; data?: boolean };
  const crossSite = (): Variant[] => [
    { label: "a foreign Origin", origin: FOREIGN },
    { label: "the opaque Origin null (sandboxed frame, data: page)", origin: "null" },
    { label: "another port of the same host", origin: system.app.baseUrl.replace(/:\d+$/, ":1") },
    { label: "no Origin but a foreign Referer", origin: null, headers: { Referer: `${FOREIGN}/page` } },
    { label: "Sec-Fetch-Site: cross-site", origin: null, headers: { "Sec-Fetch-Site": "cross-site" } },
    { label: "a foreign Origin on a data request", origin: FOREIGN, data: true },
  ];
  // How a browser on the app's own pages names itself: all of these must pass.
  const sameSite: Variant[] = [
    { label: "its own Origin", origin: undefined, headers: { "Sec-Fetch-Site": "same-origin" } },
    { label: "its own Referer only", origin: null, headers: { Referer: `${"BASE"}/petitions` } },
    { label: "its own Origin, as a data request", origin: undefined, data: true },
  ];

  for (const scenario of SCENARIOS) {
    it(`refuses ${scenarioKey(scenario)} from another site, changing nothing, and takes it from its own pages`, async () => {
      const { app, world, watch } = system;
      const request = scenario.prepare(world, scenario.allowed);
      const cookie = request.person ? await sessionCookie(request.person.id) : undefined;
      settle();
      const problems: string[] = [];
      for (const variant of crossSite()) {
        watch.baseline();
        const outcome = await sendAction(app.baseUrl, {
          path: request.path,
          body: request.body,
          cookie,
          origin: variant.origin,
          headers: variant.headers,
          dataFor: variant.data ? scenario.route : undefined,
        });
        const changed = watch.changes();
        if (outcome.status !== 403 || !/refused/.test(outcome.body) || changed.length)
          problems.push(
            `${variant.label}: ${outcome.status}${changed.length ? `, changed ${changed.join(", ")}` : ""}`,
          );
      }
      // The same request from the app's own page does what it should.
      const variant = sameSite[SCENARIOS.indexOf(scenario) % sameSite.length] ?? sameSite[0];
      watch.baseline();
      const outcome = await sendAction(app.baseUrl, {
        path: request.path,
        body: request.body,
        cookie,
        origin: variant?.origin,
        headers: Object.fromEntries(
          Object.entries(variant?.headers ?? {}).map(([k, v]) => [k, v.replace("BASE", app.baseUrl)]),
        ),
        dataFor: variant?.data ? scenario.route : undefined,
      });
      if (isRefusal(outcome))
        problems.push(`from its own page (${variant?.label}): refused with ${outcome.status}`);
      else if ((request.changes ?? true) && !watch.committed())
        problems.push(`from its own page: nothing changed`);
      expect(problems).toEqual([]);
    });
  }

  it("takes a form from its own pages whatever host a proxy passes on (Remix's own check made it a 500)", async () => {
    const { app, world } = system;
    const outcome = await sendAction(app.baseUrl, {
      path: "/sign-in",
      body: { email: world.make.person().email },
      headers: { "X-Forwarded-Host": "undersigned.internal:8080" },
    });
    expect(outcome.status).toBe(200);
  });

  it("takes a mail client's one-click unsubscribe (RFC 8058), which names no page at all", async () => {
    const { app, world } = system;
    const person = world.make.person();
    // What Gmail's servers send: a POST with that exact body, no cookie, no Origin, no Referer.
    const outcome = await sendAction(app.baseUrl, {
      path: `/unsubscribe/${unsubscribeToken(person.id, "comment-replies")}`,
      body: "List-Unsubscribe=One-Click",
      contentType: "application/x-www-form-urlencoded",
      origin: null,
    });
    expect(outcome.status).toBe(200);
    expect(emailPreferences(person.id)["comment-replies"]).toBe(false);
  });
});
