import { request as httpRequest } from "node:http";
import Database from "better-sqlite3";
import type { Request as BrowserRequest, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { emailPreferences, unsubscribeToken } from "../../app/platform/mail/email-preferences.server";
import { isRefusal, routeId, sendAction } from "../support/action-routes";
import { SCENARIOS, scenarioKey } from "../support/action-scenarios";
import { startAppServer } from "../support/app-server";
import { demoApp } from "../support/demo-app";
import { sessionCookie } from "../support/fixtures";
import { everyPage } from "../support/pages";
import { settle } from "../support/server-database";
import { atScale, STRESS } from "../support/stress";
import { systemApp } from "../support/system-world";

/**
 * The web's own attacks on the built server: cross-site form posts (refused by origin, changing
 * nothing, while the app's own forms and mail clients' one-click unsubscribes still work), security
 * headers on every response, cookie flags, and — in Chromium, on the seeded demo — no request from
 * any page a role can reach to anywhere but the app itself. STRESS=1 crawls every page, not one of
 * each kind.
 */

const system = systemApp();
const demo = demoApp();

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

  // Two routes are not for the app's own pages: the identity provider's page posts SAML answers to
  // the assertion consumer from its own origin (it is exempt from the origin check by design, and
  // protected by the signed, audience-bound, single-use assertion tied to our own request:
  // test/integration/saml*.test.ts); SCIM clients are servers with a bearer token, not browsers.
  const browserScenarios = SCENARIOS.filter((s) => s.route !== "auth.saml.acs.tsx");
  for (const scenario of browserScenarios) {
    it(`refuses ${scenarioKey(scenario)} from another site, changing nothing, and takes it from its own pages`, async () => {
      const { app, world, watch } = system;
      const request = await scenario.prepare(world, scenario.allowed);
      const cookie = request.person ? await sessionCookie(request.person.id) : undefined;
      await settle();
      const problems: string[] = [];
      for (const variant of crossSite()) {
        watch.baseline();
        const outcome = await sendAction(app.baseUrl, {
          path: request.path,
          body: request.body,
          cookie,
          origin: variant.origin,
          headers: { ...request.headers, ...variant.headers },
          dataFor: variant.data ? scenario.route : undefined,
        });
        const changed = watch.changes();
        if (outcome.status !== 403 || !/refused/.test(outcome.body) || changed.length)
          problems.push(
            `${variant.label}: ${outcome.status}${changed.length ? `, changed ${changed.join(", ")}` : ""}`,
          );
      }
      // The same request from the app's own page does what it should (rows of refusals aside; SCIM
      // is for the provider's servers, with a bearer token, never for a page).
      if (scenario.nobodyMay || scenario.route.startsWith("scim.")) {
        expect(problems).toEqual([]);
        return;
      }
      const variant = sameSite[SCENARIOS.indexOf(scenario) % sameSite.length] ?? sameSite[0];
      watch.baseline();
      const outcome = await sendAction(app.baseUrl, {
        path: request.path,
        body: request.body,
        cookie,
        origin: variant?.origin,
        headers: {
          ...request.headers,
          ...Object.fromEntries(
            Object.entries(variant?.headers ?? {}).map(([k, v]) => [k, v.replace("BASE", app.baseUrl)]),
          ),
        },
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

/** Every directive of a CSP header. */
function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name = "", ...values]) => [name, values]),
  );
}

/** What is wrong with a response's security headers (and, for a page, its scripts). */
function headerProblems(response: Response, html: string | null): string[] {
  const problems: string[] = [];
  const csp = directives(response.headers.get("Content-Security-Policy") ?? "");
  const scripts = csp.get("script-src") ?? [];
  const nonce = scripts.find((v) => v.startsWith("'nonce-"))?.slice(7, -1);
  if (csp.get("default-src")?.join(" ") !== "'self'") problems.push("default-src is not 'self'");
  if (!nonce) problems.push("script-src has no nonce");
  if (scripts.some((v) => ["'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"].includes(v)))
    problems.push(`script-src allows ${scripts.join(" ")}`);
  if (csp.get("frame-ancestors")?.join(" ") !== "'none'") problems.push("frame-ancestors is not 'none'");
  if (csp.get("object-src")?.join(" ") !== "'none'") problems.push("object-src is not 'none'");
  // Forms lead to this site, and to the company's identity provider when one is configured.
  const formAction = csp.get("form-action") ?? [];
  if (
    formAction[0] !== "'self'" ||
    formAction.slice(1).some((o) => !/^https?:\/\/[a-z0-9.-]+(:\d+)?$/.test(o))
  )
    problems.push(`form-action is ${formAction.join(" ")}`);
  if (csp.get("base-uri")?.join(" ") !== "'self'") problems.push("base-uri is not 'self'");
  if (response.headers.get("X-Content-Type-Options") !== "nosniff") problems.push("no nosniff");
  if (
    !["same-origin", "no-referrer", "strict-origin"].includes(response.headers.get("Referrer-Policy") ?? "")
  )
    problems.push(`Referrer-Policy ${response.headers.get("Referrer-Policy")}`);
  if (response.headers.get("X-Frame-Options") !== "DENY") problems.push("X-Frame-Options is not DENY");
  if (html !== null) {
    for (const [tag] of html.matchAll(/<script\b[^>]*>/g)) {
      const src = /\ssrc="([^"]*)"/.exec(tag)?.[1];
      if (src !== undefined) {
        if (!src.startsWith("/") || src.startsWith("//")) problems.push(`a script from ${src}`);
      } else if (!tag.includes(`nonce="${nonce}"`))
        problems.push(`an inline script without the nonce: ${tag}`);
    }
  }
  return problems;
}

