import type { Browser, BrowserContext, Page, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { transitionPetition } from "../../../app/domain/petitions/lifecycle.server";
import { setUpAnonymousSigning } from "../../support/anonymous-device";
import { type AppServer, freePort, startAppServer } from "../../support/app-server";
import { expectNoAxeViolations, launchBrowser } from "../../support/browser";
import { draftPetition, makeCompany, openPetition } from "../../support/petition-fixtures";
import { closeDb, useServerDatabase } from "../../support/server-database";
import { signInViaDevMailbox } from "../../support/sign-in-flow";

/**
 * Sharing is offered right after a signature, and the page that offers it after an anonymous one
 * is the public signer's page to the byte: the same panel, built from what the page already held,
 * and the same requests — every request the page makes, recorded, is the same list for both apart
 * from the signing itself. Teams opens only on a click (answered here by a stand-in: no test
 * reaches Microsoft); copying asks nothing of the server.
 */
let app: AppServer;
let browser: Browser;
let base = "";
let company: ReturnType<typeof makeCompany>;
let open = { id: 0, slug: "", title: "" };
let collecting = { slug: "" };

beforeAll(async () => {
  // "localhost": WebCrypto (anonymous signing) needs a secure context, and the share panel's
  // address is APP_URL's.
  const port = await freePort();
  base = `http://localhost:${port}`;
  app = await startAppServer({ APP_URL: base }, { port, clock: true });
  useServerDatabase(app);
  company = makeCompany(12);
  const petition = openPetition(company, "Let staff read the logs kept of their calls");
  open = { id: petition.id, slug: petition.slug, title: petition.title };
  const draft = draftPetition(company.member(1), "Publish the rules for reading staff mailboxes");
  transitionPetition(draft.id, { action: "submit" }, company.member(1));
  collecting = { slug: draft.slug };
  closeDb();
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

/** A colleague's browser, signed in, set up for anonymous signing, its first background run done. */
async function device(name: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
  // Microsoft's Share to Teams page, stood in for: what the click opens is checked, nothing leaves.
  await context.route("https://teams.microsoft.com/**", (route) =>
    route.fulfill({ status: 200, contentType: "text/plain", body: "Share to Teams" }),
  );
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  await signInViaDevMailbox(page, { baseUrl: base, mailboxUrl: app.mailboxUrl }, `${name}@corp.example`);
  await setUpAnonymousSigning(page, base);
  await page.goto("about:blank");
  return { context, page };
}

const VISIT_MS = 20_000;
type Sent = { method: string; url: string; at: "before" | "after" };

/**
 * One visit: the petition page, a signature, then every way of sharing it clicked. Every request
 * the page makes is recorded, marked by whether the signature's confirmation was on screen yet.
 */
async function signAndShare(page: Page, visibility: "public" | "anonymous") {
  const sent: Sent[] = [];
  let confirmed = false;
  const record = (request: Request) =>
    sent.push({ method: request.method(), url: request.url(), at: confirmed ? "after" : "before" });
  page.on("request", record);
  await page.goto(`${base}/petitions/${open.slug}`);
  await page.getByRole("heading", { name: "Sign this petition" }).waitFor();
  await page.waitForLoadState("networkidle");
  const loaded = Date.now();
  if (visibility === "anonymous") await page.getByLabel("Sign anonymously", { exact: true }).check();
  await page.getByRole("button", { name: "Sign", exact: true }).click();
  await page
    .getByRole("heading", {
      name: visibility === "anonymous" ? "You signed anonymously" : "You signed publicly",
    })
    .waitFor();
  await page.waitForLoadState("networkidle");
  confirmed = true;

  const panel = page.locator(".sharing-panel");
  await panel.getByRole("heading", { name: "Thank you. Ask colleagues to sign too" }).waitFor();
  const shown = await panel.evaluate((element) => element.outerHTML);
  // Following by name is offered only where the browser does not follow the petition on its own.
  const followByName = await page.getByRole("button", { name: "Follow with my name" }).count();

  await panel.getByRole("button", { name: "Copy link" }).click();
  await panel.getByText("Copied: paste it where your colleagues will read it.").waitFor();
  const copiedLink = await page.evaluate(() => navigator.clipboard.readText());
  await panel.getByText("Copy a message for Slack").click();
  await panel.getByRole("button", { name: "Copy the message" }).click();
  const copiedMessage = await page.evaluate(() => navigator.clipboard.readText());
  const email = await panel.getByRole("link", { name: "Send by email" }).getAttribute("href");
  const [teams] = await Promise.all([
    page.context().waitForEvent("page"),
    panel.getByRole("link", { name: "Post to Teams" }).click(),
  ]);
  await teams.waitForLoadState();
  const teamsUrl = teams.url();
  await teams.close();
  await expectNoAxeViolations(page);
  // Both visits outlast the count's 15-second refresh, which every reader's page makes.
  await page.waitForTimeout(Math.max(0, VISIT_MS - (Date.now() - loaded)));
  await page.waitForLoadState("networkidle");
  page.off("request", record);
  return { sent, shown, followByName, copiedLink, copiedMessage, email, teamsUrl };
}

describe("sharing right after signing", { timeout: 400_000 }, () => {
  it("is the same panel, and the same requests, after a public and after an anonymous signature", async () => {
    const publicSigner = await device("staff7");
    const anonymousSigner = await device("staff8");
    const publicVisit = await signAndShare(publicSigner.page, "public");
    const anonymousVisit = await signAndShare(anonymousSigner.page, "anonymous");

    // The same panel, byte for byte, and the same things shared.
    expect(anonymousVisit.shown).toBe(publicVisit.shown);
    // An anonymous signature follows the petition on the device; a named follow seconds later would
    // join the two, so it is not offered (the page the server sent is the same).
    expect(publicVisit.followByName).toBe(1);
    expect(anonymousVisit.followByName).toBe(0);
    const url = `${base}/petitions/${open.slug}`;
    for (const visit of [publicVisit, anonymousVisit]) {
      expect(visit.copiedLink).toBe(url);
      expect(visit.copiedMessage).toBe(`Please read and sign: ${open.title}\n${url}`);
      const mail = new URL(visit.email ?? "");
      expect(mail.protocol).toBe("mailto:");
      expect(mail.searchParams.get("subject")).toBe(`Petition: ${open.title}`);
      expect(mail.searchParams.get("body")).toContain(url);
      const teams = new URL(visit.teamsUrl);
      expect(teams.origin + teams.pathname).toBe("https://teams.microsoft.com/share");
      expect(teams.searchParams.get("href")).toBe(url);
    }

    // The signing itself: the anonymous redemption (cookieless, to the API), and the public form's
    // post with the page data it reloads. Everything else is the same list for both.
    const isSigning = (request: Sent) => {
      const { pathname, searchParams } = new URL(request.url);
      if (request.method === "POST") return true;
      return request.at === "before" && pathname === `/petitions/${open.slug}` && searchParams.has("_data");
    };
    const signing = (visit: { sent: Sent[] }) => visit.sent.filter(isSigning);
    expect(signing(anonymousVisit).map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual([
      `POST /api/petitions/${open.id}/anonymous`,
    ]);
    expect(signing(publicVisit).filter((r) => r.method === "POST")).toHaveLength(1);
    const lines = (visit: { sent: Sent[] }, at?: Sent["at"]) =>
      [
        ...new Set(
          visit.sent
            .filter((r) => !isSigning(r) && (!at || r.at === at))
            .map((r) => `${r.method} ${new URL(r.url).href}`),
        ),
      ].sort();
    expect(lines(anonymousVisit)).toEqual(lines(publicVisit));
    // Lists worth comparing: the page, its scripts and the public digest every reader's page reads.
    expect(lines(anonymousVisit)).toContain(`GET ${base}/petitions/${open.slug}`);
    expect(lines(anonymousVisit)).toContain(`GET ${base}/api/petitions/${open.id}/anonymous/recent`);
    expect(lines(anonymousVisit).filter((line) => line.endsWith(".js")).length).toBeGreaterThan(3);
    // After the confirmation, through every click of sharing, the page asks our server for nothing
    // but the refreshes every reader's open page makes (the count, the public digest): sharing is
    // built in the page, and Microsoft is reached only by the click, from the tab it opens.
    const everyReadersRefresh = [
      `GET ${base}/api/petitions/${open.slug}/count`,
      `GET ${base}/api/petitions/${open.id}/anonymous/recent`,
    ];
    for (const visit of [publicVisit, anonymousVisit]) {
      const ours = lines(visit, "after").filter((line) => line.includes(base));
      expect(ours.filter((line) => !everyReadersRefresh.includes(line))).toEqual([]);
    }
    await publicSigner.context.close();
    await anonymousSigner.context.close();
  });

  it("asks for co-sponsors right after co-sponsoring", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInViaDevMailbox(page, { baseUrl: base, mailboxUrl: app.mailboxUrl }, "staff10@corp.example");
    await page.goto(`${base}/petitions/${collecting.slug}`);
    await page.getByRole("heading", { name: "Share this petition" }).waitFor();
    await page.getByRole("button", { name: "Co-sponsor this petition" }).click();
    await page.getByRole("heading", { name: "Thank you. Ask colleagues to co-sponsor too" }).waitFor();
    const message = await page.getByLabel("A message for Slack").inputValue();
    expect(message).toBe(
      `Looking for co-sponsors: Publish the rules for reading staff mailboxes\n${base}/petitions/${collecting.slug}`,
    );
    await expectNoAxeViolations(page);
    await context.close();
  });

  it("works without JavaScript: the address and the message to select, the links as links", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${base}/petitions/${open.slug}`);
    const panel = page.locator(".sharing-panel");
    await panel.getByRole("heading", { name: "Share this petition" }).waitFor();
    expect(await panel.getByLabel("Address of this petition").inputValue()).toBe(
      `${base}/petitions/${open.slug}`,
    );
    expect(await panel.getByRole("button").count()).toBe(0);
    expect(await panel.getByRole("link", { name: "Send by email" }).getAttribute("href")).toMatch(
      /^mailto:\?subject=/,
    );
    expect(await panel.getByRole("link", { name: "Post to Teams" }).getAttribute("href")).toMatch(
      /^https:\/\/teams\.microsoft\.com\/share\?href=/,
    );
    await context.close();
  });
});
