import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Database from "better-sqlite3";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalIdp, startLocalIdp } from "../../app/demo/local-idp";
import { type AppServer, freePort, startAppServer } from "../support/app-server";
import { expectNoAxeViolations, launchBrowser } from "../support/browser";
import { samlIdentityProvider } from "../support/saml-idp";
import { extractLink } from "../support/smtp";

/**
 * Signing in with the company's identity provider in Chromium, through the real pages: the local
 * OpenID Provider (oidc-provider) and a SAML identity provider (samlify) both run in this process on
 * 127.0.0.1, the built app in its own.
 */
let idp: LocalIdp;
let samlServer: Server;
let app: AppServer;
let browser: Browser;
const saml = samlIdentityProvider();

type PersonRow = {
  id: number;
  name: string;
  department: string | null;
  location: string | null;
  active: number;
};
function person(email: string): PersonRow | undefined {
  const db = new Database(app.databasePath, { readonly: true });
  try {
    return db
      .prepare<[string], PersonRow>(
        "select id, name, department, location, active from people where email = ?",
      )
      .get(email);
  } finally {
    db.close();
  }
}

/** The SAML provider's sign-in page: reads the AuthnRequest and offers a signed answer to post back. */
async function startSamlPage(appUrl: string): Promise<string> {
  samlServer = createServer((req, res) => {
    (async () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const metadata = await (await fetch(`${appUrl}/auth/saml/metadata`)).text();
      const requestId = await saml.requestId(metadata, url.href);
      const response = await saml.respond(metadata, requestId, {
        nameId: "mei@corp.example",
        email: "mei@corp.example",
        name: "Mei Chen",
        department: "Design",
        locality: "Taipei",
      });
      const relay = url.searchParams.get("RelayState") ?? "";
      res
        .writeHead(200, { "Content-Type": "text/html; charset=utf-8" })
        .end(
          `<!doctype html><html lang="en"><head><title>Corp SAML</title></head><body><main><h1>Corp SAML</h1><form method="post" action="${appUrl}/auth/saml/acs"><input type="hidden" name="SAMLResponse" value="${response}"><input type="hidden" name="RelayState" value="${relay.replace(/"/g, "&quot;")}"><button type="submit">Continue to Undersigned</button></form></main></body></html>`,
        );
    })().catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => samlServer.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(samlServer.address() as AddressInfo).port}/sso`;
}

beforeAll(async () => {
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  idp = await startLocalIdp({
    clientId: "undersigned-browser",
    clientSecret: "browser-test-secret",
    redirectUris: [`${appUrl}/auth/oidc/callback`],
    postLogoutRedirectUris: [`${appUrl}/`],
    accounts: [
      {
        sub: "nia",
        email: "nia@corp.example",
        name: "Nia Newcomer",
        department: "Finance",
        locality: "Lisbon",
      },
      {
        sub: "sam",
        email: "sam@corp.example",
        name: "Sam Staff",
        department: "Research",
        locality: "Remote",
      },
      {
        sub: "ada",
        email: "ada@corp.example",
        name: "Ada Admin",
        department: "Operations",
        locality: "London",
        groups: ["undersigned-admins"],
      },
      // A second account at the provider carrying Ada's address (her new one, as it turns out).
      { sub: "ada-2", email: "ada@corp.example", name: "Ada Second", groups: ["undersigned-admins"] },
    ],
  });
  const ssoUrl = await startSamlPage(appUrl);
  app = await startAppServer(
    {
      APP_URL: appUrl,
      COMPANY_NAME: "Corp",
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: "undersigned-browser",
      OIDC_CLIENT_SECRET: "browser-test-secret",
      IDP_ROLE_GROUPS: "admin=undersigned-admins",
      SAML_ENTRY_POINT: ssoUrl,
      SAML_IDP_CERT: saml.certificate,
      SAML_IDP_ISSUER: saml.entityId,
    },
    { port },
  );
  await app.cli(
    "import-staff",
    app.writeFile(
      "staff.csv",
      "email,name,department,location\nsam@corp.example,Sam Staff,Research,Berlin\n",
    ),
  );
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await idp?.stop();
  await new Promise((resolve) => samlServer?.close(resolve));
});

async function signInWithProvider(page: Awaited<ReturnType<Browser["newPage"]>>, account: string) {
  await page.goto(`${app.baseUrl}/sign-in?redirectTo=/petitions`);
  await page.getByRole("button", { name: "Sign in with Corp", exact: true }).click();
  await page.waitForURL(`${idp.issuer}/**`);
  await page.getByRole("button", { name: new RegExp(`^${account}`) }).click();
  await page.waitForURL(`${app.baseUrl}/petitions`);
}

describe("Sign in with the company's OpenID Provider", () => {
  it("offers the provider first, signs a newcomer in with their claims, updates them next time, and signs out at the provider", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${app.baseUrl}/sign-in`);
    const buttons = page.getByRole("button");
    await expect(buttons.first().textContent()).resolves.toBe("Sign in with Corp");
    await expect(page.getByRole("button", { name: "Sign in with Corp (SAML)" }).count()).resolves.toBe(1);
    await expect(page.getByLabel("Email").count()).resolves.toBe(1);
    await expectNoAxeViolations(page);

    await signInWithProvider(page, "Nia Newcomer");
    await expect(page.getByText("You are signed in.").count()).resolves.toBe(1);
    await expect(page.locator("summary.who").textContent()).resolves.toBe("Nia Newcomer");
    expect(person("nia@corp.example")).toMatchObject({
      name: "Nia Newcomer",
      department: "Finance",
      location: "Lisbon",
    });
    expect(await context.cookies()).not.toContainEqual(expect.objectContaining({ name: "__oidc" }));

    // Sign-out ends this session and goes on to the provider's, which comes back home.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${idp.issuer}/**`);
    await page.getByRole("button", { name: "Yes, sign me out" }).click();
    await page.waitForURL(`${app.baseUrl}/`);
    await expect(page.getByRole("link", { name: "Sign in", exact: true }).count()).resolves.toBe(1);

    const account = idp.accounts.get("nia");
    if (account) Object.assign(account, { department: "Treasury", locality: "Porto" });
    await signInWithProvider(page, "Nia Newcomer");
    expect(person("nia@corp.example")).toMatchObject({ department: "Treasury", location: "Porto" });
    await context.close();
  });

  it("links a colleague the directory lists by their verified email", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const before = person("sam@corp.example");
    await signInWithProvider(page, "Sam Staff");
    expect(person("sam@corp.example")).toMatchObject({ id: before?.id, location: "Remote" });
    await context.close();
  });

  it("gives a mapped role from the provider's groups, shown as managed there, and lets an admin switch the emailed link off", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInWithProvider(page, "Ada Admin");
    const ada = person("ada@corp.example");
    await page.goto(`${app.baseUrl}/admin/people/${ada?.id}`);
    await expect(page.getByText("Managed by Corp's identity provider").count()).resolves.toBe(1);
    await expectNoAxeViolations(page);

    await page.goto(`${app.baseUrl}/admin/settings`);
    await expectNoAxeViolations(page);
    await page.getByLabel(/Sign-in by emailed link stays open/).uncheck();
    await page.getByRole("button", { name: /save/i }).click();
    await page.waitForURL(`${app.baseUrl}/admin/settings`);

    const visitor = await browser.newContext();
    const signIn = await visitor.newPage();
    await signIn.goto(`${app.baseUrl}/sign-in`);
    await expect(signIn.getByLabel("Email").count()).resolves.toBe(0);
    await expect(
      signIn.getByRole("button", { name: "Sign in with Corp", exact: true }).count(),
    ).resolves.toBe(1);
    const posted = await fetch(`${app.baseUrl}/sign-in`, {
      method: "POST",
      headers: { Origin: app.baseUrl, "Content-Type": "application/x-www-form-urlencoded" },
      body: "email=sam%40corp.example",
    });
    expect(posted.status).toBe(403);
    await visitor.close();

    await page.goto(`${app.baseUrl}/admin/settings`);
    await page.getByLabel(/Sign-in by emailed link stays open/).check();
    await page.getByRole("button", { name: /save/i }).click();
    await page.waitForURL(`${app.baseUrl}/admin/settings`);
    await context.close();
  });

  it("answers a callback that is not this browser's with a 400 page and no session", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const response = await page.goto(
      `${app.baseUrl}/auth/oidc/callback?code=forged&state=forged&iss=${encodeURIComponent(idp.issuer)}`,
    );
    expect(response?.status()).toBe(400);
    await expect(page.getByRole("heading", { name: "You are not signed in" }).count()).resolves.toBe(1);
    await expectNoAxeViolations(page);
    expect((await context.cookies()).map((c) => c.name)).not.toContain("__session");
    await context.close();
  });
});

/** The newest emailed link of this kind to `email`, as the outbox holds it (no SMTP here). */
function emailedLink(email: string, path: string): string {
  const db = new Database(app.databasePath, { readonly: true });
  try {
    const text =
      db
        .prepare<[string], { text: string }>(
          "select text_body as text from outbox where to_address = ? order by id desc limit 1",
        )
        .get(email)?.text ?? "";
    return extractLink(text, path);
  } finally {
    db.close();
  }
}

describe("A second provider account carrying a role holder's address", () => {
  it("is held with a plain page until the emailed link's button connects it", async () => {
    // Ada holds the admin role (her provider groups) through her first account.
    const first = await browser.newContext();
    await signInWithProvider(await first.newPage(), "Ada Admin");
    await first.close();

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${app.baseUrl}/sign-in`);
    await page.getByRole("button", { name: "Sign in with Corp", exact: true }).click();
    await page.waitForURL(`${idp.issuer}/**`);
    await page.getByRole("button", { name: /^Ada Second/ }).click();
    await page.waitForURL(`${app.baseUrl}/auth/oidc/callback**`);
    await page.getByRole("heading", { name: "You are not signed in" }).waitFor();
    await expect(page.getByText("is already connected to another Corp account here").count()).resolves.toBe(
      1,
    );
    await expectNoAxeViolations(page);
    expect((await context.cookies()).map((c) => c.name)).not.toContain("__session");

    await page.goto(emailedLink("ada@corp.example", "/sign-in/link"));
    await page.getByRole("heading", { name: "Was this you?" }).waitFor();
    await expect(page.getByText("Ada Second", { exact: true }).count()).resolves.toBe(1);
    await expectNoAxeViolations(page);
    await page.getByRole("button", { name: "Yes, connect this Corp account" }).click();
    await page.waitForURL(`${app.baseUrl}/sign-in`);
    // The flash shows once the client-side navigation has rendered the page.
    await page.getByText("Your Corp account is connected.", { exact: false }).waitFor();

    await context.close();

    // Now that account signs in as Ada (another browser: the provider would not ask again in this one).
    const later = await browser.newContext();
    const again = await later.newPage();
    await signInWithProvider(again, "Ada Second");
    await expect(again.locator("summary.who").textContent()).resolves.toBe("Ada Second");
    expect(person("ada@corp.example")?.name).toBe("Ada Second");
    await later.close();
  });
});

describe("Sign in with the company's SAML identity provider", () => {
  it("posts the signed answer from the provider's page to the assertion consumer and signs in", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${app.baseUrl}/sign-in?redirectTo=/petitions`);
    await page.getByRole("button", { name: "Sign in with Corp (SAML)" }).click();
    await page.waitForURL(/\/sso\?/);
    await page.getByRole("button", { name: "Continue to Undersigned" }).click();
    await page.waitForURL(`${app.baseUrl}/petitions`);
    await expect(page.locator("summary.who").textContent()).resolves.toBe("Mei Chen");
    expect(person("mei@corp.example")).toMatchObject({ department: "Design", location: "Taipei" });

    // The same answer again (the browser's back button and resubmit): refused, no new session.
    await page.goBack();
    await page.waitForURL(/\/sso\?/);
    await page.getByRole("button", { name: "Continue to Undersigned" }).click();
    await page.getByRole("heading", { name: "You are not signed in" }).waitFor();
    await expectNoAxeViolations(page);
    await context.close();
  });
});

describe("starting with a bad identity provider configuration", () => {
  it("stops the server with a message naming the variable", async () => {
    await expect(startAppServer({ OIDC_ISSUER: "login.corp.example", OIDC_CLIENT_ID: "x" })).rejects.toThrow(
      /OIDC_ISSUER: must be an absolute https URL[\s\S]*OIDC_CLIENT_SECRET: is required/,
    );
  });
});
