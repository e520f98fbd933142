import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppServer, startAppServer } from "../support/app-server";
import { launchBrowser } from "../support/browser";
import { signInViaDevMailbox } from "../support/sign-in-flow";

let app: AppServer;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  app = await startAppServer({ ALLOWED_EMAIL_DOMAINS: "partner.example" });
  browser = await launchBrowser();
  context = await browser.newContext({ javaScriptEnabled: false });
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

// axe-core needs JavaScript, so these pages are checked by the suites that run with it.
describe("without JavaScript", () => {
  it("shows zod's field errors from the server next to the field", async () => {
    const page = await context.newPage();
    await page.goto(`${app.baseUrl}/sign-in`);
    await page.getByLabel("Email").fill("not an email");
    await page.getByRole("button", { name: "Email me a sign-in link" }).click();
    await page.getByText("Enter a valid email address, like name@company.com").waitFor();
    const input = page.getByLabel("Email");
    expect(await input.getAttribute("aria-invalid")).toBe("true");
    expect(await input.inputValue()).toBe("not an email");
    await page.close();
  });

  it("signs in, names a first-time person, and signs out with plain forms", async () => {
    const page = await context.newPage();
    await signInViaDevMailbox(page, app, "newcomer@partner.example");
    await page.getByRole("heading", { name: "Welcome to Undersigned" }).waitFor();
    await page.getByRole("button", { name: "Save and continue" }).click();
    await page.getByText("Enter the name colleagues know you by").waitFor();
    await page.getByLabel("Display name").fill("Nico Newcomer");
    await page.getByRole("button", { name: "Save and continue" }).click();
    await page.getByText("Welcome, Nico Newcomer.").waitFor();
    expect(await page.locator("header").innerText()).toContain("Nico Newcomer");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByText("You are signed out.").waitFor();
    await page.close();
  });
});

describe("HTTP behaviour", () => {
  it("serves a real 404 page for unknown URLs", async () => {
    const page = await context.newPage();
    const response = await page.goto(`${app.baseUrl}/no/such/page`);
    expect(response?.status()).toBe(404);
    await page.getByRole("heading", { name: "Page not found" }).waitFor();
    await page.close();
  });

  it("answers /healthz with a small JSON body", async () => {
    const response = await fetch(`${app.baseUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "ok", database: "ok", storage: "ok" });
  });

  it("sends no third-party requests: a strict CSP on every page", async () => {
    const response = await fetch(`${app.baseUrl}/`);
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
    const html = await response.text();
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)="https?:\/\//);
  });

  it("never changes data on GET: visiting /sign-out does not sign out", async () => {
    const response = await fetch(`${app.baseUrl}/sign-out`, { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.get("set-cookie")).toBeNull();
  });

  it("answers bad input with a clear 4xx, never a 500", async () => {
    const badToken = await fetch(`${app.baseUrl}/sign-in/verify`, {
      method: "POST",
      body: new URLSearchParams({ token: "x" }),
    });
    expect(badToken.status).toBe(400);
    expect(await badToken.text()).toContain("expired or was already used");
    const badEmail = await fetch(`${app.baseUrl}/sign-in`, {
      method: "POST",
      body: new URLSearchParams({ email: "" }),
    });
    expect(badEmail.status).toBe(400);
    const badMailbox = await fetch(`${app.mailboxUrl}/messages/abc`);
    expect(badMailbox.status).toBe(404);
  });

  it("rate-limits sign-in requests with a clear message", async () => {
    let last: Response | undefined;
    for (let i = 0; i < 6; i++) {
      last = await fetch(`${app.baseUrl}/sign-in`, {
        method: "POST",
        body: new URLSearchParams({ email: "flood@partner.example" }),
      });
    }
    expect(last?.status).toBe(429);
    expect(last?.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(await last?.text()).toContain("Too many sign-in requests");
  });
});