describe("security headers", () => {
  it("come with every page, API answer, data request, asset, redirect and refusal", async () => {
    const { app, world } = system;
    const admin = await sessionCookie(world.people.admin.id);
    const moderator = await sessionCookie(world.people.moderator.id);
    const problems: string[] = [];
    const nonces = new Set<string>();
    const check = async (label: string, url: string, init: RequestInit = {}) => {
      const response = await fetch(new URL(url, app.baseUrl), { redirect: "manual", ...init });
      const html = (response.headers.get("Content-Type") ?? "").includes("text/html")
        ? await response.text()
        : null;
      for (const problem of headerProblems(response, html))
        problems.push(`${label} ${url} (${response.status}): ${problem}`);
      const nonce = /'nonce-([^']+)'/.exec(response.headers.get("Content-Security-Policy") ?? "")?.[1];
      if (nonce) nonces.add(nonce);
      return response;
    };
    const pages = everyPage(world);
    for (const { file, url } of pages) {
      await check("signed out", url);
      for (const [who, cookie] of [
        ["admin", admin],
        ["moderator", moderator],
      ] as const) {
        await check(who, url, { headers: { Cookie: cookie } });
        const data = `${url}${url.includes("?") ? "&" : "?"}_data=${encodeURIComponent(routeId(file))}`;
        await check(`${who}, data request`, data, { headers: { Cookie: cookie } });
      }
    }
    const home = await (await fetch(app.baseUrl)).text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(home)?.[1] ?? /href="(\/assets\/[^"]+)"/.exec(home)?.[1];
    expect(asset).toBeTruthy();
    await check("an asset", asset ?? "/");
    await check("a file in build/client", "/favicon.ico");
    await check("a path Express cannot decode", "/%E0%A4%A");
    await check("a cross-site POST", "/settings", {
      method: "POST",
      headers: { Origin: "https://evil.example" },
    });
    await check("a POST with no action", "/petitions", { method: "POST", headers: { Origin: app.baseUrl } });
    await check("a refused form", "/sign-in", {
      method: "POST",
      headers: { Origin: app.baseUrl, "Content-Type": "application/json" },
      body: "{}",
    });
    expect(problems).toEqual([]);
    // A fresh nonce on every response: one seen twice would be guessable.
    expect(nonces.size).toBeGreaterThan(pages.length * 3);
  });

  it("keep signed-in pages and data out of every cache (private, no-store), vary with the cookie and the language asked for, no HSTS over http", async () => {
    const { app, world } = system;
    const staff = await sessionCookie(world.people.staff.id);
    const problems: string[] = [];
    const check = async (label: string, url: string, cookie: string | null, expected: RegExp) => {
      const response = await fetch(new URL(url, app.baseUrl), {
        redirect: "manual",
        headers: cookie ? { Cookie: cookie } : {},
      });
      const cacheControl = response.headers.get("Cache-Control") ?? "";
      if (!expected.test(cacheControl)) problems.push(`${label} ${url}: Cache-Control "${cacheControl}"`);
      if (!/\bCookie\b/i.test(response.headers.get("Vary") ?? ""))
        problems.push(`${label} ${url}: no Vary: Cookie`);
      if (!/\bAccept-Language\b/i.test(response.headers.get("Vary") ?? ""))
        problems.push(`${label} ${url}: no Vary: Accept-Language`);
      if (response.headers.get("Strict-Transport-Security")) problems.push(`${label} ${url}: HSTS over http`);
      await response.arrayBuffer();
    };
    for (const { file, url } of everyPage(world)) {
      await check("signed in", url, staff, /^private, no-store$/);
      const data = `${url}${url.includes("?") ? "&" : "?"}_data=${encodeURIComponent(routeId(file))}`;
      await check("signed in, data request", data, staff, /^private, no-store$/);
      await check("signed out", url, null, /no-cache|no-store|max-age/);
    }
    // The root's data carries the viewer's own address: that one above all.
    await check("signed in, root data", "/?_data=root", staff, /^private, no-store$/);
    await check(
      "signed in, the count endpoint",
      `/api/petitions/${world.petitions.open.slug}/count`,
      staff,
      /^private, no-store$/,
    );
    expect(problems).toEqual([]);
  });

  it("refuse a Host header that is not a host name with a 400, carrying them too (building the address was a 500)", async () => {
    const { app } = system;
    const { port } = new URL(app.baseUrl);
    // node:http, not fetch: fetch sets Host itself.
    const send = (path: string, headers: Record<string, string>) =>
      new Promise<{ status: number; headers: Headers; body: string }>((resolve, reject) => {
        const req = httpRequest({ host: "127.0.0.1", port, path, headers }, (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            body += chunk;
          });
          res.on("end", () => {
            const flat = new Headers();
            for (const [name, value] of Object.entries(res.headers))
              if (typeof value === "string") flat.set(name, value);
            resolve({ status: res.statusCode ?? 0, headers: flat, body });
          });
        });
        req.on("error", reject);
        req.end();
      });
    for (const path of ["/", "/petitions", "/api/petitions/1/count", "/healthz"]) {
      const malformed: Record<string, string>[] = [
        { Host: "ok.example:99999" },
        { Host: "a b" },
        { Host: "[::1" },
        { Host: `localhost:${port}`, "X-Forwarded-Host": "ok.example:70000" },
      ];
      for (const headers of malformed) {
        const response = await send(path, headers);
        expect(response.status, `${path} ${JSON.stringify(headers)}`).toBe(400);
        expect(response.body).toMatch(/header is not a host name and port/);
        expect(response.headers.get("Content-Security-Policy")).toContain("frame-ancestors 'none'");
        expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
      }
      expect((await send(path, { Host: `localhost:${port}` })).status).toBeLessThan(500);
    }
  });

  it("set the session cookie HttpOnly, SameSite=Lax, Path=/, and under an https address Secure and __Host- prefixed, the old name signing nobody in", async () => {
    const { app, world } = system;
    const email = world.make.person().email;
    await sendAction(app.baseUrl, { path: "/sign-in", body: { email } });
    const signedIn = await fetch(`${app.baseUrl}/sign-in/verify`, {
      method: "POST",
      headers: { Origin: app.baseUrl },
      body: new URLSearchParams({ token: world.make.lastSignInToken(email) }),
      redirect: "manual",
    });
    const cookies = signedIn.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith("__session="));
    const flash = cookies.find((c) => c.startsWith("__flash="));
    for (const cookie of [session, flash]) {
      expect(cookie).toMatch(/; HttpOnly(;|$)/);
      expect(cookie).toMatch(/; SameSite=Lax(;|$)/);
      expect(cookie).toMatch(/; Path=\/(;|$)/);
      // Plain http here: a Secure cookie would never come back.
      expect(cookie).not.toMatch(/; Secure/);
    }
    expect(session).toMatch(/; Max-Age=2592000(;|$)/);

    // Under an https address (TLS ends at a proxy in front), the same sign-in gives Secure cookies.
    const https = await startAppServer({
      APP_URL: "https://undersigned.example",
      ADMIN_EMAILS: "boss@undersigned.example",
    });
    try {
      const origin = "https://undersigned.example";
      await sendAction(https.baseUrl, {
        path: "/sign-in",
        body: { email: "boss@undersigned.example" },
        origin,
      });
      const db = new Database(https.databasePath, { readonly: true });
      const text = db
        .prepare<[], { text_body: string }>("select text_body from outbox where kind = 'sign-in'")
        .get()?.text_body;
      db.close();
      const token = /token=([A-Za-z0-9_-]+)/.exec(text ?? "")?.[1] ?? "";
      const verified = await fetch(`${https.baseUrl}/sign-in/verify`, {
        method: "POST",
        headers: { Origin: origin },
        body: new URLSearchParams({ token }),
        redirect: "manual",
      });
      // Under https, HSTS; the response that starts a session is kept out of every cache.
      expect(verified.headers.get("Strict-Transport-Security")).toBe("max-age=31536000");
      expect(verified.headers.get("Cache-Control")).toBe("private, no-store");
      const secure = verified.headers.getSetCookie();
      // __Host-: no sibling host of the domain, and no http page, can plant or replace them.
      expect(secure.map((c) => c.split("=")[0]).sort()).toEqual(["__Host-flash", "__Host-session"]);
      for (const cookie of secure) {
        expect(cookie).toMatch(/; Secure(;|$)/);
        expect(cookie).toMatch(/; HttpOnly(;|$)/);
        expect(cookie).toMatch(/; SameSite=Lax(;|$)/);
        expect(cookie).toMatch(/; Path=\/(;|$)/);
        expect(cookie).not.toMatch(/; Domain=/i);
      }
      // The same signed value under the old, unprefixed name (as a sibling host could set it for
      // the whole domain) signs nobody in; under its own name it does.
      const value =
        secure
          .find((c) => c.startsWith("__Host-session="))
          ?.split(";")[0]
          ?.split("=")[1] ?? "";
      const settings = (cookie: string) =>
        fetch(`${https.baseUrl}/settings`, { headers: { Cookie: cookie }, redirect: "manual" });
      expect((await settings(`__Host-session=${value}`)).status).toBe(200);
      const tossed = await settings(`__session=${value}`);
      expect(tossed.status).toBe(302);
      expect(tossed.headers.get("Location")).toMatch(/^\/sign-in\?/);
    } finally {
      await https.stop();
    }
  });
});

