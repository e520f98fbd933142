import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppServer, startAppServer } from "../support/app-server";
import { expectNoAxeViolations, launchBrowser } from "../support/browser";
import { requestLink } from "../support/sign-in-flow";
import { extractLink, startSmtpServer } from "../support/smtp";

let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let app: AppServer;
let browser: Browser;

beforeAll(async () => {
  smtp = await startSmtpServer();
  app = await startAppServer({ SMTP_URL: smtp.url, MAIL_FROM: "Undersigned <petitions@corp.example>" });
  await app.cli(
    "import-staff",
    app.writeFile(
      "staff.csv",
      "email,name,department,location\nada@corp.example,Ada Lovelace,Engineering,London\ngrace@corp.example,Grace Hopper,Research,Berlin\n",
    ),
  );
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await smtp?.close();
});

describe("signing in with a link that arrives by email", () => {
  it("signs in through the pages, survives a mail scanner, and signs out", async () => {
    const page = await browser.newPage();
    await page.goto(app.baseUrl);
    await expectNoAxeViolations(page);
    await page.getByRole("link", { name: "Sign in", exact: true }).click();
    await page.waitForURL(/\/sign-in$/);

    await requestLink(page, app.baseUrl, "Ada@Corp.Example", true);
    await expectNoAxeViolations(page);
    expect(await page.content()).not.toContain("dev mailbox");
    const mail = await smtp.waitFor((m) => m.to.includes("ada@corp.example"));
    expect(mail.parsed.from?.text).toBe('"Undersigned" <petitions@corp.example>');
    const link = extractLink(mail.parsed.text ?? "", "/sign-in/verify");
    expect(link.startsWith(`${app.baseUrl}/sign-in/verify?token=`)).toBe(true);

    // A mail scanner opening the link (GET) must not use it up.
    const scanned = await fetch(link);
    expect(scanned.status).toBe(200);
    expect(await scanned.text()).toContain("Finish signing in");

    await page.goto(link);
    await page.getByRole("heading", { name: "Finish signing in" }).waitFor();
    await expectNoAxeViolations(page);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("You are signed in.").waitFor();
    await expect(page.locator("header").innerText()).resolves.toContain("Ada Lovelace");
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === "__session");
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax" });
    await expectNoAxeViolations(page);

    // The link worked once.
    await page.goto(link);
    await page.getByRole("heading", { name: "This link cannot be used" }).waitFor();

    // With SMTP the email is the only copy: no dev mailbox listens (nor did the page point to one),
    // and the log holds no link.
    await expect(fetch(app.mailboxUrl)).rejects.toThrow();
    expect(app.output()).not.toContain("/sign-in/verify");
    expect(app.output()).not.toContain("dev mailbox");

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByText("You are signed out.").waitFor();
    await page.goto(`${app.baseUrl}/welcome`);
    await page.waitForURL(/\/sign-in\?redirectTo=%2Fwelcome/);
    await page.close();
  });

  it("validates the email in the page and stays accessible while showing the error", async () => {
    const page = await browser.newPage();
    await page.goto(`${app.baseUrl}/sign-in`);
    await page.getByRole("button", { name: "Email me a sign-in link" }).click();
    await page.getByText("Enter your email address").waitFor();
    expect(await page.getByLabel("Email").getAttribute("aria-invalid")).toBe("true");
    await expectNoAxeViolations(page);
    await page.close();
  });

  it("shows the same answer for an address that may not sign in, and sends it nothing", async () => {
    const page = await browser.newPage();
    const before = smtp.received.length;
    await requestLink(page, app.baseUrl, "stranger@elsewhere.example");
    await expect(page.getByRole("status").innerText()).resolves.toContain("stranger@elsewhere.example");
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(smtp.received.length).toBe(before);
    await page.close();
  });

  it("returns to the page that asked for sign-in", async () => {
    const page = await browser.newPage();
    await page.goto(`${app.baseUrl}/my/petitions`);
    await page.waitForURL(/redirectTo=%2Fmy%2Fpetitions/);
    await page.getByLabel("Email").fill("grace@corp.example");
    await page.getByRole("button", { name: "Email me a sign-in link" }).click();
    const mail = await smtp.waitFor((m) => m.to.includes("grace@corp.example"));
    await page.goto(extractLink(mail.parsed.text ?? "", "/sign-in/verify"));
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${app.baseUrl}/my/petitions`);
    await page.getByRole("heading", { name: "My petitions" }).waitFor();
    // A directory name is not the person's to change: the first-sign-in page sends them on.
    await page.goto(`${app.baseUrl}/welcome`);
    await page.waitForURL(`${app.baseUrl}/`);
    await page.close();
  });
});
