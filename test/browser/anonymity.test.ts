import Database from "better-sqlite3";
import type { Browser, Page, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { User } from "../../app/domain/identity/sessions.server";
import { createPolicy } from "../../app/domain/policies/registry.server";
import { DAY_MS } from "../../app/platform/time";
import { giveTokenHolders } from "../support/anonymous";
import { type AppServer, advanceServerClock, startAppServer } from "../support/app-server";
import { expectNoAxeViolations, launchBrowser } from "../support/browser";
import { makeCompany, openPetition } from "../support/petition-fixtures";
import { closeDb, useServerDatabase } from "../support/server-database";
import { signedInAs } from "../support/sign-in-flow";

/**
 * Anonymous signing and feedback in Chromium, through the real pages: the browser blinds, redeems
 * without cookies, and keeps the token; the server counts in batches (here of one, every minute, so
 * that a test sees its own signature counted).
 */
let app: AppServer;
let browser: Browser;
let company: ReturnType<typeof makeCompany>;
let petitionUrl = "";
let apiUrl = "";
let policySlug = "";

const as = signedInAs(
  () => browser,
  () => app,
  (name) => `${name}@corp.example`,
);
const person = (i: number): User => {
  const user = company.staff[i - 1];
  if (!user) throw new Error(`no staff${i}`);
  return user;
};

beforeAll(async () => {
  app = await startAppServer({}, { clock: true });
  useServerDatabase(app);
  company = makeCompany(12);
  const petition = openPetition(company, "Let staff pause keystroke logging during private calls");
  // At least 20 colleagues hold its token: below that, no anonymous signature counts.
  await giveTokenHolders(petition);
  petitionUrl = `${app.baseUrl}/petitions/${petition.slug}`;
  apiUrl = `${app.baseUrl}/api/petitions/${petition.id}`;
  policySlug = createPolicy(
    {
      title: "Model Capability Initiative data collection",
      summary: "What is logged from staff machines to train AI models.",
      ownerTeam: "AI Platform",
      ownerEmails: person(1).email,
      body: "Keystrokes and clicks are logged on company machines.",
      changeSummary: "First version",
      effectiveAt: new Date(Date.now() - 86_400_000),
    },
    company.leader,
  ).slug;
  closeDb();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

const count = async () => {
  const body = (await (await fetch(`${apiUrl}/count`)).json()) as { signatureCount: number };
  return body.signatureCount;
};

/**
 * Waits (bounded) for the count to reach `expected`, once the server's clock has moved past midnight
 * (a lone act is counted with the day's leftovers).
 */
async function countReaches(expected: number) {
  if ((await count()) !== expected) advanceServerClock(app, DAY_MS);
  for (let i = 0; i < 150 && (await count()) !== expected; i++)
    await new Promise((r) => setTimeout(r, 1_000));
  expect(await count()).toBe(expected);
}

/** A read-only look at the server's database file, as its operator would. */
function database<T>(read: (db: Database.Database) => T): T {
  const db = new Database(app.databasePath, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

function watchAnonymousRequests(page: Page) {
  const seen: Request[] = [];
  page.on("request", (request) => {
    if (
      /\/api\/(petitions\/\d+\/anonymous|policies\/\d+\/anonymous-feedback|feedback\/replies)/.test(
        request.url(),
      )
    )
      seen.push(request);
  });
  return seen;
}

describe("signing anonymously with JavaScript", { timeout: 400_000 }, () => {
  it("redeems without a cookie, says it is pending, and counts after the batch", async () => {
    const page = await as("staff5");
    const requests = watchAnonymousRequests(page);
    await page.goto(petitionUrl);
    await expectNoAxeViolations(page);
    // Before the choice: it cannot be switched later, and what it does not protect against.
    await page.getByText("You choose once: a public signature stays public").waitFor();
    await page.getByText(/cannot protect you from someone watching the network or the server live/).waitFor();
    await page.getByLabel(/^Anonymously/).check();
    await page.getByLabel("Why I'm signing (optional)").fill("I call my doctor from my desk.");
    await page.getByRole("button", { name: "Sign", exact: true }).click();
    await page.getByRole("heading", { name: "You signed anonymously" }).waitFor();
    await expectNoAxeViolations(page);

    const redemption = requests.find((r) => r.method() === "POST" && r.url().endsWith("/anonymous"));
    expect(redemption).toBeDefined();
    const headers = (await redemption?.allHeaders()) ?? {};
    expect(headers.cookie).toBeUndefined();
    const answer = await redemption?.response();
    expect(answer?.status()).toBe(202);
    expect((await answer?.allHeaders())?.["set-cookie"]).toBeUndefined();

    await countReaches(1);
    await page.reload();
    await page.getByRole("heading", { name: "You signed anonymously" }).waitFor();
    await page.getByText(/Entry #\d+ of the/).waitFor();
    expect(await page.getByText("0 public · 1 anonymous").count()).toBe(1);
    const receipt = (await page.locator(".receipt-code").first().textContent()) ?? "";
    expect(receipt).toMatch(/^[0-9a-f]{64}$/);
    // Anyone can check it: the petition's list of anonymous signatures holds the receipt's token.
    const listed = (await (await fetch(`${apiUrl}/anonymous`)).json()) as {
      signatures: { tokenId: string }[];
    };
    expect(listed.signatures.map((s) => s.tokenId)).toEqual([receipt]);
    expect(await app.cli("verify-anonymous", String(apiUrl.split("/").at(-1)))).toMatch(
      /^ok\s+petition \d+: 1 anonymous signatures \(0 from before tokens\), 1 standing/,
    );
    // The operator's copy: the signature has no person, and the issuance row has only the day.
    database((db) => {
      const row = db.prepare("select * from anonymous_signatures").get() as Record<string, unknown>;
      expect(Object.keys(row).some((c) => /person|author|session|ip/.test(c))).toBe(false);
      const issued = db.prepare("select issued_on from token_issuance").all() as { issued_on: number }[];
      for (const r of issued) expect(r.issued_on % 86_400_000).toBe(0);
    });
    // The reason became an anonymous comment with no author.
    expect(await (await fetch(petitionUrl)).text()).toContain("I call my doctor from my desk.");
    // My petitions lists it from what this browser holds.
    await page.goto(`${app.baseUrl}/my/petitions`);
    await page
      .getByRole("region", { name: "Signed anonymously from this browser" })
      .getByRole("link", { name: /Let staff pause keystroke logging/ })
      .waitFor();
    await page.close();
  });

  it("withdraws with the key only this browser holds, and signs again", async () => {
    const page = await as("staff5");
    await page.goto(petitionUrl);
    await page.getByRole("button", { name: "Withdraw my anonymous signature" }).click();
    await page.getByText(/Your withdrawal is waiting for the next batch/).waitFor();
    await countReaches(0);
    await page.reload();
    await page.getByRole("heading", { name: "You withdrew your anonymous signature" }).waitFor();
    await page.getByRole("button", { name: "Sign again anonymously" }).click();
    await countReaches(1);
    // A withdrawal the browser did not sign (the operator forging one) is refused.
    const tokenId = (await page.locator(".receipt-code").first().textContent()) ?? "";
    const forged = await fetch(`${apiUrl}/anonymous/${tokenId}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ action: "withdraw", seq: 3, proof: "A".repeat(86) }),
    });
    expect(forged.status).toBe(403);
    expect(await count()).toBe(1);
    await page.close();
  });

  it("moves its tokens to a second browser, and forgets them on this one", async () => {
    const first = await as("staff5");
    await first.goto(`${app.baseUrl}/my/tokens`);
    await expectNoAxeViolations(first);
    await first.getByRole("button", { name: "Show my export code" }).click();
    const code = await first.getByLabel("Export code").inputValue();
    expect(code.length).toBeGreaterThan(100);

    // Another device: a fresh context, signed in as the same person.
    const other = await browser.newContext();
    const second = await other.newPage();
    await second.goto(`${app.baseUrl}/my/tokens`);
    await second.getByLabel("Code from the other device").fill(code);
    await second.getByRole("button", { name: "Import" }).click();
    await second.getByText(/items? added to this browser/).waitFor();
    await second.goto(petitionUrl);
    await second.getByRole("heading", { name: "You signed anonymously" }).waitFor();

    // Forgotten on the first: the petition no longer knows this browser signed, and a second
    // anonymous signature is refused (one token per person, never issued twice).
    await first.goto(`${app.baseUrl}/my/tokens`);
    await first.getByRole("button", { name: "Forget my tokens on this device" }).click();
    await first.getByText("This browser holds no tokens any more.").waitFor();
    await first.goto(petitionUrl);
    await first.getByRole("heading", { name: "Sign this petition" }).waitFor();
    await first.getByLabel(/^Anonymously/).check();
    await first.getByRole("button", { name: "Sign", exact: true }).click();
    await first.getByText(/A token was already issued to you/).waitFor();
    expect(await count()).toBe(1);

    // The second browser withdraws it: the key moved with the code.
    await second.getByRole("button", { name: "Withdraw my anonymous signature" }).click();
    await countReaches(0);
    await other.close();
    await first.close();
  });
});

describe("one signature per person", { timeout: 400_000 }, () => {
  it("a public signature spends the browser's token, which then cannot sign anonymously", async () => {
    const page = await as("staff6");
    await page.goto(petitionUrl);
    await page.getByRole("button", { name: "Sign", exact: true }).click();
    await page.getByRole("heading", { name: "You signed publicly" }).waitFor();
    await countReaches(1);
    const spent = database(
      (db) =>
        db
          .prepare(
            "select s.token_id from signatures s join people p on p.id = s.person_id where p.email = ? and s.withdrawn_at is null",
          )
          .get(person(6).email) as { token_id: string | null },
    );
    expect(spent.token_id).toMatch(/^[0-9a-f]{64}$/);
    // Redeeming that token anonymously is refused: the two signatures would be one person.
    const entry = (await page.evaluate(`(async () => {
      const request = indexedDB.open("undersigned-wallet");
      const db = await new Promise((resolve) => { request.onsuccess = () => resolve(request.result); });
      const tx = db.transaction("entries").objectStore("entries").getAll();
      return await new Promise((resolve) => { tx.onsuccess = () => resolve(tx.result.filter((e) => e.kind === "petition" && e.status === "public").map((e) => e.token)); });
    })()`)) as Array<{ message: string; signature: string }>;
    expect(entry).toHaveLength(1);
    const redeem = await fetch(`${apiUrl}/anonymous`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(entry[0]),
    });
    expect(redeem.status).toBe(409);
    await page.close();
  });

  it("someone holding a token cannot sign publicly without it, from a page without JavaScript", async () => {
    const withScript = await as("staff7");
    await withScript.goto(petitionUrl);
    await withScript.getByLabel(/^Anonymously/).check();
    await withScript.getByRole("button", { name: "Sign", exact: true }).click();
    await withScript.getByRole("heading", { name: "You signed anonymously" }).waitFor();
    await countReaches(2);
    const plain = await as("staff7", false);
    await plain.goto(petitionUrl);
    await plain.getByRole("button", { name: "Sign", exact: true }).click();
    await plain.getByText(/Your browser holds a token for this petition/).waitFor();
    expect(await count()).toBe(2);
    await plain.close();
    await withScript.close();
  });
});

describe("without JavaScript", { timeout: 100_000 }, () => {
  it("the form explains that anonymous signing needs it, and a forced anonymous post is refused", async () => {
    const page = await as("staff8", false);
    await page.goto(petitionUrl);
    await page.getByText(/Signing anonymously needs JavaScript/).waitFor();
    expect(await page.getByLabel(/^Anonymously/).isDisabled()).toBe(true);
    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    const forced = await fetch(petitionUrl, {
      method: "POST",
      headers: { Cookie: cookie, Origin: app.baseUrl },
      body: new URLSearchParams({ intent: "sign", visibility: "anonymous" }),
      redirect: "manual",
    });
    expect(forced.status).toBe(400);
    expect(await forced.text()).toContain("Signing anonymously happens in your browser");
    expect(await count()).toBe(2);
    await page.goto(`${app.baseUrl}/my/tokens`);
    await page.getByText(/This page needs JavaScript/).waitFor();
    await page.close();
  });
});

describe("anonymous feedback", { timeout: 400_000 }, () => {
  it("is sent without a cookie, stored with no author, and its replies read with the receipt code", async () => {
    const page = await as("staff9");
    const requests = watchAnonymousRequests(page);
    await page.goto(`${app.baseUrl}/policies/${policySlug}`);
    await page.getByLabel("Your feedback").fill("My manager reads the logs. I cannot say this with my name.");
    await page.getByLabel(/^Send anonymously/).check();
    await page.getByRole("button", { name: "Send feedback" }).click();
    await page.getByText(/Sent anonymously: it is stored with no author/).waitFor();
    const secret = (await page.locator(".flash .receipt-code").textContent()) ?? "";
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const sent = requests.find((r) => r.url().includes("/anonymous-feedback"));
    expect((await sent?.allHeaders())?.cookie).toBeUndefined();
    // Stored with the next batch, with no author.
    for (let i = 0; i < 60; i++) {
      if (database((db) => db.prepare("select count(*) as n from policy_feedback").get() as { n: number }).n)
        break;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const stored = database(
      (db) => db.prepare("select author_id, created_at from policy_feedback").get() as Record<string, number>,
    );
    expect(stored.author_id).toBeNull();
    expect(Number(stored.created_at) % 86_400_000).toBe(0);

    // The owner replies in the inbox; nobody is emailed; the sender reads it on My feedback.
    const owner = await as("staff1");
    await owner.goto(`${app.baseUrl}/policies/${policySlug}/feedback`);
    await owner
      .getByLabel("Reply privately")
      .first()
      .fill("Thank you. We will publish who can read the logs.");
    await owner.getByRole("button", { name: "Send reply" }).first().click();
    await owner.getByText(/^Reply sent/).waitFor();
    await owner.close();
    await page.goto(`${app.baseUrl}/my/feedback`);
    await page.getByText("We will publish who can read the logs.").waitFor();
    // Any browser with the receipt code reads it too.
    const stranger = await (await browser.newContext()).newPage();
    await stranger.goto(`${app.baseUrl}/feedback/receipt`);
    await stranger.getByLabel("Receipt code").fill(secret);
    await stranger.getByRole("button", { name: "Read replies" }).click();
    await stranger.getByText("We will publish who can read the logs.").waitFor();
    await expectNoAxeViolations(stranger);
    await stranger.context().close();
    await page.close();
  });
});