describe("third-party requests", () => {
  const ACCOUNTS = [null, "staff", "organizer", "moderator", "leadership", "admin"] as const;
  const MAX_DEPTH = atScale(3, 4);
  const MAX_PAGES = atScale(60, 100);

  /**
   * The short form visits one page of each kind: ids and slugs stand for their kind, and the query
   * (sort, page, filters) renders the same page. The long form visits every address.
   */
  function kindOf(url: URL): string {
    if (STRESS) return url.href;
    return url.pathname
      .split("/")
      .map((segment, i, all) =>
        /^\d+$/.test(segment) ||
        (i === 2 &&
          ["petitions", "announcements", "policies", "unsubscribe"].includes(all[1] ?? "") &&
          segment !== "new")
          ? ":x"
          : segment,
      )
      .join("/");
  }

  for (const account of ACCOUNTS) {
    it(`makes none from any page ${account ?? "a signed-out visitor"} can reach`, async () => {
      const page: Page = account ? await demo.as(account) : await demo.browser.newPage();
      const origin = new URL(demo.app.baseUrl).origin;
      const elsewhere: string[] = [];
      const violations: string[] = [];
      let current = "";
      const onRequest = (request: BrowserRequest) => {
        const url = new URL(request.url());
        if (!["http:", "https:", "ws:", "wss:"].includes(url.protocol)) return;
        if (url.origin !== origin) elsewhere.push(`${current} → ${request.url()}`);
      };
      page.context().on("request", onRequest);
      page.on("console", (message) => {
        if (/Content Security Policy|Refused to/i.test(message.text()))
          violations.push(`${current}: ${message.text()}`);
      });
      const seen = new Set<string>([kindOf(new URL(`${origin}/`))]);
      const queue: Array<{ url: string; depth: number }> = [{ url: `${origin}/`, depth: 0 }];
      let visited = 0;
      while (queue.length && visited < MAX_PAGES) {
        const next = queue.shift();
        if (!next) break;
        current = next.url;
        const response = await page.goto(next.url, { waitUntil: STRESS ? "networkidle" : "load" });
        visited++;
        expect(response?.status(), next.url).toBeLessThan(500);
        if (next.depth >= MAX_DEPTH) continue;
        // A download (the person's own data as a file) is no page to crawl.
        const links = await page.$$eval("a[href]:not([download])", (anchors) =>
          anchors.map((a) => (a as HTMLAnchorElement).href),
        );
        for (const link of links) {
          const url = new URL(link);
          url.hash = "";
          if (url.origin !== origin) continue;
          const key = kindOf(url);
          if (seen.has(key)) continue;
          seen.add(key);
          queue.push({ url: url.href, depth: next.depth + 1 });
        }
      }
      page.context().off("request", onRequest);
      expect(visited).toBeGreaterThan(account === "admin" ? 15 : 8);
      expect(elsewhere).toEqual([]);
      expect(violations).toEqual([]);
      console.log(`${account ?? "signed out"}: ${visited} pages, ${seen.size} kinds of link`);
    });
  }
});
