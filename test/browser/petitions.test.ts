import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findPublicPetition } from "../../app/domain/petitions/api.server";
import { DAY_MS } from "../../app/platform/time";
import { giveTokenHolders } from "../support/anonymous";
import { setUpAnonymousSigning } from "../support/anonymous-device";
import { type AppServer, advanceServerClock, startAppServer } from "../support/app-server";
import { expectNoAxeViolations, launchBrowser } from "../support/browser";
import { dateTimeFromNow } from "../support/dates";
import { closeDb, useServerDatabase } from "../support/server-database";
import { signedInAs } from "../support/sign-in-flow";

let app: AppServer;
let browser: Browser;

const STAFF = ["creator", "alice", "bob", "carol", "dan", "erin"];

/** One signed-in context per person (and per JavaScript setting), reused across the steps. */
const as = signedInAs(
  () => browser,
  () => app,
  (name) => `${name}@corp.example`,
);

let petitionUrl = "";

/** A device that has not taken the anonymous-signing step signs publicly after answering the question. */
const NOT_ANONYMOUSLY_ELSEWHERE = "I have not signed this petition anonymously on another device";

beforeAll(async () => {
  // Batches as configured: the steps reach one by moving the server's clock (advanceServerClock).
  app = await startAppServer({}, { clock: true });
  const rows = [
    "email,name,department,location",
    ...STAFF.map((n) => `${n}@corp.example,${n[0]?.toUpperCase()}${n.slice(1)} Person,Engineering,London`),
  ];
  rows.push(
    "mod@corp.example,Mo Derator,People,Berlin",
    "lead@corp.example,Lee Leader,Operations,London",
    "root@corp.example,Ria Root,Operations,London",
  );
  await app.cli("import-staff", app.writeFile("staff.csv", `${rows.join("\n")}\n`));
  await app.cli("grant-role", "mod@corp.example", "moderator");
  await app.cli("grant-role", "lead@corp.example", "leadership");
  await app.cli("grant-role", "root@corp.example", "admin");
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe("a petition from draft to signatures", () => {
  it("is created as a draft, with field errors for a too-short title", async () => {
    const page = await as("creator");
    await page.goto(`${app.baseUrl}/petitions/new`);
    await expectNoAxeViolations(page);
    await page.getByLabel("Title").fill("Too short");
    await page.getByRole("button", { name: "Save draft" }).click();
    await page.getByText("Make the title at least 10 characters").first().waitFor();
    await page.getByLabel("Title").fill("Let staff pause keystroke logging during private calls");
    await page
      .getByLabel("What do you ask for?")
      .fill("Let every member of staff pause the logging for up to 30 minutes.");
    await page
      .getByLabel("Why it matters")
      .fill(
        "Private calls with HR, doctors and representatives should never be logged. **Let us pause it.**",
      );
    await page.getByLabel("Days open for signatures (optional)").fill("30");
    await page.getByRole("button", { name: "Save draft" }).click();
    await page.getByText("Draft saved.").waitFor();
    petitionUrl = page.url();
    await page.goto(`${petitionUrl}/edit`);
    expect(await page.getByLabel("Days open for signatures (optional)").inputValue()).toBe("30");
    await page.goto(petitionUrl);
    expect(petitionUrl).toContain("/petitions/let-staff-pause-keystroke-logging-during-private-calls");
    await expectNoAxeViolations(page);
    await page.getByRole("button", { name: "Send for co-sponsors" }).click();
    await page.getByText("Sent for co-sponsors").waitFor();
    await page.close();
  });

  it("gathers three co-sponsors and goes to moderation", async () => {
    for (const name of ["alice", "bob", "carol"]) {
      const page = await as(name);
      await page.goto(petitionUrl);
      await page.getByRole("button", { name: "Co-sponsor this petition" }).click();
      await page.locator(".flash", { hasText: /^Thank you/ }).waitFor();
      // The last co-sponsor too lands on the petition (it awaits moderation), not on "not found".
      await page
        .getByRole("heading", { level: 1, name: "Let staff pause keystroke logging during private calls" })
        .waitFor();
      expect(await page.getByText("Page not found").count()).toBe(0);
      await page.close();
    }
    // Each of the page's forms answers for itself: without JavaScript, a rejection without a reason
    // comes back with the reason inside the rejection form, and no other form shows an error.
    const plain = await as("mod", false);
    await plain.goto(petitionUrl);
    await plain.getByRole("button", { name: "Reject" }).click();
    const rejectForm = plain.locator("form", { has: plain.getByRole("button", { name: "Reject" }) });
    await rejectForm
      .locator(".form-errors, .field-errors li", { hasText: "Choose a reason" })
      .first()
      .waitFor();
    const approveForm = plain.locator("form", {
      has: plain.getByRole("button", { name: "Approve and open" }),
    });
    expect(await approveForm.locator(".form-errors, .field-errors li").count()).toBe(0);
    expect(await plain.locator(".form-errors, .field-errors li").count()).toBe(
      await rejectForm.locator(".form-errors, .field-errors li").count(),
    );
    await plain.close();

    const moderator = await as("mod");
    await moderator.goto(`${app.baseUrl}/moderation`);
    await expectNoAxeViolations(moderator);
    await moderator
      .getByRole("link", { name: "Let staff pause keystroke logging during private calls" })
      .click();
    await expectNoAxeViolations(moderator);
    await moderator.getByRole("button", { name: "Approve and open" }).click();
    await moderator.getByText("Approved: the petition is open for signatures.").waitFor();
    await moderator.close();
    const api = (await (await fetch(petitionUrl.replace("/petitions/", "/api/petitions/"))).json()) as {
      openedAt: string;
      closesAt: string;
      milestones: Array<{ threshold: number }>;
    };
    expect(Date.parse(api.closesAt) - Date.parse(api.openedAt)).toBe(30 * 24 * 60 * 60_000);
    expect(api.milestones.map((m) => m.threshold)).toEqual([100, 500, 1500]);
  });

  it("is signed publicly and anonymously; the anonymous signer appears nowhere", {
    timeout: 180_000,
  }, async () => {
    const dan = await as("dan");
    await dan.goto(petitionUrl);
    await expectNoAxeViolations(dan);
    await dan.getByLabel("Sign with my name", { exact: true }).check();
    // Dan's device is not set up for anonymous signing: the form asks before a public signature.
    await dan.getByRole("button", { name: "Sign", exact: true }).click();
    await dan.getByText(/Tick “I have not signed this petition anonymously on another device”/).waitFor();
    await dan.getByLabel(NOT_ANONYMOUSLY_ELSEWHERE).check();
    await dan.getByRole("button", { name: "Sign", exact: true }).click();
    await dan.getByText(/Thank you for signing/).waitFor();
    await dan.getByRole("heading", { name: "You signed publicly" }).waitFor();
    const receipt = await dan.locator(".receipt code").first().textContent();
    expect(receipt).toMatch(/^[0-9a-f]{64}$/);
    await expectNoAxeViolations(dan);

    // Erin takes the step on her device first (set up, recovery code shown): its background run
    // gets her anonymous signature for every open petition, this one among them.
    const erin = await as("erin");
    await setUpAnonymousSigning(erin, app.baseUrl);
    await erin.goto(petitionUrl);
    await erin.getByLabel("Sign anonymously", { exact: true }).check();
    // The reason is one click away, under the choice and its one sentence.
    await erin.getByText("Add a reason, or milestone emails").click();
    await erin.getByLabel("Why I'm signing (optional)").fill("I speak to my doctor from my desk.");
    await erin.getByRole("button", { name: "Sign", exact: true }).click();
    await erin.getByRole("heading", { name: "You signed anonymously" }).waitFor();
    // Counted once at least 20 colleagues hold the petition's token, with the day's leftovers after
    // midnight (the server's clock moved past it).
    useServerDatabase(app);
    const slug = petitionUrl.split("/").at(-1) ?? "";
    const open = findPublicPetition(slug);
    if (!open) throw new Error("the petition is not public");
    await giveTokenHolders(open);
    closeDb();
    advanceServerClock(app, DAY_MS);
    for (let i = 0; i < 90; i++) {
      const { signatureCount } = (await (
        await fetch(`${petitionUrl.replace("/petitions/", "/api/petitions/")}/count`)
      ).json()) as { signatureCount: number };
      if (signatureCount === 2) break;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    // Only Erin's devices know she signed: My petitions lists it from this one.
    await erin.goto(`${app.baseUrl}/my/petitions`);
    await erin
      .getByRole("region", { name: "Signed anonymously, as this device knows" })
      .getByRole("link", { name: "Let staff pause keystroke logging during private calls" })
      .waitFor();
    await expectNoAxeViolations(erin);

    // The count and the two kinds, as everyone sees them.
    await dan.goto(petitionUrl);
    expect(await dan.locator(".big-count").textContent()).toContain("2");
    expect(await dan.getByText("1 public · 1 anonymous").count()).toBe(1);

    // Erin's identity appears in no page, list or API response, for any viewer.
    const views = [
      petitionUrl,
      `${petitionUrl}/signers`,
      `${app.baseUrl}/api/petitions`,
      `${app.baseUrl}${new URL(petitionUrl).pathname.replace("/petitions/", "/api/petitions/")}`,
      `${app.baseUrl}${new URL(petitionUrl).pathname.replace("/petitions/", "/api/petitions/")}/ledger`,
    ];
    for (const viewer of ["dan", "mod", "creator", "lead", "root"]) {
      const page = await as(viewer);
      for (const url of views) {
        const response = await page.goto(url);
        const body = (await response?.text()) ?? "";
        expect(body, `${viewer} ${url}`).not.toContain("Erin Person");
        expect(body, `${viewer} ${url}`).not.toContain("erin@corp.example");
      }
      await page.close();
    }
    expect(await (await fetch(`${petitionUrl}`)).text()).toContain("I speak to my doctor from my desk.");
    await erin.close();

    // Withdrawing takes the signature off the count.
    await dan.goto(petitionUrl);
    await dan.getByRole("button", { name: "Withdraw my signature" }).click();
    await dan.getByText("Your signature was withdrawn.").waitFor();
    expect(await dan.locator(".big-count").textContent()).toContain("1");
    await dan.close();
  });

  it("signs without JavaScript, and a second submission does not double-count", async () => {
    const page = await as("bob", false);
    await page.goto(petitionUrl);
    // The form says which emails signing brings: the box is for milestones; updates and responses
    // reach every signer unless turned off in the settings it links to.
    await page.getByText("Add a reason, or milestone emails").click();
    const milestones = page.getByLabel("Email me when it reaches a milestone");
    expect(await milestones.getAttribute("aria-describedby")).toBe("signer-emails-hint");
    await page.locator("#signer-emails-hint").getByRole("link", { name: "email settings" }).waitFor();
    await page.getByLabel("Sign with my name", { exact: true }).check();
    // Without JavaScript the browser cannot sign anonymously: the form asks the question, its box
    // required before the form is sent.
    const notElsewhere = page.getByLabel(NOT_ANONYMOUSLY_ELSEWHERE);
    expect(await notElsewhere.getAttribute("required")).not.toBeNull();
    await notElsewhere.check();
    await page.getByRole("button", { name: "Sign", exact: true }).click();
    await page.getByRole("heading", { name: "You signed publicly" }).waitFor();
    // Replaying the same form post (a double click, a second tab) is refused and changes nothing.
    const cookies = await page.context().cookies();
    const cookie = cookies.map((c) => `${c.name}=${c.value}`).join("; ");
    const replay = await fetch(petitionUrl, {
      method: "POST",
      headers: { Cookie: cookie },
      body: new URLSearchParams({ intent: "sign", visibility: "public", noAnonymousSignature: "on" }),
      redirect: "manual",
    });
    expect(replay.status).toBe(409);
    const count = (await (
      await fetch(`${petitionUrl.replace("/petitions/", "/api/petitions/")}/count`)
    ).json()) as {
      signatureCount: number;
    };
    expect(count.signatureCount).toBe(2);
    await page.close();
  });

  it("counts one signature when the same person sends many requests at once", async () => {
    // Without JavaScript: this browser holds no token, so the public signature is made without one.
    const page = await as("alice", false);
    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    const responses = await Promise.all(
      Array.from({ length: 12 }, () =>
        fetch(petitionUrl, {
          method: "POST",
          headers: { Cookie: cookie },
          body: new URLSearchParams({ intent: "sign", visibility: "public", noAnonymousSignature: "on" }),
          redirect: "manual",
        }),
      ),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 302)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(11);
    const count = (await (
      await fetch(`${petitionUrl.replace("/petitions/", "/api/petitions/")}/count`)
    ).json()) as {
      signatureCount: number;
    };
    expect(count.signatureCount).toBe(3);
    // The server answers the count itself (not through Remix's routing): same headers, and a 304 for
    // a poll that already has this count.
    const countUrl = `${petitionUrl.replace("/petitions/", "/api/petitions/")}/count`;
    const polled = await fetch(countUrl);
    expect(polled.headers.get("Cache-Control")).toBe("public, max-age=5");
    expect(polled.headers.get("X-Content-Type-Options")).toBe("nosniff");
    const etag = polled.headers.get("ETag") ?? "";
    expect(etag).not.toBe("");
    expect((await fetch(countUrl, { headers: { "If-None-Match": etag } })).status).toBe(304);
    expect((await fetch(`${countUrl.replace(/\/count$/, "-no-such-petition/count")}`)).status).toBe(404);
    expect(await app.cli("check-counts")).toContain("0 mismatches");
    // Five signing events and the petition key's creation.
    expect(await app.cli("verify-ledger")).toMatch(/ok\s+petition \d+: 6 entries, 3 standing/);
    await page.close();
  });

  it("lets a moderator invalidate signatures after previewing how many match", async () => {
    const page = await as("mod");
    await page.goto(`${petitionUrl}/invalidate`);
    await expectNoAxeViolations(page);
    // Fewer than five people could reveal an anonymous signer: refused next to the field.
    await page.getByLabel("People (email addresses)").fill("bob@corp.example");
    await page.getByRole("button", { name: "Preview" }).click();
    await page.getByText(/List at least 5 people/).waitFor();
    // Below five matches (none included) the preview says only "fewer than 5", and nothing so narrow
    // can be invalidated: the public count would show whether someone signed.
    await page
      .getByLabel("People (email addresses)")
      .fill("bob@corp.example, creator@corp.example, dan@corp.example, mod@corp.example, root@corp.example");
    await page.getByRole("button", { name: "Preview" }).click();
    await page.getByText(/Fewer than 5 signatures match \(possibly none\)/).waitFor();
    expect(await page.getByRole("button", { name: /Invalidate/ }).count()).toBe(0);
    // Three more public signatures make five public standing (Erin's anonymous one carries no
    // time a window could match, nor a person): a wide enough window can go.
    for (const name of ["carol", "lead", "root"]) {
      const signer = await as(name);
      await signer.goto(petitionUrl);
      await signer.getByLabel(NOT_ANONYMOUSLY_ELSEWHERE).check();
      await signer.getByRole("button", { name: "Sign", exact: true }).click();
      await signer.getByRole("heading", { name: /You signed/ }).waitFor();
      await signer.close();
    }
    await page.getByLabel("People (email addresses)").fill("");
    // A window from long before the petition: every public signature falls in it.
    await page.getByLabel("Signed from").fill(dateTimeFromNow(-3650));
    await page.getByRole("button", { name: "Preview" }).click();
    await page.getByText("5 signatures match.").waitFor();
    await page.getByLabel("Reason, in your words").fill("Signed from a shared kiosk account");
    // Confirming without a category for the public timeline is refused beside the field.
    await page.getByRole("button", { name: "Invalidate 5 signatures" }).click();
    await page.getByText("Choose why, for the petition's public timeline").waitFor();
    await page.getByLabel("Why, on the petition's public timeline").selectOption("fraudulent_accounts");
    await page.getByRole("button", { name: "Invalidate 5 signatures" }).click();
    await page.getByText("5 signatures invalidated.").waitFor();
    // The petition's public timeline says how many and why, in a category: not who, nor the moderator's words.
    const timeline = await page.locator(".timeline").innerText();
    expect(timeline).toContain("5 signatures invalidated by a moderator: fraudulent or shared accounts");
    expect(timeline).not.toContain("kiosk");
    // Erin's anonymous signature stands: invalidation by people, time or address cannot reach it.
    expect(await page.locator(".big-count").textContent()).toContain("1");
    expect(await app.cli("verify-ledger")).toMatch(/ok\s+petition \d+: 14 entries, 1 standing/);
    await page.close();
  });
});

describe("site settings", () => {
  it("lets an admin change co-sponsors and default milestones, with errors next to the fields", async () => {
    const page = await as("root");
    await page.goto(`${app.baseUrl}/admin/settings`);
    await expectNoAxeViolations(page);
    await page.getByLabel("Co-sponsors needed before moderation").fill("-1");
    await page.getByRole("button", { name: "Save settings" }).click();
    await page
      .getByText(/greater than or equal to 0|too small/i)
      .first()
      .waitFor();
    await page.getByLabel("Co-sponsors needed before moderation").fill("2");
    await page.getByLabel("Milestone 4: signatures").fill("5000");
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.getByText("Settings saved.").waitFor();
    expect(await page.getByLabel("Co-sponsors needed before moderation").inputValue()).toBe("2");
    expect(await page.getByLabel("Milestone 4: signatures").inputValue()).toBe("5000");
    await page.close();
  });
});
